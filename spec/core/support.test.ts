/**
 * The shared test support checked against hand-computed and published values, so that the
 * references the other suites trust are themselves right, and the comparison helper fails
 * when it should and says where.
 */
import { describe, expect, it } from 'vitest';
import { closeTo, expectClose, findMismatch } from '../support/compare';
import * as N from '../support/naive/index';
import { indexOf, offsetOf, type RefArray } from '../support/refArray';
import { randomArray, seededRng, SPECIAL_F32, TEST_SHAPES } from '../support/seeded';

const f32 = (shape: number[], data: number[]): RefArray => ({ dtype: 'f32', shape, data });
const c64 = (shape: number[], data: number[]): RefArray => ({ dtype: 'c64', shape, data });

describe('comparison', () => {
  it('treats NaN as equal to NaN and equal infinities as equal, nothing else', () => {
    expect(closeTo(NaN, NaN)).toBe(true);
    expect(closeTo(Infinity, Infinity)).toBe(true);
    expect(closeTo(-Infinity, Infinity)).toBe(false);
    expect(closeTo(NaN, 0)).toBe(false);
    expect(closeTo(0, NaN)).toBe(false);
    expect(closeTo(1e300, Infinity)).toBe(false);
    expect(closeTo(1 + 1e-13, 1)).toBe(true);
    expect(closeTo(1 + 1e-6, 1)).toBe(false);
    expect(closeTo(1 + 1e-6, 1, { rtol: 1e-5 })).toBe(true);
  });

  it('reports the first mismatch by flat position, multi-index and lane', () => {
    expect(findMismatch(f32([2, 2], [1, 2, 3, 4]), f32([2, 2], [1, 2, 3.5, 4]))).toContain('element 2, index [1,0]');
    expect(findMismatch(c64([2], [1, 2, 3, 4]), c64([2], [1, 2, 3, 5]))).toContain('element 1, index [1] (im)');
    expect(findMismatch(f32([2], [1, 2]), f32([1, 2], [1, 2]))).toBe('shape [2], expected [1,2]');
    expect(findMismatch(f32([1], [1]), { dtype: 'i32', shape: [1], data: [1] })).toBe('dtype f32, expected i32');
    expect(() => expectClose(f32([1], [NaN]), f32([1], [0]), {}, 'label')).toThrow('label: first mismatch at element 0');
    expect(findMismatch(f32([3], [NaN, Infinity, 0]), f32([3], [NaN, Infinity, 0]))).toBeUndefined();
  });
});

describe('seeded inputs', () => {
  it('are reproducible and cover the special values and the test shapes', () => {
    const a = randomArray(seededRng(1), 'f32', [7], { special: true });
    expect(randomArray(seededRng(1), 'f32', [7], { special: true })).toEqual(a);
    for (const s of SPECIAL_F32) expect(a.data.some((v) => Object.is(v, s) || (Number.isNaN(s) && Number.isNaN(v)))).toBe(true);
    expect(TEST_SHAPES.some((s) => s.includes(0))).toBe(true);
    expect(TEST_SHAPES.some((s) => s.length === 0)).toBe(true);
    expect(randomArray(seededRng(2), 'c64', [2, 3]).data).toHaveLength(12);
  });

  it('index helpers invert each other', () => {
    for (let i = 0; i < 24; i++) expect(offsetOf(indexOf(i, [2, 3, 4]), [2, 3, 4])).toBe(i);
  });
});

