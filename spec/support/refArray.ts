/**
 * RefArray: the plain-TS array model the naive references compute with, independent of the
 * compiler's NDArray helpers. Values are row-major; c64 is interleaved (re, im), exactly the
 * layout of `Tensor.data64()`, so references and tensors compare number for number.
 */
import type { DType, Tensor } from '../../src/index';
import * as T from '../../src/index';

export interface RefArray {
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Row-major values; c64 holds 2 numbers per element (re, im). */
  readonly data: readonly number[];
}

export const lanesOf = (dtype: DType): number => (dtype === 'c64' ? 2 : 1);

export const numel = (shape: readonly number[]): number => {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
};

/** Row-major strides in elements. */
export function rowMajorStrides(shape: readonly number[]): number[] {
  const out = shape.map(() => 1);
  for (let i = shape.length - 2; i >= 0; i--) out[i] = out[i + 1] * shape[i + 1];
  return out;
}

/** The multi-index of flat element `flat` (row-major). */
export function indexOf(flat: number, shape: readonly number[]): number[] {
  const idx = shape.map(() => 0);
  let rest = flat;
  for (let i = shape.length - 1; i >= 0; i--) {
    idx[i] = rest % shape[i];
    rest = Math.floor(rest / shape[i]);
  }
  return idx;
}

/** The flat element offset of a multi-index (row-major). */
export function offsetOf(idx: readonly number[], shape: readonly number[]): number {
  const st = rowMajorStrides(shape);
  return idx.reduce((acc, v, i) => acc + v * st[i], 0);
}

export function refArray(dtype: DType, shape: readonly number[], data: readonly number[]): RefArray {
  const need = numel(shape) * lanesOf(dtype);
  if (data.length !== need) throw new Error(`refArray: ${dtype}[${shape.join(',')}] needs ${need} numbers, got ${data.length}`);
  return { dtype, shape: [...shape], data: [...data] };
}

/** Builds an array element by element: `at(index)` gives the element as [re] or [re, im]. */
export function tabulate(dtype: DType, shape: readonly number[], at: (idx: number[]) => readonly number[]): RefArray {
  const data: number[] = [];
  const n = numel(shape);
  const l = lanesOf(dtype);
  for (let i = 0; i < n; i++) {
    const v = at(indexOf(i, shape));
    for (let k = 0; k < l; k++) data.push(v[k] ?? 0);
  }
  return { dtype, shape: [...shape], data };
}

/** Element `idx` as [re] or [re, im]. */
export function elementAt(a: RefArray, idx: readonly number[]): number[] {
  const l = lanesOf(a.dtype);
  const off = offsetOf(idx, a.shape) * l;
  return a.data.slice(off, off + l);
}

/** Maps each element (as [re] or [re, im]) to a new element of dtype `dtype`. */
export function mapElements(a: RefArray, dtype: DType, f: (v: number[], flat: number) => readonly number[]): RefArray {
  const l = lanesOf(a.dtype);
  const lo = lanesOf(dtype);
  const data: number[] = [];
  for (let i = 0; i < numel(a.shape); i++) {
    const v = f(a.data.slice(i * l, i * l + l), i);
    for (let k = 0; k < lo; k++) data.push(v[k] ?? 0);
  }
  return { dtype, shape: [...a.shape], data };
}

/** A concrete tensor holding a reference array's values. */
export const toTensor = (a: RefArray): Tensor => T.tensor(a.data, a.dtype, a.shape);

/** A reference array holding a concrete tensor's float64 values. */
export const fromTensor = (t: Tensor): RefArray => ({ dtype: t.dtype, shape: [...t.shape], data: Array.from(t.data64()) });
