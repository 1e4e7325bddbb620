/**
 * Pieces the commands share: the output streams (injectable for tests), backend selection,
 * and loading a checkpoint into a ready model (eval, predict).
 */
import * as T from '../../index';
import { type BackendName, probeBackend } from '../../../kernels/backends';
import { type OpenedCheckpoint, type TrainingSnapshot, openCheckpoint, snapshotOf } from '../../train/checkpointing';
import { type RunSetup, setupRun } from '../../train/setup';

export interface CliIO {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean; readonly columns?: number };
}

export const processIO: CliIO = { stdout: process.stdout, stderr: process.stderr };

/** Sets the JIT backend ('auto' keeps the documented automatic choice); an unavailable one is an error. */
export async function selectBackend(name: BackendName | 'auto'): Promise<void> {
  T.setBackend(name);
  if (name !== 'auto') {
    const status = await probeBackend(name);
    if (!status.available) throw new Error(`--backend ${name} is not available here: ${status.reason}`);
  }
}

export interface LoadedRun {
  readonly opened: OpenedCheckpoint;
  readonly setup: RunSetup;
  readonly snapshot: TrainingSnapshot;
}

/** Opens a checkpoint, rebuilds its model and restores the trained state. */
export function loadRun(path: string): LoadedRun {
  const opened = openCheckpoint(path);
  const setup = setupRun(opened.config);
  return { opened, setup, snapshot: snapshotOf(opened, setup.initial) };
}
