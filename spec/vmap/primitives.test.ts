/**
 * vmap of every primitive against a loop over the batch (support.ts: examples cut out and
 * stacked by index arithmetic, the function run once per example on the interpreter). The
 * programs are the per-primitive cases of the jit and autodiff specs (tables typed over the
 * primitives, so a new primitive comes with cases), each run with its arguments mapped
 * - all at axis 0,
 * - all at their last axis (given as -1),
 * - at different axes (even arguments last, odd ones first), so operands must be aligned,
 * - one argument at a time, at axis 1 (or 0 for scalars), the others unmapped,
 * so every rule meets batch axes in front, at the back, in the middle, and unbatched operands.
 */
import { describe, expect, it } from 'vitest';
import { batchRules } from '../../compiler/batching/rules';
import type { Prim } from '../../compiler/primitives';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { PRIMITIVE_CASES } from '../autodiff/primitiveCases';
import { treeMismatch } from '../jit/oracle';
import { type ArgSpec, randomArg } from '../jit/inputs';
import { JIT_PRIMITIVE_CASES } from '../jit/primitiveCases';
import { seededRng } from '../support/seeded';
import { batchedShapeOf, expectClose, F64, loopMap } from './support';

const SIZE = 3;
const F = (x: Tensor): Tensor<'f32'> => x as Tensor<'f32'>;
const C = (x: Tensor): Tensor<'c64'> => x as Tensor<'c64'>;

interface Config {
  readonly name: string;
  /** Per argument: the axis as passed to vmap (may be negative) and its normalised position. */
  readonly axes: readonly (number | null)[];
  readonly positions: readonly (number | null)[];
}

