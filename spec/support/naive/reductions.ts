/**
 * Naive references of reductions and matrix products: nested loops over explicit
 * multi-indices. Sums run left to right in index order.
 */
import { elementAt, indexOf, lanesOf, numel, type RefArray, tabulate } from '../refArray';
import { maxPropagatingNaN, mulInt32, wrapInt32 } from './scalar';
import { broadcastTo, numpyBroadcastShape, reshape } from './structural';

/** Visits the reduced elements of output index `outIdx`, in row-major order of the reduced axes. */
function reducedElements(x: RefArray, axes: readonly number[], outIdx: readonly number[]): number[][] {
  const redShape = axes.map((a) => x.shape[a]);
  const out: number[][] = [];
  for (let r = 0; r < numel(redShape); r++) {
    const rIdx = indexOf(r, redShape);
    const full: number[] = [];
    let k = 0;
    let j = 0;
    x.shape.forEach((_, i) => full.push(axes.includes(i) ? rIdx[j++] : outIdx[k++]));
    out.push(elementAt(x, full));
  }
  return out;
}

const keptShape = (x: RefArray, axes: readonly number[]): number[] => x.shape.filter((_, i) => !axes.includes(i));

/** Σ over `axes` (i32 sums wrap to 32 bits at every step, like integer addition). */
export function sum(x: RefArray, axes: readonly number[]): RefArray {
  const l = lanesOf(x.dtype);
  return tabulate(x.dtype, keptShape(x, axes), (o) =>
    reducedElements(x, axes, o).reduce(
      (acc, v) => acc.map((a, c) => (x.dtype === 'i32' ? wrapInt32(a + v[c]) : a + v[c])),
      new Array<number>(l).fill(0),
    ),
  );
}

/** max over `axes`; NaN propagates; the empty max is -inf for f32 and INT32_MIN for i32. */
export function max(x: RefArray, axes: readonly number[]): RefArray {
  const empty = x.dtype === 'i32' ? -2147483648 : -Infinity;
  return tabulate(x.dtype, keptShape(x, axes), (o) => [reducedElements(x, axes, o).reduce((acc, v) => maxPropagatingNaN(acc, v[0]), empty)]);
}

/** Index of the first maximum along `axis`; the first NaN wins (numpy.argmax). */
export function argmax(x: RefArray, axis: number): RefArray {
  return tabulate('i32', keptShape(x, [axis]), (o) => {
    const vs = reducedElements(x, [axis], o).map((v) => v[0]);
    const nan = vs.findIndex((v) => Number.isNaN(v));
    if (nan >= 0) return [nan];
    let best = 0;
    vs.forEach((v, i) => {
      if (v > vs[best]) best = i;
    });
    return [best];
  });
}

/**
 * Textbook batched matmul: out[..., i, j] = Σ_k a[..., i, k] b[..., k, j], equal batch shapes,
 * complex products written out, i32 arithmetic wrapping at every step.
 */
export function matmul(a: RefArray, b: RefArray): RefArray {
  const r = a.shape.length;
  const K = a.shape[r - 1];
  const shape = [...a.shape.slice(0, r - 1), b.shape[r - 1]];
  return tabulate(a.dtype, shape, (o) => {
    const batch = o.slice(0, r - 2);
    const [i, j] = [o[r - 2], o[r - 1]];
    let re = 0;
    let im = 0;
    for (let k = 0; k < K; k++) {
      const x = elementAt(a, [...batch, i, k]);
      const y = elementAt(b, [...batch, k, j]);
      if (a.dtype === 'c64') {
        re += x[0] * y[0] - x[1] * y[1];
        im += x[0] * y[1] + x[1] * y[0];
      } else if (a.dtype === 'i32') {
        re = wrapInt32(re + mulInt32(x[0], y[0]));
      } else {
        re += x[0] * y[0];
      }
    }
    return [re, im];
  });
}

/**
 * numpy.matmul: a rank-1 left operand is a row [1, K], a rank-1 right operand a column [K, 1]
 * (the added axis removed afterwards); leading batch axes broadcast.
 */
export function numpyMatmul(a: RefArray, b: RefArray): RefArray {
  const a2 = a.shape.length === 1 ? reshape(a, [1, a.shape[0]]) : a;
  const b2 = b.shape.length === 1 ? reshape(b, [b.shape[0], 1]) : b;
  const batch = numpyBroadcastShape(a2.shape.slice(0, -2), b2.shape.slice(0, -2));
  if (!batch) throw new Error('numpyMatmul: batch axes do not broadcast');
  const [M, K] = a2.shape.slice(-2);
  const N = b2.shape[b2.shape.length - 1];
  const out = matmul(broadcastTo(a2, [...batch, M, K]), broadcastTo(b2, [...batch, K, N]));
  const shape = [...batch, ...(a.shape.length === 1 ? [] : [M]), ...(b.shape.length === 1 ? [] : [N])];
  return reshape(out, shape);
}
