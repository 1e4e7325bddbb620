/**
 * Sequential references of the scans: a generic inclusive fold along an axis (forward or
 * reversed), from which the cumulative sum and the linear recurrence x_t = a_t x_{t-1} + b_t
 * are written as plain loops.
 */
import { elementAt, indexOf, lanesOf, numel, offsetOf, type RefArray } from '../refArray';
import { cAdd, cMul, type Cx, wrapInt32 } from './scalar';

/** One element of every operand: element k of the tuple is [re] or [re, im]. */
export type Tuple = number[][];

/**
 * Inclusive scan along `axis` by a sequential loop: y_0 = x_0, y_t = combine(y_{t-1}, x_t).
 * Reversed: the loop runs from the last position to the first (y_t = combine(y_{t+1}, x_t)),
 * the accumulated value always being the left operand.
 */
export function sequentialScan(xs: readonly RefArray[], axis: number, reverse: boolean, combine: (acc: Tuple, x: Tuple) => Tuple): RefArray[] {
  const shape = xs[0].shape;
  const n = shape[axis];
  const outs = xs.map((x) => ({ dtype: x.dtype, shape: [...shape], data: [...x.data] }));
  const lineShape = shape.map((d, i) => (i === axis ? 1 : d));
  for (let line = 0; line < numel(lineShape); line++) {
    const base = indexOf(line, lineShape);
    let acc: Tuple | undefined;
    for (let s = 0; s < n; s++) {
      const t = reverse ? n - 1 - s : s;
      const idx = base.map((v, i) => (i === axis ? t : v));
      const cur = xs.map((x) => elementAt(x, idx));
      acc = acc === undefined ? cur : combine(acc, cur);
      acc.forEach((v, k) => {
        const l = lanesOf(outs[k].dtype);
        const off = offsetOf(idx, shape) * l;
        for (let c = 0; c < l; c++) outs[k].data[off + c] = v[c] ?? 0;
      });
    }
  }
  return outs;
}

/** Running sums (i32 wrapping at every step). */
export function cumsum(x: RefArray, axis: number, reverse: boolean): RefArray {
  const add = (a: number, b: number): number => (x.dtype === 'i32' ? wrapInt32(a + b) : a + b);
  return sequentialScan([x], axis, reverse, ([acc], [v]) => [acc.map((a, c) => add(a, v[c]))])[0];
}

/** x_t = a_t x_{t-1} + b_t with x_{-1} = 0 (reversed: x_t = a_t x_{t+1} + b_t), real or complex. */
export function linearRecurrence(a: RefArray, b: RefArray, axis: number, reverse: boolean): RefArray {
  const shape = b.shape;
  const n = shape[axis];
  const cplx = b.dtype === 'c64';
  const out = { dtype: b.dtype, shape: [...shape], data: [...b.data] };
  const lineShape = shape.map((d, i) => (i === axis ? 1 : d));
  for (let line = 0; line < numel(lineShape); line++) {
    const base = indexOf(line, lineShape);
    let x: Cx = [0, 0];
    for (let s = 0; s < n; s++) {
      const t = reverse ? n - 1 - s : s;
      const idx = base.map((v, i) => (i === axis ? t : v));
      const av = elementAt(a, idx);
      const bv = elementAt(b, idx);
      x = cplx ? cAdd(cMul([av[0], av[1]], x), [bv[0], bv[1]]) : [av[0] * x[0] + bv[0], 0];
      const off = offsetOf(idx, shape) * (cplx ? 2 : 1);
      out.data[off] = x[0];
      if (cplx) out.data[off + 1] = x[1];
    }
  }
  return out;
}
