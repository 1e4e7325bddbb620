/**
 * Open defects of the jit that the specs expose, each with the backends it affects. A test
 * that exposes one is declared with `itUnless(defect, backend)`: an expected failure
 * (`it.fails`) where the defect shows, an ordinary test elsewhere. When a defect is fixed the
 * expected failures turn red; delete the entry and its uses then. regressions.test.ts holds
 * each defect's smallest reproduction and its full description.
 */
import { it } from 'vitest';
import { ALL_BACKENDS, type BackendName } from '../../kernels/backends';
import type { Program } from './programs';

export interface Defect {
  readonly summary: string;
  readonly backends: readonly BackendName[];
}

/** None is open at present. */
export const DEFECTS: Record<string, Defect> = {};

export type DefectName = string;

/** True when `defect` shows on `backend`. */
export function shows(defect: DefectName, backend: BackendName): boolean {
  const d = DEFECTS[defect];
  if (!d) throw new Error(`knownDefects: no open defect named '${defect}'`);
  return d.backends.includes(backend);
}

/** `it.fails` where any of `defects` shows on `backend`, else `it`. */
export const itUnless = (defects: DefectName | readonly DefectName[], backend: BackendName): typeof it | typeof it.fails =>
  (typeof defects === 'string' ? [defects] : defects).some((d) => shows(d, backend)) ? it.fails : it;

/**
 * The open defect a failing random program (programs.ts) runs into, recognised by its error
 * message (a defect giving wrong values would be recognised by the program's structure);
 * undefined for any other failure.
 */
export function programDefect(_prog: Program, _backend: BackendName, _problem: string): DefectName | undefined {
  return undefined;
}
