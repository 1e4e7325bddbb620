/**
 * The conformance page's script (bundled for the browser by spec/browser/server.ts): the jit
 * compared with the reference interpreter inside a real browser, on one backend at a time, with
 * the case tables of the Node specs — the primitive table (spec/jit/primitiveCases.ts), the VJP
 * table (spec/autodiff/primitiveCases.ts) and random programs (spec/jit/programs.ts). It
 * exposes `globalThis.ssmjitConformance`; the browser spec calls it through the page and
 * asserts on what it returns (failures, and the worst normalised error per primitive).
 */
import fc from 'fast-check';
import type { Prim } from '../../../compiler/primitives';
import { type BackendName, type BackendStatus, probeBackend } from '../../../kernels/backends';
import * as T from '../../../src/index';
import type { Tensor } from '../../../src/index';
import { PRIMITIVE_CASES } from '../../autodiff/primitiveCases';
import { seededRng } from '../../support/seeded';
import { randomArg, randomArgs } from '../../jit/inputs';
import { programDefect } from '../../jit/knownDefects';
import { lossAlong, treeMismatch } from '../../jit/oracle';
import { JIT_PRIMITIVE_CASES } from '../../jit/primitiveCases';
import { buildProgram, largestValue, programArgs, programFunction, rawProgramArb, showProgram } from '../../jit/programs';
import { gradTol, type JitTolerance, programTol, TOL } from '../../jit/tolerances';
import { SHADER_TRIG, shaderTolerance } from './shaderTolerance';

export interface SuiteResult {
  readonly ran: number;
  readonly failures: readonly string[];
  /** Worst normalised error max|jit − interp| / max(1, max|interp|) per primitive (or 'programs'). */
  readonly worst: Record<string, number>;
  readonly ms: number;
}

const leaves = (tree: unknown): Tensor[] => T.tree.flatten(tree)[0] as Tensor[];

/** max_i |a_i − e_i| / max(1, max_j |e_j|) over every leaf, ignoring non-finite expectations. */
function normalisedError(actual: unknown, expected: unknown): number {
  const as = leaves(actual);
  const es = leaves(expected);
  let worst = 0;
  es.forEach((e, k) => {
    const ev = e.data64();
    const av = as[k]?.data64();
    if (!av || av.length !== ev.length) return;
    const scale = Math.max(1, ...Array.from(ev, (v) => (Number.isFinite(v) ? Math.abs(v) : 0)));
    for (let i = 0; i < ev.length; i++) if (Number.isFinite(ev[i])) worst = Math.max(worst, Math.abs(av[i] - ev[i]) / scale);
  });
  return worst;
}

/** Compiles `f` on `backend`, compares with the interpreter; the failure text or undefined. */
async function compare(f: (...xs: Tensor[]) => unknown, xs: Tensor[], backend: BackendName, tol: JitTolerance, worst: Record<string, number>, key: string): Promise<string | undefined> {
  const expected = f(...xs);
  let actual: unknown;
  try {
    actual = await T.jit(f, { backend })(...xs);
  } catch (e) {
    return `compilation or execution failed: ${(e as Error).message}`;
  }
  worst[key] = Math.max(worst[key] ?? 0, normalisedError(actual, expected));
  return treeMismatch(actual, expected, tol);
}

const PRIMS = Object.keys(JIT_PRIMITIVE_CASES) as Prim[];

/** The first `perPrim` cases of every primitive of the jit primitive table. */
async function primitives(backend: BackendName, perPrim = 1): Promise<SuiteResult> {
  const started = performance.now();
  const failures: string[] = [];
  const worst: Record<string, number> = {};
  let ran = 0;
  for (const [pi, prim] of PRIMS.entries()) {
    for (const [ci, c] of JIT_PRIMITIVE_CASES[prim].slice(0, perPrim).entries()) {
      if (c.defect) continue;
      const xs = randomArgs(7919 * pi + ci, c.args);
      const tol = SHADER_TRIG.has(prim) ? shaderTolerance(backend, c.tol) : c.tol;
      const m = await compare(c.f as (...xs: Tensor[]) => unknown, xs, backend, tol, worst, prim);
      ran++;
      if (m) failures.push(`${c.label}: ${m}`);
    }
  }
  return { ran, failures, worst, ms: performance.now() - started };
}


/** jit(grad) of the first case of every primitive of the VJP table against the interpreter's grad. */
async function vjps(backend: BackendName): Promise<SuiteResult> {
  const started = performance.now();
  const failures: string[] = [];
  const worst: Record<string, number> = {};
  let ran = 0;
  const prims = Object.keys(PRIMITIVE_CASES) as Prim[];
  for (const [pi, prim] of prims.entries()) {
    const c = PRIMITIVE_CASES[prim][0];
    if (!c) continue;
    const r = seededRng(104729 * pi);
    const xs = c.args.map((a) => randomArg(r, { shape: a.shape, dtype: a.dtype, domain: a.domain }));
    const out = c.f(...xs);
    const ct = randomArg(r, { shape: out.shape, dtype: out.dtype });
    const g = T.grad(lossAlong(c.f, ct), { argnums: xs.map((_, i) => i) });
    const terms = Math.max(...xs.map((x) => x.size), out.size);
    const base = c.zero ? TOL.exact : gradTol(terms);
    const tol = SHADER_TRIG.has(prim) ? shaderTolerance(backend, base) : base;
    const m = await compare(g as (...xs: Tensor[]) => unknown, xs, backend, tol, worst, prim);
    ran++;
    if (m) failures.push(`grad ${c.label}: ${m}`);
  }
  return { ran, failures, worst, ms: performance.now() - started };
}

/** `runs` random programs of 5 to 30 operations (fast-check, seed `seed`). */
async function programs(backend: BackendName, runs: number, seed: number): Promise<SuiteResult> {
  const started = performance.now();
  const failures: string[] = [];
  const worst: Record<string, number> = {};
  let ran = 0;
  for (const raw of fc.sample(rawProgramArb({ minSteps: 5, maxSteps: 30 }), { seed, numRuns: runs })) {
    const prog = buildProgram(raw);
    const xs = programArgs(prog, raw.seed);
    const m = await compare(programFunction(prog), xs, backend, programTol(largestValue(prog, xs)), worst, 'programs');
    ran++;
    if (m && !programDefect(prog, backend, m)) failures.push(`${m}\n${showProgram(prog)}\nargument seed: ${raw.seed}`);
  }
  return { ran, failures, worst, ms: performance.now() - started };
}

const api = {
  probe: (backend: BackendName): Promise<BackendStatus> => probeBackend(backend),
  primitives,
  vjps,
  programs,
};

(globalThis as { ssmjitConformance?: typeof api }).ssmjitConformance = api;
export type ConformanceApi = typeof api;
