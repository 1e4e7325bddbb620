/**
 * NDArray: the concrete value the reference interpreter computes with. Every dtype is held in
 * a Float64Array (the interpreter's float64 oracle precision); c64 is interleaved (re, im), so a
 * c64 array of n elements has 2n numbers. i32 and bool hold integral values.
 */
import type { DType } from './dtype';
import { type Shape, sizeOf } from './shape';

export interface NDArray {
  readonly dtype: DType;
  readonly shape: Shape;
  readonly data: Float64Array;
}

export const lanes = (dtype: DType): number => (dtype === 'c64' ? 2 : 1);

export function ndarray(dtype: DType, shape: Shape, data?: Float64Array): NDArray {
  const n = sizeOf(shape) * lanes(dtype);
  if (data && data.length !== n) {
    throw new Error(`ndarray: ${dtype}[${shape.join(',')}] needs ${n} numbers, got ${data.length}`);
  }
  return { dtype, shape: [...shape], data: data ?? new Float64Array(n) };
}

/** Rounds a number the way the dtype stores it: i32 wraps to 32 bits, bool is 0/1. */
export function coerce(dtype: DType, x: number): number {
  if (dtype === 'i32') return Number.isFinite(x) ? Math.trunc(x) | 0 : 0;
  if (dtype === 'bool') return x !== 0 ? 1 : 0; // NaN is truthy, as in numpy
  return x;
}

export function scalar(dtype: DType, re: number, im = 0): NDArray {
  const a = ndarray(dtype, []);
  a.data[0] = coerce(dtype, re);
  if (dtype === 'c64') a.data[1] = im;
  return a;
}

/** An array of `shape` whose every element is `re` (+ `im` i), stored as the dtype stores it. */
export function filled(dtype: DType, shape: Shape, re: number, im = 0): NDArray {
  const one = scalar(dtype, re, im);
  const out = ndarray(dtype, shape);
  const l = lanes(dtype);
  for (let i = 0; i < out.data.length; i += l) {
    out.data[i] = one.data[0];
    if (l === 2) out.data[i + 1] = one.data[1];
  }
  return out;
}
