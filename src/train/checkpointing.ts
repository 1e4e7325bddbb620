/**
 * Training state <-> checkpoint files (src/io/checkpoint.ts: safetensors + JSON record, saved
 * atomically). What a checkpoint holds, and the checks made when one is opened, are snapshot.ts's
 * (which works on bytes, in browsers too); this module reads and writes the files.
 */
import { checkpointPaths, readCheckpoint, saveCheckpoint } from '../io/checkpoint';
import type { ModelParams } from '../models/seqModel';
import type { Optimizer } from './optimizer';
import { type OpenedCheckpoint, type TrainingSnapshot, openLoadedCheckpoint, snapshotCheckpoint } from './snapshot';

export {
  type OpenedCheckpoint,
  type RunHistory,
  RunHistoryCodec,
  type TrainingSnapshot,
  type TrainWindow,
  TrainWindowCodec,
  addTree,
  carryTensors,
  checkModelAgainstTensors,
  firstNonFinite,
  hostTensor,
  openCheckpointBytes,
  openLoadedCheckpoint,
  optimizerRecord,
  restoreCarry,
  restoreTree,
  snapshotCheckpoint,
  snapshotOf,
} from './snapshot';

/** Saves a snapshot as `<dir>/<name>.safetensors` + `<dir>/<name>.json`, atomically. */
export function saveSnapshot(dir: string, name: string, snapshot: TrainingSnapshot, optimizer: Optimizer<ModelParams>): void {
  saveCheckpoint(dir, name, snapshotCheckpoint(snapshot, optimizer));
}

/** Splits "<dir>/<name>" (an optional .safetensors/.json extension is dropped). */
export function splitCheckpointPath(path: string): { dir: string; name: string } {
  const clean = path.replace(/\.(safetensors|json)$/, '');
  const slash = clean.lastIndexOf('/');
  return slash < 0 ? { dir: '.', name: clean } : { dir: clean.slice(0, slash) || '/', name: clean.slice(slash + 1) };
}

/** Reads and validates a checkpoint's record and run config. */
export function openCheckpoint(path: string): OpenedCheckpoint {
  const { dir, name } = splitCheckpointPath(path);
  const file = checkpointPaths(dir, name).tensors;
  const result = readCheckpoint(dir, name);
  if (result._tag === 'Left') throw result.left;
  return openLoadedCheckpoint(result.right, file);
}
