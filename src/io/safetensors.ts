/**
 * The safetensors format (Hugging Face), read and written byte-exactly:
 *
 *   bytes 0..7      N, the header size, unsigned 64-bit little-endian
 *   bytes 8..8+N-1  the header: UTF-8 JSON object starting with "{", optionally padded with
 *                   trailing spaces; { "<name>": { "dtype": "F32", "shape": [2, 3],
 *                   "data_offsets": [begin, end] }, ..., "__metadata__": { string: string } }
 *   bytes 8+N..     the data buffer; offsets are relative to its start, end exclusive
 *
 * Rules enforced on reading: the header fits in the file; shape x dtype size equals
 * end - begin; the tensors cover the data buffer exactly, without overlaps or holes; data is
 * little-endian and row-major. Writing pads the header with spaces so the buffer starts on an
 * 8-byte boundary and orders tensors by dtype (widest first) then name, as the reference writer
 * does, so that every tensor is naturally aligned and output is byte-identical to it.
 *
 * dtypes: F32, F64, I32 and BOOL (one byte, 0 or 1). A complex64 tensor (dtype "C64" here) is
 * stored as F32 with a trailing dimension of 2 (re, im); the names of such tensors are listed
 * in the metadata entry "ssmjit.complex64" (a JSON array) and are turned back into C64 on read.
 *
 * Every rejection is a FormatError naming the file and the byte offset of the problem. This
 * module works on bytes only (browsers too); safetensorsFile.ts reads and writes files.
 */
import * as t from 'io-ts';
import { Either, left, right } from 'fp-ts/Either';
import { NonNegativeInt, Text } from './codecs';
import { FormatError, describeValue } from './formatError';
import { decodeWith, utf8Length } from './ioTsReport';
import { Tensor, TensorMap, checkTensor, shapeSize } from './tensor';

export const COMPLEX64_METADATA_KEY = 'ssmjit.complex64';
/** Largest header accepted, as in the reference implementation (100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

type StoredDtype = 'F32' | 'F64' | 'I32' | 'BOOL';
const BYTES_PER_ELEMENT: Record<StoredDtype, number> = { F64: 8, F32: 4, I32: 4, BOOL: 1 };
/** All safetensors dtypes in the reference enum order (increasing alignment); writers order tensors by it. */
const KNOWN_DTYPES = ['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64'];

export interface SafetensorsContent {
  readonly tensors: TensorMap;
  /** The `__metadata__` strings (without the complex64 bookkeeping entry). */
  readonly metadata: Readonly<Record<string, string>>;
}

/** SafetensorsContent plus where each tensor's data lies in the file. */
export interface LocatedSafetensorsContent extends SafetensorsContent {
  /** [first byte, end) of each tensor's data, as absolute byte offsets in the file. */
  readonly offsets: Readonly<Record<string, readonly [number, number]>>;
}