describe('naive references on hand-computed values', () => {
  it('DFT: impulse, shifted impulse, a length-3 real signal, and the Hermitian inverse', () => {
    expectClose(N.dft(c64([4], [1, 0, 0, 0, 0, 0, 0, 0]), false), c64([4], [1, 0, 1, 0, 1, 0, 1, 0]));
    expectClose(N.dft(c64([4], [0, 0, 1, 0, 0, 0, 0, 0]), false), c64([4], [1, 0, 0, -1, -1, 0, 0, 1]), { atol: 1e-15 });
    // X_1 of [1, 2, 3] = 1 + 2 e^{-2πi/3} + 3 e^{-4πi/3} = -1.5 + (√3/2) i
    expectClose(N.rdft(f32([3], [1, 2, 3])), c64([2], [6, 0, -1.5, Math.sqrt(3) / 2]), { atol: 1e-14 });
    expectClose(N.irdft(c64([3], [4, 9, 0, 0, 0, 9]), 4), f32([4], [1, 1, 1, 1]));
    expectClose(N.dft(N.dft(c64([3], [1, 2, 3, 4, 5, 6]), false), true), c64([3], [1, 2, 3, 4, 5, 6]), { atol: 1e-14 });
  });

  it('erf by quadrature matches published values (Abramowitz & Stegun, table 7.1)', () => {
    expect(N.erfByQuadrature(0.5)).toBeCloseTo(0.5204998778130465, 13);
    expect(N.erfByQuadrature(1)).toBeCloseTo(0.8427007929497149, 13);
    expect(N.erfByQuadrature(2)).toBeCloseTo(0.9953222650189527, 13);
    expect(N.erfByQuadrature(-1)).toBeCloseTo(-0.8427007929497149, 13);
    expect(N.normalCdf(1.959963984540054)).toBeCloseTo(0.975, 8);
  });

  it('32-bit wrap-around: against the two-complement definitions and Math.imul', () => {
    expect(N.wrapInt32(2 ** 31)).toBe(-(2 ** 31));
    expect(N.wrapInt32(-(2 ** 31) - 1)).toBe(2 ** 31 - 1);
    expect(N.floatToInt32(-2.7)).toBe(-2);
    expect(N.floatToInt32(3e9)).toBe(3e9 - 2 ** 32);
    const rng = seededRng(3);
    for (let k = 0; k < 200; k++) {
      const [a, b] = [rng.int(-(2 ** 31), 2 ** 31 - 1), rng.int(-(2 ** 31), 2 ** 31 - 1)];
      expect(N.mulInt32(a, b)).toBe(Math.imul(a, b));
    }
  });

  it('complex arithmetic and modulus', () => {
    expect(N.cMul([1, 2], [3, 4])).toEqual([-5, 10]);
    expect(N.cDiv([-5, 10], [3, 4])).toEqual([1, 2]);
    expect(N.cExp([0, Math.PI])[0]).toBeCloseTo(-1, 15);
    expect(N.cAbs([3, 4])).toBe(5);
    expect(N.cAbs([Infinity, NaN])).toBe(Infinity);
  });

  it('matmul, reductions and argmax', () => {
    expectClose(N.matmul(f32([2, 2], [1, 2, 3, 4]), f32([2, 2], [5, 6, 7, 8])), f32([2, 2], [19, 22, 43, 50]));
    expectClose(N.numpyMatmul(f32([2], [1, 2]), f32([2], [3, 4])), f32([], [11]));
    expectClose(N.sum(f32([2, 3], [1, 2, 3, 4, 5, 6]), [1]), f32([2], [6, 15]));
    expectClose(N.max(f32([2, 3], [1, 9, 3, 4, NaN, 6]), [1]), f32([2], [9, NaN]));
    expectClose(N.argmax(f32([5], [1, 7, 7, NaN, 2]), 0), { dtype: 'i32', shape: [], data: [3] });
  });

  it('scans', () => {
    expectClose(N.linearRecurrence(f32([3], [0.5, 0.5, 0.5]), f32([3], [1, 1, 1]), 0, false), f32([3], [1, 1.5, 1.75]));
    expectClose(N.linearRecurrence(f32([3], [0.5, 0.5, 0.5]), f32([3], [1, 1, 1]), 0, true), f32([3], [1.75, 1.5, 1]));
    expectClose(N.cumsum(f32([2, 2], [1, 2, 3, 4]), 0, false), f32([2, 2], [1, 2, 4, 6]));
    expectClose(N.cumsum(f32([3], [1, 2, 3]), 0, true), f32([3], [6, 5, 3]));
  });

  it('structural index maps', () => {
    expectClose(N.transpose(f32([2, 3], [1, 2, 3, 4, 5, 6]), [1, 0]), f32([3, 2], [1, 4, 2, 5, 3, 6]));
    expectClose(N.broadcastTo(f32([2, 1], [1, 2]), [2, 3]), f32([2, 3], [1, 1, 1, 2, 2, 2]));
    expectClose(N.broadcastInDim(f32([2], [1, 2]), [2, 3], [0]), f32([2, 3], [1, 1, 1, 2, 2, 2]));
    expectClose(N.pad(f32([2], [1, 2]), [1], [2], 9), f32([5], [9, 1, 2, 9, 9]));
    expectClose(N.slice(f32([2, 3], [1, 2, 3, 4, 5, 6]), [0, 1], [2, 3]), f32([2, 2], [2, 3, 5, 6]));
    expectClose(N.concat([f32([1, 2], [1, 2]), f32([1, 1], [3])], 1), f32([1, 3], [1, 2, 3]));
    expectClose(N.reverse(f32([2, 2], [1, 2, 3, 4]), [1]), f32([2, 2], [2, 1, 4, 3]));
    const idx: RefArray = { dtype: 'i32', shape: [3], data: [2, 0, 2] };
    expectClose(N.take(f32([3], [10, 20, 30]), idx, 0), f32([3], [30, 10, 30]));
    expectClose(N.scatterAdd(f32([3], [1, 2, 3]), idx, 0, 4), f32([4], [2, 0, 4, 0]));
    expect(N.numpyBroadcastShape([3, 1], [4])).toEqual([3, 4]);
    expect(N.numpyBroadcastShape([2], [3])).toBeUndefined();
    expect(N.numpyBroadcastShape([], [])).toEqual([]);
  });
});