function configs(args: readonly ArgSpec[]): Config[] {
  const out: Config[] = [
    { name: 'all at axis 0', axes: args.map(() => 0), positions: args.map(() => 0) },
    { name: 'all at axis -1', axes: args.map(() => -1), positions: args.map((a) => a.shape.length) },
  ];
  if (args.length > 1) {
    // Operands batched at different positions: the rule must align them.
    const positions = args.map((a, i) => (i % 2 === 0 ? a.shape.length : 0));
    out.push({ name: 'even arguments at their last axis, odd ones at axis 0', axes: positions, positions });
  }
  args.forEach((a, k) => {
    const axis = Math.min(1, a.shape.length);
    const axes = args.map((_, i) => (i === k ? axis : null));
    out.push({ name: args.length > 1 ? `only argument ${k} mapped, at axis ${axis}` : `at axis ${axis}`, axes, positions: axes });
  });
  const seen = new Set<string>();
  return out.filter((c) => {
    const key = JSON.stringify(c.positions);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

type Program = (...xs: Tensor[]) => unknown;

/** Batched arguments for a config (each argument's example shape with the batch inserted where it is mapped). */
function batchedArgs(args: readonly ArgSpec[], config: Config, seed: number): Tensor[] {
  const r = seededRng(seed);
  return args.map((a, i) => randomArg(r, { ...a, domain: a.domain ?? 'normal', shape: batchedShapeOf(a.shape, config.positions[i], SIZE) }));
}

/** undefined when vmap agrees with the loop, else the mismatch. */
function compare(f: Program, args: readonly ArgSpec[], config: Config, seed: number): string | undefined {
  const xs = batchedArgs(args, config, seed);
  const expected = loopMap(f, xs, config.positions, SIZE);
  const actual = T.vmap(f, { inAxes: [...config.axes] })(...xs);
  return treeMismatch(actual, expected, F64);
}

const prims = Object.keys(JIT_PRIMITIVE_CASES) as Prim[];

describe('vmap of every primitive = a loop over the batch', () => {
  for (const prim of prims) {
    const cases = [
      ...JIT_PRIMITIVE_CASES[prim].map((c) => ({ label: c.label, args: c.args, f: c.f as Program })),
      ...PRIMITIVE_CASES[prim].map((c) => ({ label: `${c.label} (autodiff case)`, args: c.args as readonly ArgSpec[], f: c.f as Program })),
    ];
    describe(prim, () => {
      cases.forEach((c, ci) => {
        for (const config of configs(c.args)) {
          it(`${c.label}: ${config.name}`, () => {
            const m = compare(c.f, c.args, config, 1000 * ci + config.positions.length);
            expect(m).toBeUndefined();
          });
        }
      });
    });
  }
});

describe('the per-primitive comparison catches a wrong batching rule', () => {
  it('a reverse rule that forgets to shift its axes past the batch axis fails the loop comparison', () => {
    const table = batchRules as unknown as Record<string, unknown>;
    const original = table.reverse;
    table.reverse = (([x]: Tensor[], [d]: (number | null)[], { axes }: { axes: readonly number[] }) => ({ outs: [T.reverse(x, [...axes])], dims: [d] })) as never;
    try {
      const failures = JIT_PRIMITIVE_CASES.reverse.flatMap((c) =>
        configs(c.args).map((config) => compare(c.f as Program, c.args, config, 7)).filter((m) => m !== undefined),
      );
      expect(failures.length).toBeGreaterThan(0);
    } finally {
      table.reverse = original;
    }
  });
});

describe('inAxes and outAxes', () => {
  const r = seededRng(5);
  const x = randomArg(r, { shape: [3, 4], dtype: 'f32' });
  const y = randomArg(r, { shape: [4, 3], dtype: 'c64' });
  const f = (a: Tensor, b: Tensor): Tensor => T.mul(T.cast('c64')(T.sin(F(a))), C(b));

  it('maps one argument at axis 0 and the other at axis -1 (negative axes count from the end)', () => {
    expectClose(T.vmap(f, { inAxes: [0, -1] })(x, y), loopMap(f, [x, y], [0, 1], 3));
  });

  it('puts the mapped axis where outAxes says, including from the end', () => {
    const expected = loopMap(f, [x, y], [0, 1], 3, 1);
    expectClose(T.vmap(f, { inAxes: [0, 1], outAxes: 1 })(x, y), expected);
    expectClose(T.vmap(f, { inAxes: [0, 1], outAxes: -1 })(x, y), expected);
  });

  it('follows pytrees: prefix specs for records and lists, unmapped leaves, several outputs', () => {
    const g = (p: { w: Tensor; b: Tensor }, xs: [Tensor, Tensor]) => ({ sum: T.add(T.mul(F(p.w), F(xs[0])), F(p.b)), prod: T.mul(F(xs[0]), F(xs[1])) });
    const w = randomArg(r, { shape: [4], dtype: 'f32' });
    const b = randomArg(r, { shape: [3, 4], dtype: 'f32' });
    const x1 = randomArg(r, { shape: [4, 3], dtype: 'f32' });
    const x2 = randomArg(r, { shape: [3, 4], dtype: 'f32' });
    const out = T.vmap(g, { inAxes: [{ w: null, b: 0 }, [1, 0]], outAxes: { sum: 0, prod: 1 } })({ w, b }, [x1, x2]) as { sum: Tensor; prod: Tensor };
    const flat = (wv: Tensor, bv: Tensor, a: Tensor, c: Tensor) => g({ w: wv, b: bv }, [a, c]);
    const sums = loopMap((...xs) => flat(...(xs as [Tensor, Tensor, Tensor, Tensor])).sum, [w, b, x1, x2], [null, 0, 1, 0], 3, 0);
    const prods = loopMap((...xs) => flat(...(xs as [Tensor, Tensor, Tensor, Tensor])).prod, [w, b, x1, x2], [null, 0, 1, 0], 3, 1);
    expectClose(out.sum, sums);
    expectClose(out.prod, prods);
  });

  it('broadcasts a result that does not depend on the mapped axis; outAxes null returns it once', () => {
    const h = (a: Tensor) => [T.sum(F(a)), T.exp(C(y))];
    const [s, e] = T.vmap(h, { outAxes: [0, null] })(x) as Tensor[];
    expectClose(s, loopMap((a) => T.sum(a as Tensor<'f32'>), [x], [0], 3));
    expectClose(e, T.exp(y as Tensor<'c64'>));
    const [, eb] = T.vmap(h)(x) as Tensor[];
    expectClose(eb, loopMap(() => T.exp(y as Tensor<'c64'>), [x], [0], 3));
  });

  it('returns a mapped argument with its axis moved to outAxes', () => {
    expectClose(T.vmap((a: Tensor) => a, { inAxes: 1 })(x), loopMap((a) => a, [x], [1], 4));
  });

  it('nests: an inner vmap closing over the outer example (an outer product of rows)', () => {
    const u = randomArg(r, { shape: [3, 2], dtype: 'f32' });
    const v = randomArg(r, { shape: [5, 2], dtype: 'f32' });
    const outer = T.vmap((a: Tensor) => T.vmap((b: Tensor) => T.sum(T.mul(F(a), F(b))))(v))(u);
    const expected = loopMap((a) => loopMap((b) => T.sum(T.mul(F(a as Tensor), F(b as Tensor))), [v], [0], 5), [u], [0], 3);
    expectClose(outer, expected);
  });

  it('maps over an empty batch, including batched random keys', () => {
    const out = T.vmap((k: Tensor) => T.random.uniform(k as T.random.Key, [2]))(T.zeros([0, 2], 'i32')) as Tensor;
    expect(out.shape).toEqual([0, 2]);
  });

  it('maps over nothing but axisSize', () => {
    const out = T.vmap(() => T.iota([2], 0, 'f32'), { inAxes: [], axisSize: 4 })() as Tensor;
    expect(out.shape).toEqual([4, 2]);
    expect(out.toArray()).toEqual([[0, 1], [0, 1], [0, 1], [0, 1]]);
  });
});

describe('vmap errors name the argument and the sizes', () => {
  const a = T.zeros([3, 4]);
  const b = T.zeros([4, 5]);
  it('mismatched batch sizes', () => {
    expect(() => T.vmap((p: { u: Tensor; v: Tensor }) => T.add(F(p.u), T.sum(F(p.v))))({ u: a, v: b })).toThrow(
      'vmap: the mapped axes must all have the same size, but args[0].u has size 3 at axis 0 (shape [3,4]); args[0].v has size 4 at axis 0 (shape [4,5])',
    );
  });
  it('an axis out of range', () => {
    expect(() => T.vmap((x: Tensor) => x, { inAxes: [2] })(a)).toThrow('vmap: inAxes 2 for args[0] is out of range for a tensor of shape [3,4]');
    expect(() => T.vmap((x: Tensor) => x, { outAxes: -4 })(a)).toThrow('vmap: outAxes -4 for output is out of range for a result of shape [4] (per example)');
  });
  it('inAxes that do not match the arguments', () => {
    expect(() => T.vmap((x: Tensor, y: Tensor) => T.add(F(x), F(y)), { inAxes: [0] })(a, a)).toThrow('inAxes has 1 entries, one per positional argument, but the function was called with 2');
    expect(() => T.vmap((p: { u: Tensor }) => p.u, { inAxes: [{ w: 0 }] })({ u: a })).toThrow('vmap: inAxes at args[0] is a record, but the value there is a record with keys u (the spec has w)');
  });
  it('nothing mapped, no axisSize', () => {
    expect(() => T.vmap((x: Tensor) => x, { inAxes: null })(a)).toThrow('vmap: no argument is mapped');
  });
  it('outAxes null for a mapped result', () => {
    expect(() => T.vmap((x: Tensor) => T.neg(x as Tensor<'f32'>), { outAxes: null })(a)).toThrow('vmap: outAxes is null for output, but that result varies along the mapped axis');
  });
});
