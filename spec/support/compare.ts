/**
 * Tolerance-based comparison of computed values against references. NaN equals NaN, equal
 * infinities are equal, and a failure names the first mismatching element by flat position
 * and multi-index (and lane, for c64), with both values and the tolerance.
 */
import { Tensor } from '../../src/index';
import { fromTensor, indexOf, lanesOf, type RefArray } from './refArray';

export interface Tolerance {
  /** Relative tolerance, scaled by |expected|. Default 1e-12. */
  readonly rtol?: number;
  /** Absolute tolerance. Default 1e-12. */
  readonly atol?: number;
}

/** True when `actual` matches `expected` within atol + rtol·|expected| (NaN = NaN, inf = inf). */
export function closeTo(actual: number, expected: number, tol: Tolerance = {}): boolean {
  const { rtol = 1e-12, atol = 1e-12 } = tol;
  if (Number.isNaN(expected) || Number.isNaN(actual)) return Number.isNaN(expected) && Number.isNaN(actual);
  if (!Number.isFinite(expected) || !Number.isFinite(actual)) return actual === expected;
  return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
}

/** undefined when the arrays agree, else a message locating the first mismatch. */
export function findMismatch(actual: RefArray, expected: RefArray, tol: Tolerance = {}): string | undefined {
  if (actual.dtype !== expected.dtype) return `dtype ${actual.dtype}, expected ${expected.dtype}`;
  const shapeA = `[${actual.shape.join(',')}]`;
  const shapeE = `[${expected.shape.join(',')}]`;
  if (shapeA !== shapeE) return `shape ${shapeA}, expected ${shapeE}`;
  if (actual.data.length !== expected.data.length) return `${actual.data.length} numbers, expected ${expected.data.length}`;
  const l = lanesOf(expected.dtype);
  for (let i = 0; i < expected.data.length; i++) {
    if (!closeTo(actual.data[i], expected.data[i], tol)) {
      const flat = Math.floor(i / l);
      const lane = l === 2 ? (i % 2 === 0 ? ' (re)' : ' (im)') : '';
      const { rtol = 1e-12, atol = 1e-12 } = tol;
      return (
        `first mismatch at element ${flat}, index [${indexOf(flat, expected.shape).join(',')}]${lane} of ${expected.dtype}${shapeE}: ` +
        `got ${actual.data[i]}, expected ${expected.data[i]} (rtol ${rtol}, atol ${atol})`
      );
    }
  }
  return undefined;
}

/** Throws with a located message when `actual` (a tensor or reference array) differs from `expected`. */
export function expectClose(actual: Tensor | RefArray, expected: RefArray, tol: Tolerance = {}, label = ''): void {
  const a = actual instanceof Tensor ? fromTensor(actual) : actual;
  const msg = findMismatch(a, expected, tol);
  if (msg) throw new Error(`${label ? label + ': ' : ''}${msg}`);
}

/** Compares two plain number lists (no shape), with the same NaN/inf rules. */
export function expectCloseNumbers(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance = {}, label = ''): void {
  const wrap = (xs: ArrayLike<number>): RefArray => ({ dtype: 'f32', shape: [xs.length], data: Array.from(xs) });
  expectClose(wrap(actual), wrap(expected), tol, label);
}
