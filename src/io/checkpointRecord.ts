/**
 * The checkpoint format on bytes (browsers too; checkpoint.ts adds the files): the JSON record
 * (config, step, epoch, optimizer metadata, PRNG key, every tensor's dtype, shape and SHA-256)
 * and the safetensors bytes that embed it under "ssmjit.checkpoint". A checkpoint's
 * .safetensors file alone is a complete checkpoint: `encodeCheckpoint` gives those bytes and
 * `decodeCheckpoint` validates them, record against tensors and every checksum.
 */
import * as t from 'io-ts';
import { Either, left, right } from 'fp-ts/Either';
import { Int32, NonNegativeInt, Text, oneOf, refine } from './codecs';
import { FormatError } from './formatError';
import { decodeWith, parseJson } from './ioTsReport';
import { parseLocatedSafetensors, serializeSafetensors } from './safetensors';
import { sha256Hex } from './sha256';
import { Tensor, TensorMap } from './tensor';

export const CHECKPOINT_METADATA_KEY = 'ssmjit.checkpoint';
const FORMAT = 'ssmjit-checkpoint';
const VERSION = 1;

const JsonObject = refine(t.UnknownRecord, () => true, 'a JSON object');
const Sha256 = refine(t.string, (s) => /^[0-9a-f]{64}$/.test(s), 'a SHA-256 digest (64 hex digits)');
const TensorSummary = t.intersection([
  t.type({ dtype: oneOf(['F32', 'F64', 'I32', 'BOOL', 'C64'] as const), shape: t.array(NonNegativeInt, 'an array of non-negative integers') }),
  t.partial({ sha256: Sha256 }),
]);

/** The JSON record of a checkpoint, as validated on load. */
export const CheckpointRecordCodec = t.intersection([
  t.type({
    format: refine(t.literal(FORMAT), () => true, `"${FORMAT}"`),
    version: refine(t.literal(VERSION), () => true, `${VERSION}`),
    step: NonNegativeInt,
    config: JsonObject,
    optimizer: JsonObject,
    prngKey: t.array(Int32, 'an array of 32-bit signed integers'),
    tensors: t.record(t.string, TensorSummary),
  }),
  t.partial({ epoch: NonNegativeInt, createdAt: Text }),
]);
export type CheckpointRecord = t.TypeOf<typeof CheckpointRecordCodec>;

/** What a caller saves and gets back. */
export interface Checkpoint {
  /** Optimizer steps taken. */
  readonly step: number;
  /** Completed epochs, if tracked. */
  readonly epoch?: number;
  /** The run configuration (any JSON object, e.g. the parsed CLI flags). */
  readonly config: Readonly<Record<string, unknown>>;
  /** Optimizer metadata (name, hyper-parameters, schedule state); its tensors go in `tensors`. */
  readonly optimizer: Readonly<Record<string, unknown>>;
  /** PRNG key words (int32). */
  readonly prngKey: readonly number[];
  readonly tensors: TensorMap;
}

export interface LoadedCheckpoint extends Checkpoint {
  readonly createdAt?: string;
  /** Non-fatal findings, e.g. a stale or missing JSON file. */
  readonly notes: readonly string[];
}

/** SHA-256 of a tensor's data bytes as stored (little-endian, row-major). */
export function tensorDigest(tensor: Tensor): string {
  return sha256Hex(new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
}

export function recordOf(checkpoint: Checkpoint, createdAt: string): CheckpointRecord {
  const tensors = Object.fromEntries(
    Object.entries(checkpoint.tensors).map(([key, tensor]) => [key, { dtype: tensor.dtype, shape: [...tensor.shape], sha256: tensorDigest(tensor) }]),
  );
  const record: CheckpointRecord = {
    format: FORMAT,
    version: VERSION,
    step: checkpoint.step,
    ...(checkpoint.epoch !== undefined ? { epoch: checkpoint.epoch } : {}),
    createdAt,
    config: { ...checkpoint.config },
    optimizer: { ...checkpoint.optimizer },
    prngKey: [...checkpoint.prngKey],
    tensors,
  };
  const valid = decodeWith(CheckpointRecordCodec, JSON.parse(JSON.stringify(record)), { file: '<checkpoint being saved>' }, 'invalid checkpoint');
  if (valid._tag === 'Left') throw valid.left;
  return record;
}

/** The safetensors bytes of a checkpoint, its record embedded; also the record's JSON text. */
export function encodeCheckpoint(checkpoint: Checkpoint, now: Date = new Date()): { bytes: Uint8Array; record: CheckpointRecord } {
  const record = recordOf(checkpoint, now.toISOString());
  return { bytes: serializeSafetensors(checkpoint.tensors, { [CHECKPOINT_METADATA_KEY]: JSON.stringify(record) }), record };
}

function sameSummary(a: CheckpointRecord['tensors'], b: CheckpointRecord['tensors']): string | undefined {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of names) {
    const x = a[key];
    const y = b[key];
    if (x === undefined || y === undefined) return `tensor "${key}" is ${x === undefined ? 'not listed in the record' : 'missing from the file'}`;
    if (x.dtype !== y.dtype || x.shape.join(',') !== y.shape.join(',')) {
      return `tensor "${key}" is ${y.dtype} [${y.shape.join(', ')}] but the record says ${x.dtype} [${x.shape.join(', ')}]`;
    }
  }
  return undefined;
}

/**
 * Validates the bytes of a checkpoint's .safetensors file: the embedded record, the tensors it
 * lists, and each tensor's checksum. `embedded` is the record's JSON text as stored.
 */
export function decodeCheckpoint(bytes: Uint8Array, file: string): Either<FormatError, { checkpoint: Checkpoint & { readonly createdAt?: string }; embedded: string }> {
  const content = parseLocatedSafetensors(bytes, file);
  if (content._tag === 'Left') return content;
  const where = { file, byteOffset: 8, field: `__metadata__.${CHECKPOINT_METADATA_KEY}` };
  const embedded = content.right.metadata[CHECKPOINT_METADATA_KEY];
  if (embedded === undefined) return left(new FormatError('not an ssmjit checkpoint (no embedded record)', where));
  const json = parseJson(embedded, where);
  if (json._tag === 'Left') return json;
  const record = decodeWith(CheckpointRecordCodec, json.right, where, 'invalid checkpoint record');
  if (record._tag === 'Left') return record;
  const actual = Object.fromEntries(Object.entries(content.right.tensors).map(([key, tensor]) => [key, { dtype: tensor.dtype, shape: [...tensor.shape] }]));
  const mismatch = sameSummary(record.right.tensors, actual);
  if (mismatch !== undefined) return left(new FormatError(`checkpoint record disagrees with the tensors: ${mismatch}`, { file }));
  for (const [key, summary] of Object.entries(record.right.tensors)) {
    if (summary.sha256 === undefined) continue;
    const digest = tensorDigest(content.right.tensors[key]);
    if (digest !== summary.sha256) {
      const [begin, end] = content.right.offsets[key];
      return left(
        new FormatError(`tensor data does not match the checksum in the record (bytes ${begin} to ${end - 1}; the file is corrupted)`, {
          file,
          byteOffset: begin,
          field: key,
          expected: `SHA-256 ${summary.sha256}`,
          actual: digest,
        }),
      );
    }
  }
  const { step, epoch, config, optimizer, prngKey, createdAt } = record.right;
  return right({
    checkpoint: {
      step,
      ...(epoch !== undefined ? { epoch } : {}),
      ...(createdAt !== undefined ? { createdAt } : {}),
      config,
      optimizer,
      prngKey,
      tensors: content.right.tensors,
    },
    embedded,
  });
}
