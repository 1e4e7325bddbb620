/**
 * vmap composed with the other transformations, on random well-typed programs (the generator
 * of the jit specs: DAGs over real and complex values with broadcasting, matmul, reductions,
 * scans, FFTs and structural ops). Every argument is mapped at a random axis or not at all (at
 * least one is mapped), with a random batch size; the oracle is always a loop over the batch
 * of the untransformed-by-vmap function (support.ts):
 *   vmap(f), vmap(vmap(f)), grad(vmap(f)), vmap(grad(f)), jvp(vmap(f)), jit(vmap(f)), vmap(jit(f)).
 * Losses weight every output element by a fixed random weight (a plain sum would not see a
 * permutation of the batch). fast-check seeds are fixed; SSMJIT_VMAP_SEED sets another base.
 * Every program is judged: the loop can differentiate every generated program (complex
 * associative scans included), and a program the oracle could not run would fail the property.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { treeMismatch } from '../jit/oracle';
import { randomArg } from '../jit/inputs';
import { buildProgram, largestValue, type Program, programFunction, rawProgramArb, type RawProgram, showProgram } from '../jit/programs';
import { programTol } from '../jit/tolerances';
import { seededRng } from '../support/seeded';
import { batchedShapeOf, exampleOf, F64, loopMap, stackAt } from './support';

const BASE_SEED = Number(process.env.SSMJIT_VMAP_SEED ?? 20261201);
const SIZE = { minSteps: 3, maxSteps: 15 };

type Fn = (...xs: Tensor[]) => Tensor[];

interface Mapped {
  readonly prog: Program;
  readonly f: Fn;
  readonly size: number;
  /** Per input: the normalised batch axis or null, and the axis as given to vmap (sometimes negative). */
  readonly positions: readonly (number | null)[];
  readonly given: readonly (number | null)[];
  readonly args: readonly Tensor[];
  readonly seed: number;
}

/** A program with a random mapping of its inputs and batched arguments for it. */
function mapped(raw: RawProgram, salt: number): Mapped {
  const prog = buildProgram(raw);
  const r = seededRng(raw.seed * 7 + salt);
  const size = r.pick([1, 2, 3]);
  const positions: (number | null)[] = prog.inputs.map((t) => {
    const k = r.int(0, t.shape.length + 1);
    return k > t.shape.length ? null : k;
  });
  if (!positions.some((p) => p !== null)) positions[0] = 0;
  const given = positions.map((p, i) => (p !== null && r.next() < 0.3 ? p - prog.inputs[i].shape.length - 1 : p));
  const args = prog.inputs.map((t, i) => randomArg(r, { shape: batchedShapeOf(t.shape, positions[i], size), dtype: t.dtype }));
  return { prog, f: programFunction(prog), size, positions, given, args, seed: raw.seed };
}

const report = (m: Mapped, problem: string): string =>
  `${problem}\n${showProgram(m.prog)}\nbatch ${m.size}, inAxes ${JSON.stringify(m.given)}\nprogram: ${JSON.stringify(m.prog)}\nargument seed: ${m.seed}`;

/** Random weights, one per output element of f at these example arguments (batched at 0 when `batch` is given). */
function weightsFor(m: Mapped, batch: number | null): Tensor[] {
  const r = seededRng(m.seed + 11);
  const outs = m.f(...m.args.map((a, i) => exampleOf(a, m.positions[i], 0)));
  return outs.map((o) => randomArg(r, { shape: batchedShapeOf(o.shape, batch === null ? null : 0, batch ?? 0), dtype: o.dtype }));
}

/** Σ_o Σ Re(o · w_o): a real loss that sees every element of every output. */
function weightedLoss(outs: readonly Tensor[], ws: readonly Tensor[]): Tensor<'f32'> {
  let total: Tensor<'f32'> | undefined;
  outs.forEach((o, i) => {
    const p: Tensor = T.mul(o as Tensor<'c64'>, ws[i] as Tensor<'c64'>);
    const s = T.sum(p.dtype === 'c64' ? T.real(p as Tensor<'c64'>) : (p as Tensor<'f32'>));
    total = total ? T.add(total, s) : s;
  });
  return total as Tensor<'f32'>;
}

/** Runs `check` on numRuns programs; returns how many were skipped because the loop could not run them. */
function property(numRuns: number, salt: number, check: (m: Mapped) => string | undefined): number {
  let skipped = 0;
  fc.assert(
    fc.property(rawProgramArb(SIZE), (raw) => {
      const m = mapped(raw, salt);
      const problem = check(m);
      if (problem === 'skip') {
        skipped++;
        fc.pre(false);
      }
      if (problem) throw new Error(report(m, problem));
    }),
    { seed: BASE_SEED + salt, numRuns, maxSkipsPerRun: 1000 },
  );
  if (skipped) console.log(`vmap compositions (seed ${BASE_SEED + salt}): ${skipped} programs skipped (the loop cannot differentiate an associative scan over complex operands)`);
  return skipped;
}

/** Runs the oracle; 'skip' when it cannot run (so the transformed side is not judged). */
function oracle(f: () => unknown): unknown {
  try {
    return f();
  } catch (e) {
    if (/associativeScan needs f32/.test((e as Error).message)) return SKIP;
    throw e;
  }
}
const SKIP = Symbol('skip');

