/**
 * The jit's tree reductions (compiler/jit/gpuReduce.ts: sum, max, argmax) against plain loops
 * on every gpu.js backend: lengths 1, at and past a tree level's fanout, inner and outer axes,
 * complex sums, the first index of tied maxima, and the checks of bad input. (Transposes and
 * gathers are fused maps, checked against the interpreter by spec/jit/primitives.test.ts.)
 */
import { expect, it } from 'vitest';
import { IrPlan } from '../../compiler/jit/gpuPlan';
import { type TreeReduceOp, treeReduce } from '../../compiler/jit/gpuReduce';
import { describeEachBackend, expectClose, inputTensor, randomArray } from './helpers';

/** Reference reduction over axis 1 of [outer, n, inner]. */
function reduceReference(x: Float32Array, outer: number, n: number, inner: number, op: TreeReduceOp): number[] {
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = op === 'sum' ? 0 : x[o * n * inner + i];
      let arg = 0;
      for (let t = 0; t < n; t++) {
        const v = x[(o * n + t) * inner + i];
        if (op === 'sum') acc += v;
        else if (v > acc) { acc = v; arg = t; }
      }
      out.push(op === 'argmax' ? arg : acc);
    }
  }
  return out;
}

/** The reduction's plan over axis `axis` of an input `x` of `shape`. */
function reducePlan(shape: readonly number[], axis: number, op: TreeReduceOp, opts: { complex?: boolean; fanout?: number } = {}) {
  const plan = new IrPlan('reduce');
  const read = inputTensor(plan, 'x', shape, opts.complex);
  const out = treeReduce({ name: op, shape, axis, op, complex: opts.complex ?? false, read, fanout: opts.fanout }, (kernel) => plan.launch(kernel));
  return plan.build(out);
}

describeEachBackend('reductions', (rt) => {
  // Fanout 4: n = 4 fits one fold, 5 and 16 need one up-sweep level, 17 and 100 two, 1000 four.
  const shapes: [number, number, number][] = [[1, 1, 1], [1, 4, 1], [1, 5, 1], [1, 7, 1], [2, 16, 1], [1, 17, 3], [2, 100, 3], [1, 1000, 1], [3, 12, 2]];
  for (const [outer, n, inner] of shapes) {
    for (const op of ['sum', 'max', 'argmax'] as const) {
      it(`${op} over axis 1 of [${outer}, ${n}, ${inner}]`, async () => {
        const x = randomArray(outer * n * inner, n * 7 + outer);
        const plan = reducePlan([outer, n, inner], 1, op, { fanout: 4 });
        const got = await rt().run(plan, [x]);
        expectClose(got, reduceReference(x, outer, n, inner, op), { atol: op === 'sum' ? 1e-5 * Math.sqrt(n) : 0 });
      });
    }
  }

  it('sums 5000 values along the leading axis with the default fanout (16)', async () => {
    const x = randomArray(5000 * 2, 8);
    const got = await rt().run(reducePlan([5000, 2], 0, 'sum'), [x]);
    expectClose(got, reduceReference(x, 1, 5000, 2, 'sum'), { atol: 1e-5 * Math.sqrt(5000) });
  });

  for (const n of [1, 37]) {
    it(`complex sum of a rank-1 tensor of ${n}`, async () => {
      const z = randomArray(2 * n, 9 + n);
      const got = await rt().run(reducePlan([n], 0, 'sum', { complex: true, fanout: 4 }), [z]);
      let sr = 0, si = 0;
      for (let i = 0; i < n; i++) { sr += z[2 * i]; si += z[2 * i + 1]; }
      expectClose(got, [sr, si], { atol: 1e-5 });
    });
  }

  it('complex sum over the middle axis of [2, 9, 3]', async () => {
    const z = randomArray(2 * 54, 10);
    const got = await rt().run(reducePlan([2, 9, 3], 1, 'sum', { complex: true, fanout: 2 }), [z]);
    const want: number[] = [];
    for (let o = 0; o < 2; o++) {
      for (let i = 0; i < 3; i++) {
        let sr = 0, si = 0;
        for (let t = 0; t < 9; t++) { const at = ((o * 9 + t) * 3 + i) * 2; sr += z[at]; si += z[at + 1]; }
        want.push(sr, si);
      }
    }
    expectClose(got, want, { atol: 1e-5 });
  });

  it('argmax reports the first of tied maxima, across tree nodes', async () => {
    const x = new Float32Array([1, 5, 2, 5, 5, 0, -1, 5, 3]);
    expect(Array.from(await rt().run(reducePlan([9], 0, 'argmax', { fanout: 2 }), [x]))).toEqual([1]);
    const y = new Float32Array([0, 0, 1, 3, 3, 3, 2, 3]);
    expect(Array.from(await rt().run(reducePlan([8], 0, 'argmax', { fanout: 2 }), [y]))).toEqual([3]);
  });

  it('names the offending axis, fanout and complex extremum', () => {
    expect(() => reducePlan([2], 0, 'max', { complex: true })).toThrow(/reduction 'max': max is not defined for c64/);
    expect(() => reducePlan([2, 3], 2, 'sum')).toThrow(/axis 2 out of range for shape \[2, 3\]/);
    expect(() => reducePlan([4], 0, 'sum', { fanout: 1 })).toThrow(/fanout must be an integer >= 2, got 1/);
  });
});
