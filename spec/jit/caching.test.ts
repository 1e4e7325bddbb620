/**
 * The compile cache of jit: a signature (argument tree structure, shapes, dtypes, static
 * arguments) is traced and compiled once; any change of it compiles anew; a cached executable
 * computes with the new call's values. Compiles are observed by counting how often the
 * function body runs (under jit it runs only while tracing, once per compile); `cacheSize`,
 * which should report the number of compiled signatures, is checked on its own.
 */
import { expect, it } from 'vitest';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { describeEachBackend } from './backends';
import { arg, randomArgs } from './inputs';
import { treeMismatch } from './oracle';
import { TOL } from './tolerances';

/** A function that counts how often it is traced. */
function counted<A extends unknown[], R>(body: (...args: A) => R): { f: (...args: A) => R; traces: () => number } {
  let n = 0;
  return {
    f: (...args: A) => {
      n++;
      return body(...args);
    },
    traces: () => n,
  };
}

const scaleShift = (x: Tensor, k: number) => T.add(T.mul(x as Tensor<'f32'>, k), 1);

describeEachBackend('jit cache', (backend) => {
  it('the same signature is traced and compiled once, and each call computes with its own values', async () => {
    const { f, traces } = counted((x: Tensor) => T.exp(T.mul(x as Tensor<'f32'>, 0.5)));
    const jf = T.jit(f, { backend });
    const [a, b] = randomArgs(1, [arg([3, 4]), arg([3, 4])]);
    const ra = await jf(a);
    const rb = await jf(b);
    await jf.lower(a);
    expect(traces()).toBe(1);
    expect(treeMismatch(ra, T.exp(T.mul(a as Tensor<'f32'>, 0.5)), TOL.transcendental)).toBeUndefined();
    expect(treeMismatch(rb, T.exp(T.mul(b as Tensor<'f32'>, 0.5)), TOL.transcendental)).toBeUndefined();
  });

  it('concurrent first calls share one compilation', async () => {
    const { f, traces } = counted((x: Tensor) => T.exp(x as Tensor<'f32'>));
    const jf = T.jit(f, { backend });
    const xs = randomArgs(2, [arg([5]), arg([5]), arg([5])]);
    await Promise.all(xs.map((x) => jf(x)));
    expect(traces()).toBe(1);
  });

  it('a new shape, dtype or tree structure compiles anew; a seen one does not', async () => {
    const { f, traces } = counted((x: unknown) => T.tree.treeMap(x, (leaf) => T.mul(leaf as Tensor<'f32'>, 2)));
    const jf = T.jit(f, { backend });
    const [v3, v4, z3] = randomArgs(3, [arg([3]), arg([4]), arg([3], 'c64')]);
    // Each call with the number of compiles expected after it.
    const calls: [unknown, number][] = [
      [v3, 1],
      [v4, 2], // shape
      [z3, 3], // dtype
      [[v3], 4], // tree structure: a list of one tensor
      [{ a: v3 }, 5], // a dict
      [v3, 5], // seen before
      [{ a: v4 }, 6], // a dict of another shape
    ];
    let interpreted = 0;
    for (const [x, compiles] of calls) {
      const out = await jf(x);
      const expected = f(x);
      interpreted++;
      expect(treeMismatch(out, expected, TOL.arith)).toBeUndefined();
      expect(traces() - interpreted).toBe(compiles);
    }
  });

  it('a static argument is part of the key: a new value recompiles, the same value does not', async () => {
    const { f, traces } = counted(scaleShift);
    const jf = T.jit(f, { backend, staticArgnums: [1] });
    const [x] = randomArgs(4, [arg([6])]);
    for (const [k, compiles] of [[2, 1], [3, 2], [2, 2], [3, 2]] as const) {
      const out = await jf(x, k);
      expect(treeMismatch(out, scaleShift(x, k), TOL.arith)).toBeUndefined();
      expect(traces()).toBe(compiles);
    }
  });

  it('a failed trace is not cached: the error is raised again, then a good signature compiles', async () => {
    const { f, traces } = counted((x: Tensor) => T.matmul(x, x));
    const jf = T.jit(f, { backend });
    const [bad, good] = randomArgs(5, [arg([2, 3]), arg([3, 3])]);
    await expect(jf(bad)).rejects.toThrow(/matmul/);
    await expect(jf(bad)).rejects.toThrow(/matmul/);
    expect(traces()).toBe(2);
    await jf(good);
    await jf(good);
    expect(traces()).toBe(3);
  });

  // cacheSize was once always 0: Object.assign had copied the getter's value instead of the getter.
  it('cacheSize counts the compiled signatures', async () => {
    const jf = T.jit((x: Tensor) => T.neg(x as Tensor<'f32'>), { backend });
    const [a, b, c] = randomArgs(6, [arg([2]), arg([2]), arg([3])]);
    await jf(a);
    await jf(b);
    expect(jf.cacheSize).toBe(1);
    await jf(c);
    expect(jf.cacheSize).toBe(2);
  });
});