describe('vmap on random programs (eager, float64 on both sides)', () => {
  it(`vmap(f) = a loop over the batch: 300 programs (seed ${BASE_SEED})`, () => {
    property(300, 0, (m) => treeMismatch(T.vmap(m.f, { inAxes: [...m.given] })(...m.args), loopMap(m.f, m.args, m.positions, m.size), F64));
  });

  it(`vmap(vmap(f)) = a double loop: 200 programs (seed ${BASE_SEED + 1})`, () => {
    property(200, 1, (m) => {
      // The inner mapping is m's; the outer one maps every argument at a random axis of the inner-batched array, or not.
      const r = seededRng(m.seed + 3);
      const outerSize = r.pick([2, 3]);
      const outer: (number | null)[] = m.args.map((a) => {
        const k = r.int(0, a.ndim + 1);
        return k > a.ndim ? null : k;
      });
      if (!outer.some((o) => o !== null)) outer[0] = 0;
      const args = m.args.map((a, i) => (outer[i] === null ? a : randomArg(r, { shape: batchedShapeOf(a.shape, outer[i], outerSize), dtype: a.dtype })));
      // The outer map removes its axis first, so the inner map sees m's arguments and m's axes.
      const actual = T.vmap(T.vmap(m.f, { inAxes: [...m.given] }), { inAxes: outer })(...args);
      const expected = loopMap((...xs) => loopMap(m.f, xs, m.positions, m.size), args, outer, outerSize);
      return treeMismatch(actual, expected, F64);
    });
  });

  it(`grad(vmap(f)) = the per-example gradients, summed over the batch for unmapped arguments: 200 programs (seed ${BASE_SEED + 2})`, () => {
    const skipped = property(200, 2, (m) => {
      const ws = weightsFor(m, m.size);
      const argnums = m.args.map((_, i) => i);
      const expected = oracle(() => {
        const per = Array.from({ length: m.size }, (_, b) => {
          const xs = m.args.map((a, i) => exampleOf(a, m.positions[i], b));
          const wb = ws.map((w) => exampleOf(w, 0, b));
          return T.grad((...ys: Tensor[]) => weightedLoss(m.f(...ys), wb), { argnums })(...xs) as Tensor[];
        });
        return m.args.map((_, i) => {
          const gs = per.map((g) => g[i]);
          const p = m.positions[i];
          return p === null ? gs.reduce((s, g) => T.add(s as Tensor<'f32'>, g as Tensor<'f32'>)) : stackAt(gs, p);
        });
      });
      if (expected === SKIP) return 'skip';
      const vf = T.vmap(m.f, { inAxes: [...m.given] });
      const actual = T.grad((...xs: Tensor[]) => weightedLoss(vf(...xs) as Tensor[], ws), { argnums })(...m.args);
      return treeMismatch(actual, expected, F64);
    });
    expect(skipped).toBe(0);
  });

  it(`vmap(grad(f)) = a loop of gradients: 200 programs (seed ${BASE_SEED + 3})`, () => {
    const skipped = property(200, 3, (m) => {
      const ws = weightsFor(m, null);
      const argnums = m.args.map((_, i) => i);
      const g = (...xs: Tensor[]) => T.grad((...ys: Tensor[]) => weightedLoss(m.f(...ys), ws), { argnums })(...xs) as Tensor[];
      const expected = oracle(() => loopMap(g, m.args, m.positions, m.size));
      if (expected === SKIP) return 'skip';
      return treeMismatch(T.vmap(g, { inAxes: [...m.given] })(...m.args), expected, F64);
    });
    expect(skipped).toBe(0);
  });

  it(`jvp(vmap(f)) = a loop of jvps: 200 programs (seed ${BASE_SEED + 4})`, () => {
    const skipped = property(200, 4, (m) => {
      const r = seededRng(m.seed + 5);
      const tangents = m.args.map((a) => randomArg(r, { shape: a.shape, dtype: a.dtype }));
      const n = m.args.length;
      const expected = oracle(() =>
        loopMap((...xs) => T.jvp(m.f, xs.slice(0, n), xs.slice(n)), [...m.args, ...tangents], [...m.positions, ...m.positions], m.size),
      );
      if (expected === SKIP) return 'skip';
      const actual = T.jvp(T.vmap(m.f, { inAxes: [...m.given] }), m.args as Tensor[], tangents);
      return treeMismatch(actual, expected, F64);
    });
    expect(skipped).toBe(0);
  });
});

describe('vmap under jit, and of jitted functions (wasm, float32 against the float64 loop)', () => {
  const check = async (m: Mapped, run: (m: Mapped) => Promise<unknown>): Promise<string | undefined> => {
    const expected = loopMap(m.f, m.args, m.positions, m.size);
    const largest = Math.max(...Array.from({ length: m.size }, (_, b) => largestValue(m.prog, m.args.map((a, i) => exampleOf(a, m.positions[i], b)))));
    return treeMismatch(await run(m), expected, programTol(largest));
  };
  const asyncProperty = async (numRuns: number, salt: number, run: (m: Mapped) => Promise<unknown>): Promise<void> => {
    await fc.assert(
      fc.asyncProperty(rawProgramArb(SIZE), async (raw) => {
        const m = mapped(raw, salt);
        const problem = await check(m, run);
        if (problem) throw new Error(report(m, problem));
      }),
      { seed: BASE_SEED + salt, numRuns },
    );
  };

  it(`jit(vmap(f)) = a loop over the batch: 100 programs (seed ${BASE_SEED + 5})`, async () => {
    await asyncProperty(100, 5, (m) => T.jit(T.vmap(m.f, { inAxes: [...m.given] }), { backend: 'wasm' })(...m.args));
  });

  it(`vmap(jit(f)) = a loop over the batch: 100 programs (seed ${BASE_SEED + 6})`, async () => {
    await asyncProperty(100, 6, (m) => T.vmap(T.jit(m.f, { backend: 'wasm' }), { inAxes: [...m.given] })(...m.args) as Promise<unknown>);
  });
});