const TensorInfo = t.type({
  dtype: t.string,
  shape: t.array(NonNegativeInt, 'an array of non-negative integers'),
  data_offsets: t.tuple([NonNegativeInt, NonNegativeInt], '[begin, end] byte offsets'),
});
const Metadata = t.record(t.string, Text, 'an object of string values');
const ComplexNames = t.array(t.string, 'a JSON array of tensor names');

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A copy of bytes[start, end) in a fresh, aligned buffer (Buffer#slice would return a view). */
function copyBytes(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  out.set(bytes.subarray(start, end));
  return out;
}

function copyOut(bytes: Uint8Array, start: number, end: number): ArrayBuffer {
  if (!LITTLE_ENDIAN_HOST) throw new Error('safetensors: big-endian hosts are not supported');
  return copyBytes(bytes, start, end).buffer as ArrayBuffer;
}

interface Entry {
  readonly name: string;
  readonly dtype: StoredDtype;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

/** Parses safetensors bytes. Never throws: problems come back as a FormatError. */
export function parseSafetensors(bytes: Uint8Array, file = '<memory>'): Either<FormatError, SafetensorsContent> {
  const parsed = parseLocatedSafetensors(bytes, file);
  return parsed._tag === 'Left' ? parsed : right({ tensors: parsed.right.tensors, metadata: parsed.right.metadata });
}

/** parseSafetensors, also saying where each tensor's data lies (for messages about it). */
export function parseLocatedSafetensors(bytes: Uint8Array, file = '<memory>'): Either<FormatError, LocatedSafetensorsContent> {
  const at = (byteOffset: number, problem: string, extra: { field?: string; expected?: string; actual?: string } = {}) =>
    left(new FormatError(problem, { file, byteOffset, ...extra }));
  if (bytes.length < 8) return at(0, 'file too short for the 8-byte header length', { actual: `${bytes.length} bytes` });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerSize = view.getBigUint64(0, true);
  if (headerSize > BigInt(bytes.length - 8)) {
    return at(0, 'header length runs past the end of the file', { expected: `at most ${bytes.length - 8} (file size ${bytes.length} - 8)`, actual: `${headerSize}` });
  }
  const n = Number(headerSize);
  if (n > MAX_HEADER_BYTES) return at(0, 'header too large', { expected: `at most ${MAX_HEADER_BYTES} bytes`, actual: `${n}` });
  if (n < 2 || bytes[8] !== 0x7b) return at(8, 'header must be a JSON object starting with "{"', { actual: n === 0 ? 'an empty header' : `byte 0x${bytes[8].toString(16)}` });
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    return at(8, 'header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    const position = /position (\d+)/.exec((err as Error).message);
    const offset = 8 + (position ? utf8Length(text.slice(0, Number(position[1]))) : 0);
    return at(offset, `bad JSON in header (${(err as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return at(8, 'header must be a JSON object', { actual: describeValue(header) });

  const dataStart = 8 + n;
  const bufferSize = bytes.length - dataStart;
  let metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') {
      const decoded = decodeWith(Metadata, value, { file, byteOffset: 8, field: '__metadata__' }, 'invalid metadata');
      if (decoded._tag === 'Left') return decoded;
      metadata = decoded.right;
      continue;
    }
    const decoded = decodeWith(TensorInfo, value, { file, byteOffset: 8, field: name }, 'invalid tensor entry');
    if (decoded._tag === 'Left') return decoded;
    const { dtype, shape, data_offsets: [begin, end] } = decoded.right;
    if (!(dtype in BYTES_PER_ELEMENT)) {
      const what = KNOWN_DTYPES.includes(dtype) ? 'unsupported dtype' : 'unknown dtype';
      return at(8, what, { field: `${name}.dtype`, expected: 'F32, F64, I32 or BOOL', actual: describeValue(dtype) });
    }
    const size = shapeSize(shape) * BYTES_PER_ELEMENT[dtype as StoredDtype];
    if (!Number.isSafeInteger(size)) return at(8, 'tensor size overflows', { field: `${name}.shape` });
    if (end < begin) return at(dataStart + begin, 'data_offsets end before they begin', { field: name, actual: `[${begin}, ${end}]` });
    if (end - begin !== size) {
      return at(dataStart + begin, 'shape x dtype size mismatch', { field: name, expected: `${size} bytes for ${dtype} [${shape.join(', ')}]`, actual: `${end - begin} bytes [${begin}, ${end})` });
    }
    entries.push({ name, dtype: dtype as StoredDtype, shape, begin, end });
  }

  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: Entry | undefined;
  for (const entry of entries) {
    if (entry.begin < covered) {
      return at(dataStart + entry.begin, 'overlapping data_offsets', { field: entry.name, expected: `data starting at ${covered}`, actual: `[${entry.begin}, ${entry.end}) overlaps "${previous?.name}"` });
    }
    if (entry.begin > covered) return at(dataStart + covered, 'hole in the data buffer (bytes not covered by any tensor)', { field: entry.name, expected: `begin ${covered}`, actual: `${entry.begin}` });
    if (entry.end > bufferSize) {
      return at(dataStart + entry.begin, 'tensor data out of range (file truncated?)', { field: entry.name, expected: `end <= ${bufferSize} (data buffer size)`, actual: `${entry.end}` });
    }
    covered = entry.end;
    previous = entry;
  }
  if (covered !== bufferSize) return at(dataStart + covered, 'trailing bytes not covered by any tensor', { expected: `data buffer of ${covered} bytes`, actual: `${bufferSize}` });

  const tensors = new Map<string, Tensor>();
  const offsets = Object.fromEntries(entries.map((e) => [e.name, [dataStart + e.begin, dataStart + e.end] as const]));
  for (const { name, dtype, shape, begin, end } of entries) {
    const start = dataStart + begin;
    const stop = dataStart + end;
    switch (dtype) {
      case 'F32':
        tensors.set(name, { dtype, shape, data: new Float32Array(copyOut(bytes, start, stop)) });
        break;
      case 'F64':
        tensors.set(name, { dtype, shape, data: new Float64Array(copyOut(bytes, start, stop)) });
        break;
      case 'I32':
        tensors.set(name, { dtype, shape, data: new Int32Array(copyOut(bytes, start, stop)) });
        break;
      case 'BOOL': {
        const data = copyBytes(bytes, start, stop);
        const bad = data.findIndex((b) => b > 1);
        if (bad >= 0) return at(start + bad, 'BOOL value is not 0 or 1', { field: name, actual: `${data[bad]}` });
        tensors.set(name, { dtype, shape, data });
        break;
      }
    }
  }
  const restored = restoreComplex(tensors, metadata, file);
  return restored._tag === 'Left' ? restored : right({ ...restored.right, offsets });
}

/** Turns the F32 tensors listed under COMPLEX64_METADATA_KEY back into C64 tensors. */
function restoreComplex(tensors: Map<string, Tensor>, metadata: Record<string, string>, file: string): Either<FormatError, SafetensorsContent> {
  const listed = Object.hasOwn(metadata, COMPLEX64_METADATA_KEY) ? metadata[COMPLEX64_METADATA_KEY] : undefined;
  if (listed === undefined) return right({ tensors: Object.fromEntries(tensors), metadata });
  const where = { file, byteOffset: 8, field: `__metadata__.${COMPLEX64_METADATA_KEY}` };
  let names: unknown;
  try {
    names = JSON.parse(listed);
  } catch {
    return left(new FormatError('invalid complex64 list', { ...where, expected: 'a JSON array of tensor names', actual: describeValue(listed) }));
  }
  const decoded = decodeWith(ComplexNames, names, where, 'invalid complex64 list');
  if (decoded._tag === 'Left') return decoded;
  for (const name of decoded.right) {
    const stored = tensors.get(name);
    if (stored === undefined || stored.dtype !== 'F32' || stored.shape[stored.shape.length - 1] !== 2) {
      return left(new FormatError('complex64 tensor must be stored as F32 with a trailing dimension of 2', { ...where, actual: `"${name}" is ${stored ? `${stored.dtype} [${stored.shape.join(', ')}]` : 'missing'}` }));
    }
    tensors.set(name, { dtype: 'C64', shape: stored.shape.slice(0, -1), data: stored.data });
  }
  const rest = Object.fromEntries(Object.entries(metadata).filter(([key]) => key !== COMPLEX64_METADATA_KEY));
  return right({ tensors: Object.fromEntries(tensors), metadata: rest });
}

/** Serializes tensors and metadata into safetensors bytes. */
export function serializeSafetensors(tensors: TensorMap, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  if (COMPLEX64_METADATA_KEY in metadata) throw new RangeError(`safetensors: metadata key "${COMPLEX64_METADATA_KEY}" is reserved`);
  const complexNames: string[] = [];
  const stored: { name: string; dtype: StoredDtype; shape: readonly number[]; bytes: Uint8Array }[] = [];
  for (const [name, tensor] of Object.entries(tensors)) {
    if (name === '__metadata__') throw new RangeError('safetensors: "__metadata__" cannot be a tensor name');
    checkTensor(name, tensor);
    const bytes = new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
    if (tensor.dtype === 'BOOL' && bytes.some((b) => b > 1)) throw new RangeError(`safetensors: BOOL tensor "${name}" holds values other than 0 and 1`);
    if (tensor.dtype === 'C64') {
      complexNames.push(name);
      stored.push({ name, dtype: 'F32', shape: [...tensor.shape, 2], bytes });
    } else {
      stored.push({ name, dtype: tensor.dtype, shape: tensor.shape, bytes });
    }
  }
  const rank = (dtype: StoredDtype) => KNOWN_DTYPES.indexOf(dtype);
  stored.sort((a, b) => rank(b.dtype) - rank(a.dtype) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const fullMetadata = complexNames.length > 0 ? { ...metadata, [COMPLEX64_METADATA_KEY]: JSON.stringify(complexNames.sort()) } : { ...metadata };
  const entries: [string, unknown][] = Object.keys(fullMetadata).length > 0 ? [['__metadata__', fullMetadata]] : [];
  let offset = 0;
  for (const { name, dtype, shape, bytes } of stored) {
    entries.push([name, { dtype, shape, data_offsets: [offset, offset + bytes.length] }]);
    offset += bytes.length;
  }
  const header = Object.fromEntries(entries);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padding = (8 - ((8 + json.length) % 8)) % 8;
  const headerBytes = new Uint8Array(json.length + padding).fill(0x20);
  headerBytes.set(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let position = 8 + headerBytes.length;
  for (const { bytes } of stored) {
    out.set(bytes, position);
    position += bytes.length;
  }
  return out;
}
