/**
 * Pieces the commands share: the output streams (injectable for tests), backend selection,
 * and loading a checkpoint into a ready model (eval, predict).
 */
import * as T from '../../index';
import { resolveBackend } from '../../backend';
import { type BackendName, probeBackend } from '../../../kernels/backends';
import { type OpenedCheckpoint, type TrainingSnapshot, openCheckpoint, snapshotOf } from '../../train/checkpointing';
import type { RunConfig } from '../../train/config';
import { type RunSetup, setupRun } from '../../train/setup';

export interface CliIO {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean; readonly columns?: number };
}

export const processIO: CliIO = { stdout: process.stdout, stderr: process.stderr };

/** Writes a warning line (shown even with --quiet: it is about the result). */
export const warn = (io: CliIO, line: string): void => {
  io.stderr.write(`warning: ${line}\n`);
};

/** Sets the JIT backend ('auto' keeps the documented automatic choice); an unavailable one is an error. */
export async function selectBackend(name: BackendName | 'auto'): Promise<void> {
  T.setBackend(name);
  if (name !== 'auto') {
    const status = await probeBackend(name);
    if (!status.available) throw new Error(`--backend ${name} is not available here: ${status.reason}`);
  }
}

/** The backend compiled steps will run on (resolving 'auto'). */
export const activeBackend = (): Promise<BackendName> => resolveBackend();

/**
 * Chooses the backend for a checkpoint's run: an explicit --backend wins; otherwise the one the
 * run was trained on (so a resumed run continues bit for bit), or the automatic choice when that
 * one is unavailable here. Returns a warning to show, if any.
 */
export async function selectBackendFor(config: RunConfig, flag: BackendName | 'auto', explicit: boolean): Promise<string | undefined> {
  const recorded = config.execution === 'jit' ? config.backend : undefined;
  if (explicit || recorded === undefined) {
    await selectBackend(flag);
    if (recorded !== undefined && config.execution === 'jit') {
      const used = await activeBackend();
      if (used !== recorded) return `the run was trained on the ${recorded} backend and continues on ${used}: backends round differently, so the numbers will not be bit-identical to an uninterrupted ${recorded} run`;
    }
    return undefined;
  }
  const status = await probeBackend(recorded);
  if (status.available) {
    await selectBackend(recorded);
    return undefined;
  }
  await selectBackend('auto');
  return `the run was trained on the ${recorded} backend, which is not available here (${status.reason}); using ${await activeBackend()}, so the numbers will not be bit-identical to an uninterrupted run`;
}

export interface LoadedRun {
  readonly opened: OpenedCheckpoint;
  readonly setup: RunSetup;
  readonly snapshot: TrainingSnapshot;
}

/** Builds an opened (validated) checkpoint's model and restores the trained state. */
export function restoreRun(opened: OpenedCheckpoint): LoadedRun {
  const setup = setupRun(opened.config);
  return { opened, setup, snapshot: snapshotOf(opened, setup.initial) };
}

/** Opens a checkpoint, rebuilds its model and restores the trained state. */
export function loadRun(path: string): LoadedRun {
  return restoreRun(openCheckpoint(path));
}
