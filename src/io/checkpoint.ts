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
 * Checkpoints written before checksums were recorded load without that check. The format on
 * bytes is checkpointRecord.ts's; this module adds the files.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Either, left, right } from 'fp-ts/Either';
import { StagedFile, removeStaleTemps, stageFile } from './atomic';
import { ensureDirectory } from './fsErrors';
import { type Checkpoint, type LoadedCheckpoint, decodeCheckpoint, encodeCheckpoint } from './checkpointRecord';
import { FormatError } from './formatError';
import { parseJson } from './ioTsReport';

export {
  CHECKPOINT_METADATA_KEY,
  type Checkpoint,
  type CheckpointRecord,
  CheckpointRecordCodec,
  type LoadedCheckpoint,
  decodeCheckpoint,
  encodeCheckpoint,
  tensorDigest,
} from './checkpointRecord';

export function checkpointPaths(dir: string, name: string): { tensors: string; json: string } {
  if (name === '' || /[/\\]/.test(name)) throw new RangeError(`checkpoint name must be a plain file name, got "${name}"`);
  return { tensors: join(dir, `${name}.safetensors`), json: join(dir, `${name}.json`) };
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
  const { bytes, record } = encodeCheckpoint(checkpoint, now);
  ensureDirectory(dir);
  const tensorsFile = stageFile(paths.tensors, bytes);
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
  const decoded = decodeCheckpoint(bytes, paths.tensors);
  if (decoded._tag === 'Left') return decoded;
  return right({ ...decoded.right.checkpoint, notes: jsonNotes(paths.json, decoded.right.embedded) });
}

/** readCheckpoint that throws the FormatError. */
export function loadCheckpoint(dir: string, name: string): LoadedCheckpoint {
  const result = readCheckpoint(dir, name);
  if (result._tag === 'Left') throw result.left;
  return result.right;
}
