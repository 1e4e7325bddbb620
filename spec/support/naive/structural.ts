/**
 * Index-mapping references of the structural operations: every output element is located in
 * the source by an explicit multi-index formula (numpy semantics), with no shared code with
 * the library's interpreter.
 */
import { elementAt, indexOf, lanesOf, numel, offsetOf, type RefArray, tabulate } from '../refArray';

/** numpy broadcasting: right-align the shapes; each axis pair must be equal or contain a 1. */
export function numpyBroadcastShape(a: readonly number[], b: readonly number[]): number[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let k = 1; k <= rank; k++) {
    const da = k <= a.length ? a[a.length - k] : 1;
    const db = k <= b.length ? b[b.length - k] : 1;
    if (da !== db && da !== 1 && db !== 1) return undefined;
    out.unshift(da === 1 ? db : da);
  }
  return out;
}

/** numpy.broadcast_to: output index i reads source index (i right-aligned, 0 where the source axis is 1). */
export function broadcastTo(x: RefArray, shape: readonly number[]): RefArray {
  const lead = shape.length - x.shape.length;
  return tabulate(x.dtype, shape, (idx) => elementAt(x, x.shape.map((d, i) => (d === 1 ? 0 : idx[lead + i]))));
}

/** broadcast_in_dim: operand axis i maps to output axis dims[i]. */
export function broadcastInDim(x: RefArray, shape: readonly number[], dims: readonly number[]): RefArray {
  return tabulate(x.dtype, shape, (idx) => elementAt(x, x.shape.map((d, i) => (d === 1 ? 0 : idx[dims[i]]))));
}

/** Row-major reshape keeps the flat sequence of values. */
export const reshape = (x: RefArray, shape: readonly number[]): RefArray => ({ dtype: x.dtype, shape: [...shape], data: [...x.data] });

/** out[i_0, ..., i_{r-1}] = x[j] with j[perm[k]] = i_k. */
export function transpose(x: RefArray, perm: readonly number[]): RefArray {
  return tabulate(x.dtype, perm.map((p) => x.shape[p]), (idx) => {
    const src = x.shape.map(() => 0);
    perm.forEach((p, k) => (src[p] = idx[k]));
    return elementAt(x, src);
  });
}

/** out[i] = x[start + i]. */
export function slice(x: RefArray, start: readonly number[], limit: readonly number[]): RefArray {
  return tabulate(x.dtype, start.map((s, i) => limit[i] - s), (idx) => elementAt(x, idx.map((v, i) => v + start[i])));
}

/** out[i] = x[i - lo] inside the source, else `value` (imaginary part 0). */
export function pad(x: RefArray, lo: readonly number[], hi: readonly number[], value: number): RefArray {
  return tabulate(x.dtype, x.shape.map((d, i) => d + lo[i] + hi[i]), (idx) => {
    const src = idx.map((v, i) => v - lo[i]);
    return src.every((v, i) => v >= 0 && v < x.shape[i]) ? elementAt(x, src) : [value, 0];
  });
}

/** Concatenation: output position p along `axis` belongs to the operand whose range holds p. */
export function concat(xs: readonly RefArray[], axis: number): RefArray {
  const total = xs.reduce((s, x) => s + x.shape[axis], 0);
  return tabulate(xs[0].dtype, xs[0].shape.map((d, i) => (i === axis ? total : d)), (idx) => {
    let p = idx[axis];
    for (const x of xs) {
      if (p < x.shape[axis]) return elementAt(x, idx.map((v, i) => (i === axis ? p : v)));
      p -= x.shape[axis];
    }
    throw new Error('concat reference: position out of range');
  });
}

/** out[i] = x[i with i_a -> n_a - 1 - i_a on each reversed axis a]. */
export function reverse(x: RefArray, axes: readonly number[]): RefArray {
  return tabulate(x.dtype, x.shape, (idx) => elementAt(x, idx.map((v, i) => (axes.includes(i) ? x.shape[i] - 1 - v : v))));
}

/** numpy.take(x, idx, axis): out[pre, j..., post] = x[pre, idx[j...], post]. */
export function take(x: RefArray, idx: RefArray, axis: number): RefArray {
  const k = idx.shape.length;
  const shape = [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)];
  return tabulate(x.dtype, shape, (o) => {
    const j = idx.data[offsetOf(o.slice(axis, axis + k), idx.shape)];
    return elementAt(x, [...o.slice(0, axis), j, ...o.slice(axis + k)]);
  });
}

/** np.add.at(zeros, (pre, idx, post), upd): accumulates updates with repeated indices summed. */
export function scatterAdd(upd: RefArray, idx: RefArray, axis: number, size: number): RefArray {
  const k = idx.shape.length;
  const shape = [...upd.shape.slice(0, axis), size, ...upd.shape.slice(axis + k)];
  const l = lanesOf(upd.dtype);
  const data = new Array<number>(numel(shape) * l).fill(0);
  const n = numel(upd.shape);
  for (let i = 0; i < n; i++) {
    const u = indexOf(i, upd.shape);
    const j = idx.data[offsetOf(u.slice(axis, axis + k), idx.shape)];
    const o = offsetOf([...u.slice(0, axis), j, ...u.slice(axis + k)], shape);
    for (let c = 0; c < l; c++) data[o * l + c] += upd.data[i * l + c];
  }
  return { dtype: upd.dtype, shape, data };
}

/** iota: the index along `axis`, broadcast over the other axes. */
export const iota = (dtype: 'f32' | 'i32', shape: readonly number[], axis: number): RefArray => tabulate(dtype, shape, (idx) => [idx[axis]]);
