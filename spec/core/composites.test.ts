/**
 * Frontend ops composed from primitives (src/ops: reductions built on reduce_max/reduce_sum,
 * softmax family, special functions, shape helpers, creation functions), each against a
 * plain-TS formula. Known defects run as expected failures with the cause in a comment.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import { expectClose, expectCloseNumbers } from '../support/compare';
import { erfByQuadrature } from '../support/naive/scalar';
import { type RefArray } from '../support/refArray';
import { randomArray, seededRng } from '../support/seeded';

const f32 = (shape: number[], data: number[]): RefArray => ({ dtype: 'f32', shape, data });
const rows = (x: RefArray): number[][] => {
  const n = x.shape[x.shape.length - 1];
  return Array.from({ length: x.data.length / n }, (_, r) => x.data.slice(r * n, (r + 1) * n));
};

describe('reductions composed from primitives', () => {
  const x = randomArray(seededRng(11), 'f32', [3, 5]);
  const t = T.tensor(x.data, 'f32', [3, 5]);

  it('mean, variance (biased), min along the last axis, with and without keepdims', () => {
    const m = rows(x).map((r) => r.reduce((s, v) => s + v, 0) / r.length);
    const v = rows(x).map((r, k) => r.reduce((s, y) => s + (y - m[k]) ** 2, 0) / r.length);
    expectClose(T.mean(t, { axis: -1 }), f32([3], m), { rtol: 1e-12, atol: 1e-14 });
    expectClose(T.variance(t, { axis: -1 }), f32([3], v), { rtol: 1e-12, atol: 1e-14 });
    expectClose(T.min(t, { axis: 1, keepdims: true }), f32([3, 1], rows(x).map((r) => Math.min(...r))));
    expect(T.mean(t).shape).toEqual([]);
  });

  it('logsumexp is stable for large inputs and matches log(sum(exp)) otherwise', () => {
    expectClose(T.logsumexp(T.tensor([1000, 1000])), f32([], [1000 + Math.log(2)]));
    const want = rows(x).map((r) => Math.log(r.reduce((s, v) => s + Math.exp(v), 0)));
    expectClose(T.logsumexp(t, { axis: -1 }), f32([3], want), { rtol: 1e-12, atol: 1e-14 });
  });

  // A non-finite maximum is replaced by a shift of 0, as scipy and JAX do.
  it('logsumexp of all -inf is -inf', () => {
    expectClose(T.logsumexp(T.tensor([-Infinity, -Infinity])), f32([], [-Infinity]));
  });

  // -INT32_MIN wraps, so i32 min is computed as -1 - max(-1 - x).
  it('min of i32 containing INT32_MIN is INT32_MIN', () => {
    expect(T.min(T.tensor([-2147483648, 5], 'i32')).item()).toBe(-2147483648);
  });

  it('softmax and logSoftmax along an axis', () => {
    const want = rows(x).flatMap((r) => {
      const z = r.reduce((s, v) => s + Math.exp(v), 0);
      return r.map((v) => Math.exp(v) / z);
    });
    expectClose(T.softmax(-1)(t), f32([3, 5], want), { rtol: 1e-12, atol: 1e-15 });
    expectClose(T.logSoftmax(-1)(t), f32([3, 5], want.map(Math.log)), { rtol: 1e-12, atol: 1e-14 });
    expectClose(T.softmax()(T.tensor([1, 2, -Infinity])), f32([3], [1 / (1 + Math.E), Math.E / (1 + Math.E), 0]), { rtol: 1e-12 });
  });
});

describe('special functions', () => {
  const xs = [-2.5, -1, -0.3, 0, 0.2, 0.9, 2, 3];

  it('erfinv inverts erf to float32 accuracy (Giles single-precision polynomials)', () => {
    const y = xs.map((v) => erfByQuadrature(v));
    expectCloseNumbers(T.erfinv(T.tensor(y)).data64(), xs, { rtol: 2e-6, atol: 1e-7 });
  });

  it('GELU: exact x Φ(x) and the tanh approximation', () => {
    const exact = xs.map((v) => 0.5 * v * (1 + erfByQuadrature(v / Math.SQRT2)));
    expectCloseNumbers(T.geluExact(T.tensor(xs)).data64(), exact, { rtol: 1e-11, atol: 1e-12 });
    const approx = xs.map((v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))));
    expectCloseNumbers(T.gelu(T.tensor(xs)).data64(), approx, { rtol: 1e-12, atol: 1e-15 });
    // the approximation stays within 1e-3 of the exact function
    expectCloseNumbers(T.gelu(T.tensor(xs)).data64(), exact, { atol: 1e-3 });
  });

  it('angle and square', () => {
    const z = T.complex(T.tensor([0, -1, 3]), T.tensor([1, 0, -4]));
    expectCloseNumbers(T.angle(z).data64(), [Math.PI / 2, Math.PI, Math.atan2(-4, 3)]);
    expectCloseNumbers(T.square(z).data64(), [-1, 0, 1, -0, -7, -24]);
  });
});

describe('shape helpers', () => {
  it('stack, expandDims, squeeze, mT', () => {
    const a = T.tensor([1, 2]);
    const b = T.tensor([3, 4]);
    expectClose(T.stack([a, b], 1), f32([2, 2], [1, 3, 2, 4]));
    expectClose(T.stack([a, b], -1), f32([2, 2], [1, 3, 2, 4]));
    expectClose(T.stack([a, b]), f32([2, 2], [1, 2, 3, 4]));
    expect(T.expandDims(T.zeros([3]), -1).shape).toEqual([3, 1]);
    expect(T.squeeze(T.zeros([1, 3, 1])).shape).toEqual([3]);
    expect(T.squeeze(T.zeros([1, 3, 1]), 0).shape).toEqual([3, 1]);
    expect(() => T.squeeze(T.zeros([2, 3]), 0)).toThrow(/squeeze: axis 0 has size 2, not 1/);
    expectClose(T.mT(T.tensor([[[1, 2, 3]], [[4, 5, 6]]])), f32([2, 3, 1], [1, 2, 3, 4, 5, 6]));
  });

  it('reshape infers one -1 dimension and rejects two', () => {
    expect(T.reshape(T.zeros([2, 6]), [3, -1]).shape).toEqual([3, 4]);
    expect(T.reshape(T.zeros([0, 3]), [3, -1]).shape).toEqual([3, 0]);
    expect(() => T.reshape(T.zeros([4]), [-1, -1])).toThrow(/at most one dimension may be -1/);
  });

  it('slice clamps out-of-range bounds like numpy', () => {
    expectClose(T.slice(T.tensor([1, 2, 3]), [[1, 10]]), f32([2], [2, 3]));
    expectClose(T.slice(T.tensor([1, 2, 3]), [[-10, 2]]), f32([2], [1, 2]));
  });

  it('take rejects an out-of-range index with its value and the axis size', () => {
    expect(() => T.take(T.tensor([1, 2, 3]), T.tensor([3], 'i32'))).toThrow('gather: index 3 out of bounds for axis of size 3');
    expect(() => T.take(T.tensor([1, 2, 3]), T.tensor([-1], 'i32'))).toThrow('index -1 out of bounds');
  });
});

describe('creation', () => {
  it('tensor from nested arrays, typed arrays, complex objects and booleans', () => {
    expect(T.tensor([[1, 2, 3], [4, 5, 6]]).shape).toEqual([2, 3]);
    expect(Array.from(T.tensor(Float32Array.of(1, 2)).data64())).toEqual([1, 2]);
    expect(T.tensor([{ re: 1, im: 2 }], 'c64').toArray()).toEqual([{ re: 1, im: 2 }]);
    expect(T.tensor([1, 2], 'c64').toArray()).toEqual([{ re: 1, im: 0 }, { re: 2, im: 0 }]);
    expect(T.tensor([true, false], 'bool').toArray()).toEqual([true, false]);
    expect(Array.from(T.tensor([1.7, -1.7, 2 ** 31], 'i32').data64())).toEqual([1, -1, -(2 ** 31)]);
    expect(() => T.tensor([1, 2, 3], 'f32', [2, 2])).toThrow('3 values do not fill a f32[2,2] tensor (4 needed)');
  });

  it('full, zeros, ones, scalar, zerosLike, eye, linspace, arange', () => {
    expect(Array.from(T.full([2], 7, 'i32').data64())).toEqual([7, 7]);
    expect(Array.from(T.ones([2], 'c64').data64())).toEqual([1, 0, 1, 0]);
    expect(T.zerosLike(T.ones([2, 3], 'i32')).dtype).toBe('i32');
    expect(T.scalar(3, 'c64').item()).toEqual({ re: 3, im: 0 });
    expect(T.eye(3).toArray()).toEqual([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    expect(T.linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(T.linspace(2, 3, 1).toArray()).toEqual([2]);
    expect(T.arange(4).toArray()).toEqual([0, 1, 2, 3]);
    expect(T.arange(0, 'f32').shape).toEqual([0]);
  });

  it('item needs one element; toString shows dtype, shape and values', () => {
    expect(() => T.zeros([2]).item()).toThrow('item() needs a tensor of one element, got shape [2]');
    expect(T.tensor([1, 2]).toString()).toBe('Tensor<f32>[2] [1, 2]');
  });
});

describe('tensor data views', () => {
  it('data() rounds to the storage type of the dtype', () => {
    const x = T.tensor([0.1, 1e40]);
    const d = x.data();
    expect(d).toBeInstanceOf(Float32Array);
    expect(d[0]).toBe(Math.fround(0.1));
    expect(d[1]).toBe(Infinity);
    expect(T.tensor([1, -2], 'i32').data()).toEqual(Int32Array.of(1, -2));
    expect(T.tensor([1, 0], 'bool').data()).toEqual(Uint8Array.of(1, 0));
  });
});
