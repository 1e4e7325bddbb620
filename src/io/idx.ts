/**
 * The IDX file format of (Fashion-)MNIST, optionally gzip-compressed.
 *
 * Layout (all integers big-endian):
 *   bytes 0-1  zero
 *   byte  2    element type: 0x08 unsigned byte (the only type accepted here),
 *              0x09 signed byte, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64
 *   byte  3    number of dimensions d
 *   bytes 4..  d sizes, uint32 each
 *   then       the product of the sizes, one element each, row-major
 *
 * Errors name the file and the byte offset (in the decompressed stream for .gz files).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { FormatError } from './formatError';

const IDX_TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

export interface IdxArray {
  /** Sizes of the dimensions, outermost first. */
  readonly shape: number[];
  /** The elements, row-major. */
  readonly data: Uint8Array;
}

/** Decodes an (uncompressed) unsigned-byte IDX array; `file` is used in error messages. */
export function decodeIdx(bytes: Uint8Array, file: string, expectedDims?: number): IdxArray {
  const where = (byteOffset: number) => ({ file, byteOffset });
  if (bytes.length < 4) throw new FormatError('file too short for an IDX header', { ...where(bytes.length), expected: 'at least 4 bytes', actual: `${bytes.length}` });
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new FormatError('bad IDX magic number', { ...where(bytes[0] !== 0 ? 0 : 1), expected: 'two zero bytes', actual: `0x${hex(bytes[0])} 0x${hex(bytes[1])}` });
  }
  const typeCode = bytes[2];
  if (typeCode !== 0x08) {
    const name = IDX_TYPE_NAMES[typeCode] ?? 'an unknown type';
    throw new FormatError('unsupported IDX element type', { ...where(2), expected: 'unsigned byte (0x08)', actual: `0x${hex(typeCode)} (${name})` });
  }
  const dims = bytes[3];
  if (dims === 0) throw new FormatError('IDX array has no dimensions', where(3));
  if (expectedDims !== undefined && dims !== expectedDims) {
    throw new FormatError('wrong number of IDX dimensions', { ...where(3), expected: `${expectedDims}`, actual: `${dims}` });
  }
  const dataStart = 4 + 4 * dims;
  if (bytes.length < dataStart) {
    throw new FormatError('IDX header truncated', { ...where(bytes.length), expected: `${dims} dimension sizes ending at byte ${dataStart}`, actual: `${bytes.length} bytes` });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let d = 0; d < dims; d++) {
    const size = view.getUint32(4 + 4 * d, false);
    shape.push(size);
    count *= size;
  }
  if (bytes.length !== dataStart + count) {
    const problem = bytes.length < dataStart + count ? 'IDX data truncated' : 'trailing bytes after IDX data';
    throw new FormatError(problem, {
      ...where(Math.min(bytes.length, dataStart + count)),
      expected: `${count} elements for shape [${shape.join(', ')}] (file size ${dataStart + count})`,
      actual: `file size ${bytes.length}`,
    });
  }
  return { shape, data: bytes.subarray(dataStart) };
}

/** Reads an IDX file; a gzip stream (magic 1f 8b) is decompressed first. */
export function readIdxFile(file: string, expectedDims?: number): IdxArray {
  let raw: Uint8Array;
  try {
    raw = readFileSync(file);
  } catch (err) {
    throw new FormatError(`cannot read IDX file (${(err as Error).message})`, { file });
  }
  let bytes = raw;
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      bytes = gunzipSync(raw);
    } catch (err) {
      throw new FormatError(`corrupt gzip stream (${(err as Error).message})`, { file });
    }
  }
  return decodeIdx(bytes, file, expectedDims);
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
