/**
 * Reductions (sum, max, min, argmax, argmin), axis permutation and gather
 * against plain loops, on every backend.
 */
import { expect, it } from 'vitest';
import { bufferOf, operandOf } from '../../kernels/operand';
import { PlanBuilder } from '../../kernels/plan';
import { checkGatherIndices, gather } from '../../kernels/templates/gather';
import { type ReduceOp, reduce } from '../../kernels/templates/reduce';
import { transpose } from '../../kernels/templates/transpose';
import { describeEachBackend, expectClose, randomArray } from './helpers';

/** Reference reduction over axis 1 of [outer, n, inner]. */
function reduceReference(x: Float32Array, outer: number, n: number, inner: number, op: ReduceOp): number[] {
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = op === 'sum' ? 0 : x[o * n * inner + i];
      let arg = 0;
      for (let t = 0; t < n; t++) {
        const v = x[(o * n + t) * inner + i];
        if (op === 'sum') acc += v;
        else if ((op === 'max' || op === 'argmax') ? v > acc : v < acc) { acc = v; arg = t; }
      }
      out.push(op.startsWith('arg') ? arg : acc);
    }
  }
  return out;
}

describeEachBackend('reductions', (rt) => {
  const shapes: [number, number, number][] = [[1, 1, 1], [1, 7, 1], [2, 100, 3], [1, 1000, 1], [3, 12, 2]];
  for (const [outer, n, inner] of shapes) {
    for (const op of ['sum', 'max', 'min', 'argmax', 'argmin'] as const) {
      it(`${op} over axis 1 of [${outer}, ${n}, ${inner}]`, async () => {
        const x = randomArray(outer * n * inner, n * 7 + outer);
        const builder = new PlanBuilder('reduce');
        const r = reduce(builder, { input: operandOf(builder.input('x', x.length), [outer, n, inner], 'f32'), axis: 1, op, fanout: 4 });
        expect(r.shape).toEqual([outer, inner]);
        const got = await rt().run(builder.build(bufferOf(r)), [x]);
        expectClose(got, reduceReference(x, outer, n, inner, op), { atol: op === 'sum' ? 1e-5 * Math.sqrt(n) : 0 });
      });
    }
  }

  it('complex sum of a rank-1 tensor gives shape [1], with a mean epilogue', async () => {
    const n = 37;
    const z = randomArray(2 * n, 9);
    const builder = new PlanBuilder('mean');
    const r = reduce(builder, {
      input: operandOf(builder.input('z', 2 * n), [n], 'c64'), axis: 0, op: 'sum',
      epilogue: { dtype: 'c64', bindings: [], apply: (v, _c, part) => `(${part === 're' ? v.re : v.im}) / ${n}.0` },
    });
    expect(r.shape).toEqual([1]);
    const got = await rt().run(builder.build(bufferOf(r)), [z]);
    let sr = 0, si = 0;
    for (let i = 0; i < n; i++) { sr += z[2 * i]; si += z[2 * i + 1]; }
    expectClose(got, [sr / n, si / n], { atol: 1e-6 });
  });

  it('argmax reports the first of tied maxima', async () => {
    const x = new Float32Array([1, 5, 2, 5, 5, 0, -1, 5, 3]);
    const builder = new PlanBuilder('ties');
    const r = reduce(builder, { input: operandOf(builder.input('x', 9), [9], 'f32'), axis: 0, op: 'argmax', fanout: 2 });
    expect(Array.from(await rt().run(builder.build(bufferOf(r)), [x]))).toEqual([1]);
  });

  it('rejects max over complex data', () => {
    const builder = new PlanBuilder('bad');
    expect(() => reduce(builder, { input: operandOf(builder.input('z', 4), [2], 'c64'), axis: 0, op: 'max' })).toThrow(/max is not defined for c64/);
  });
});

describeEachBackend('transpose and gather', (rt) => {
  it('permutes [2, 3, 4] c64 by (2, 0, 1)', async () => {
    const x = randomArray(2 * 24, 51);
    const builder = new PlanBuilder('perm');
    const y = transpose(builder, { input: operandOf(builder.input('x', 48), [2, 3, 4], 'c64'), perm: [2, 0, 1] });
    expect(y.shape).toEqual([4, 2, 3]);
    const got = await rt().run(builder.build(bufferOf(y)), [x]);
    const want: number[] = [];
    for (let k = 0; k < 4; k++) for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) {
      const src = ((i * 3 + j) * 4 + k) * 2;
      want.push(x[src], x[src + 1]);
    }
    expectClose(got, want, { atol: 0 });
  });

  it('transposes a 1x1 matrix and a [7, 1] column', async () => {
    for (const shape of [[1, 1], [7, 1]]) {
      const n = shape[0] * shape[1];
      const x = randomArray(n, 52);
      const builder = new PlanBuilder('t');
      const y = transpose(builder, { input: operandOf(builder.input('x', n), shape, 'f32') });
      expectClose(await rt().run(builder.build(bufferOf(y)), [x]), x, { atol: 0 });
    }
  });

  it('gathers rows of a [5, 3] matrix with negative and repeated indices', async () => {
    const x = randomArray(15, 53);
    const idx = new Float32Array([4, 0, -1, 2, 2]);
    const builder = new PlanBuilder('take0');
    const y = gather(builder, {
      input: operandOf(builder.input('x', 15), [5, 3], 'f32'),
      indices: operandOf(builder.input('idx', 5), [5], 'f32'),
      axis: 0,
    });
    const got = await rt().run(builder.build(bufferOf(y)), [x, idx]);
    const want: number[] = [];
    for (const i of [4, 0, 4, 2, 2]) want.push(x[i * 3], x[i * 3 + 1], x[i * 3 + 2]);
    expectClose(got, want, { atol: 0 });
  });

  it('gathers complex columns with a [2, 2] index array along axis 1', async () => {
    const x = randomArray(2 * 3 * 4, 54);
    const idx = new Float32Array([3, 1, 0, 3]);
    const builder = new PlanBuilder('take1');
    const y = gather(builder, {
      input: operandOf(builder.input('x', 24), [3, 4], 'c64'),
      indices: operandOf(builder.input('idx', 4), [2, 2], 'f32'),
      axis: 1,
    });
    expect(y.shape).toEqual([3, 2, 2]);
    const got = await rt().run(builder.build(bufferOf(y)), [x, idx]);
    const want: number[] = [];
    for (let r = 0; r < 3; r++) for (const c of [3, 1, 0, 3]) want.push(x[(r * 4 + c) * 2], x[(r * 4 + c) * 2 + 1]);
    expectClose(got, want, { atol: 0 });
  });

  it('checkGatherIndices names the bad index and its position', () => {
    expect(() => checkGatherIndices([0, 2, 5], 5)).toThrow(/index 5 at position 2/);
    expect(() => checkGatherIndices([1.5], 5)).toThrow(/index 1.5 at position 0/);
    expect(() => checkGatherIndices([-5, 4], 5)).not.toThrow();
  });
});
