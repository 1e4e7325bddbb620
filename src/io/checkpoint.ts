/**
 * Training checkpoints: `<dir>/<name>.safetensors` (all tensors: parameters, optimizer
 * moments, batch-norm statistics, ...) and `<dir>/<name>.json` (a readable record: config,
 * step, epoch, optimizer metadata, PRNG key and a summary of the tensors).
 *
 * Atomicity: the record is also embedded in the safetensors metadata (key
 * "ssmjit.checkpoint"), which makes the safetensors file the single commit point. Saving
 * writes and fsyncs both files under temporary names, then renames the safetensors file, then
 * the JSON file. A crash before the first rename leaves the previous checkpoint untouched; a
 * crash between the two renames leaves a complete new checkpoint whose JSON file is stale,
 * which loading detects and reports in `notes` (the embedded record wins).
 *
 * Integrity: the record lists every tensor's dtype, shape and the SHA-256 of its data bytes;
 * loading refuses a file whose tensors disagree with the record (a flipped data byte is a
 * FormatError naming the tensor and the byte range, not a silently different model).
 * Checkpoints written before checksums were recorded load without that check.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as t from 'io-ts';
import { Either, left, right } from 'fp-ts/Either';
import { StagedFile, removeStaleTemps, stageFile } from './atomic';
import { ensureDirectory } from './fsErrors';
import { Int32, NonNegativeInt, Text, oneOf, refine } from './codecs';
import { FormatError } from './formatError';
import { decodeWith, parseJson } from './ioTsReport';
import { parseLocatedSafetensors, serializeSafetensors } from './safetensors';
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

export function checkpointPaths(dir: string, name: string): { tensors: string; json: string } {
  if (name === '' || /[/\\]/.test(name)) throw new RangeError(`checkpoint name must be a plain file name, got "${name}"`);
  return { tensors: join(dir, `${name}.safetensors`), json: join(dir, `${name}.json`) };
}

/** SHA-256 of a tensor's data bytes as stored (little-endian, row-major). */
export function tensorDigest(tensor: Tensor): string {
  return createHash('sha256').update(new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength)).digest('hex');
}

function recordOf(checkpoint: Checkpoint, createdAt: string): CheckpointRecord {
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

/** A checkpoint written to temporary files, not yet visible under its name. */
export interface StagedCheckpoint {
  /** Makes the checkpoint visible: renames the tensors file (the commit point), then the JSON file. */
  commit(): void;
  /** Deletes the temporary files. */
  abort(): void;
  readonly files: readonly StagedFile[];
}

/** Writes and fsyncs both files of a checkpoint under temporary names. */
export function stageCheckpoint(dir: string, name: string, checkpoint: Checkpoint, now: Date = new Date()): StagedCheckpoint {
  const paths = checkpointPaths(dir, name);
  const record = recordOf(checkpoint, now.toISOString());
  const text = JSON.stringify(record);
  ensureDirectory(dir);
  const tensorsFile = stageFile(paths.tensors, serializeSafetensors(checkpoint.tensors, { [CHECKPOINT_METADATA_KEY]: text }));
  let jsonFile: StagedFile;
  try {
    jsonFile = stageFile(paths.json, `${JSON.stringify(record, null, 2)}\n`);
  } catch (err) {
    tensorsFile.abort();
    throw err;
  }
  return {
    files: [tensorsFile, jsonFile],
    commit: () => {
      tensorsFile.commit();
      jsonFile.commit();
    },
    abort: () => {
      tensorsFile.abort();
      jsonFile.abort();
    },
  };
}

/**
 * Saves a checkpoint atomically, replacing any previous one of the same name. Temporary files
 * left by an interrupted earlier save are removed first (one writer per checkpoint name).
 */
export function saveCheckpoint(dir: string, name: string, checkpoint: Checkpoint): void {
  const paths = checkpointPaths(dir, name);
  removeStaleTemps(paths.tensors);
  removeStaleTemps(paths.json);
  stageCheckpoint(dir, name, checkpoint).commit();
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

/** Reads the companion JSON file and says how it relates to the embedded record. */
function jsonNotes(file: string, embedded: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [`${file} is missing; using the record embedded in the tensors file`];
  }
  const parsed = parseJson(text, { file });
  if (parsed._tag === 'Left') return [`${file} is unreadable (${parsed.left.message}); using the embedded record`];
  return JSON.stringify(parsed.right) === embedded ? [] : [`${file} does not match the tensors file (stale after an interrupted save, or edited); using the embedded record`];
}

/** Loads and validates a checkpoint; problems come back as a FormatError naming the file. */
export function readCheckpoint(dir: string, name: string): Either<FormatError, LoadedCheckpoint> {
  const paths = checkpointPaths(dir, name);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(paths.tensors);
  } catch (err) {
    return left(new FormatError(`cannot read checkpoint tensors (${(err as Error).message})`, { file: paths.tensors }));
  }
  const content = parseLocatedSafetensors(bytes, paths.tensors);
  if (content._tag === 'Left') return content;
  const where = { file: paths.tensors, byteOffset: 8, field: `__metadata__.${CHECKPOINT_METADATA_KEY}` };
  const embedded = content.right.metadata[CHECKPOINT_METADATA_KEY];
  if (embedded === undefined) return left(new FormatError('not an ssmjit checkpoint (no embedded record)', where));
  const json = parseJson(embedded, where);
  if (json._tag === 'Left') return json;
  const record = decodeWith(CheckpointRecordCodec, json.right, where, 'invalid checkpoint record');
  if (record._tag === 'Left') return record;
  const actual = Object.fromEntries(Object.entries(content.right.tensors).map(([key, tensor]) => [key, { dtype: tensor.dtype, shape: [...tensor.shape] }]));
  const mismatch = sameSummary(record.right.tensors, actual);
  if (mismatch !== undefined) return left(new FormatError(`checkpoint record disagrees with the tensors: ${mismatch}`, { file: paths.tensors }));
  for (const [key, summary] of Object.entries(record.right.tensors)) {
    if (summary.sha256 === undefined) continue;
    const digest = tensorDigest(content.right.tensors[key]);
    if (digest !== summary.sha256) {
      const [begin, end] = content.right.offsets[key];
      return left(
        new FormatError(`tensor data does not match the checksum in the record (bytes ${begin} to ${end - 1}; the file is corrupted)`, {
          file: paths.tensors,
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
    step,
    ...(epoch !== undefined ? { epoch } : {}),
    ...(createdAt !== undefined ? { createdAt } : {}),
    config,
    optimizer,
    prngKey,
    tensors: content.right.tensors,
    notes: jsonNotes(paths.json, embedded),
  });
}

/** readCheckpoint that throws the FormatError. */
export function loadCheckpoint(dir: string, name: string): LoadedCheckpoint {
  const result = readCheckpoint(dir, name);
  if (result._tag === 'Left') throw result.left;
  return result.right;
}
