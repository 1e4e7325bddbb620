/**
 * Interpreter rules of the structural primitives: each output element is read from one source
 * element (or is a constant), so every rule is "compute the source offset of an output index".
 */
import { coerce, lanes, type NDArray, ndarray } from '../ndarray';
import type { PrimParams } from '../primitives';
import { type Shape, sizeOf, stridesOf, unravel } from '../shape';

/** Builds an output of `shape` where element i copies source element srcOf(index) (or fill when -1). */
function gatherBy(x: NDArray, shape: Shape, srcOf: (idx: number[]) => number, fill = 0): NDArray {
  const out = ndarray(x.dtype, shape);
  const l = lanes(x.dtype);
  const idx = new Array<number>(shape.length);
  const n = sizeOf(shape);
  for (let i = 0; i < n; i++) {
    unravel(i, shape, idx);
    const s = srcOf(idx);
    for (let k = 0; k < l; k++) out.data[i * l + k] = s < 0 ? (k === 0 ? fill : 0) : x.data[s * l + k];
  }
  return out;
}

export function broadcastInDim(x: NDArray, { shape, dims }: PrimParams['broadcast_in_dim']): NDArray {
  const st = stridesOf(x.shape);
  return gatherBy(x, shape, (idx) => dims.reduce((off, d, i) => off + (x.shape[i] === 1 ? 0 : idx[d] * st[i]), 0));
}

export const reshape = (x: NDArray, { shape }: PrimParams['reshape']): NDArray => ndarray(x.dtype, shape, x.data);

export function transpose(x: NDArray, { perm }: PrimParams['transpose']): NDArray {
  const st = stridesOf(x.shape);
  return gatherBy(x, perm.map((p) => x.shape[p]), (idx) => idx.reduce((off, v, i) => off + v * st[perm[i]], 0));
}

export function slice(x: NDArray, { start, limit }: PrimParams['slice']): NDArray {
  const st = stridesOf(x.shape);
  return gatherBy(x, start.map((s, i) => limit[i] - s), (idx) => idx.reduce((off, v, i) => off + (v + start[i]) * st[i], 0));
}

export function pad(x: NDArray, { lo, hi, value }: PrimParams['pad']): NDArray {
  const fill = coerce(x.dtype, value);
  const st = stridesOf(x.shape);
  const shape = x.shape.map((d, i) => d + lo[i] + hi[i]);
  return gatherBy(
    x,
    shape,
    (idx) => {
      let off = 0;
      for (let i = 0; i < idx.length; i++) {
        const j = idx[i] - lo[i];
        if (j < 0 || j >= x.shape[i]) return -1;
        off += j * st[i];
      }
      return off;
    },
    fill,
  );
}

export function reverse(x: NDArray, { axes }: PrimParams['reverse']): NDArray {
  const st = stridesOf(x.shape);
  return gatherBy(x, x.shape, (idx) => idx.reduce((off, v, i) => off + (axes.includes(i) ? x.shape[i] - 1 - v : v) * st[i], 0));
}

export function concat(xs: readonly NDArray[], { axis }: PrimParams['concat']): NDArray {
  const shape = xs[0].shape.map((d, i) => (i === axis ? xs.reduce((s, x) => s + x.shape[axis], 0) : d));
  const out = ndarray(xs[0].dtype, shape);
  const l = lanes(out.dtype);
  const outer = sizeOf(shape.slice(0, axis));
  const inner = sizeOf(shape.slice(axis + 1)) * l;
  let pos = 0;
  for (const x of xs) {
    const chunk = x.shape[axis] * inner;
    for (let o = 0; o < outer; o++) out.data.set(x.data.subarray(o * chunk, (o + 1) * chunk), o * shape[axis] * inner + pos);
    pos += chunk;
  }
  return out;
}

function checkIndex(i: number, size: number, op: string): number {
  if (!(i >= 0 && i < size)) throw new RangeError(`${op}: index ${i} out of bounds for axis of size ${size}`);
  return i;
}

/** out[pre, j..., post] = x[pre, idx[j...], post] */
export function gather(x: NDArray, idx: NDArray, { axis }: PrimParams['gather']): NDArray {
  const st = stridesOf(x.shape);
  const k = idx.shape.length;
  const istr = stridesOf(idx.shape);
  const shape = [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)];
  return gatherBy(x, shape, (o) => {
    let io = 0;
    for (let j = 0; j < k; j++) io += o[axis + j] * istr[j];
    let off = checkIndex(idx.data[io], x.shape[axis], 'gather') * st[axis];
    for (let i = 0; i < axis; i++) off += o[i] * st[i];
    for (let i = axis + 1; i < x.shape.length; i++) off += o[i + k - 1] * st[i];
    return off;
  });
}

/** The transpose of gather: out[pre, idx[j...], post] += upd[pre, j..., post]. */
export function scatterAdd(upd: NDArray, idx: NDArray, { axis, size }: PrimParams['scatter_add']): NDArray {
  const k = idx.shape.length;
  const shape = [...upd.shape.slice(0, axis), size, ...upd.shape.slice(axis + k)];
  const out = ndarray(upd.dtype, shape);
  const ost = stridesOf(shape);
  const istr = stridesOf(idx.shape);
  const l = lanes(upd.dtype);
  const u = new Array<number>(upd.shape.length);
  const n = sizeOf(upd.shape);
  for (let i = 0; i < n; i++) {
    unravel(i, upd.shape, u);
    let io = 0;
    for (let j = 0; j < k; j++) io += u[axis + j] * istr[j];
    let off = checkIndex(idx.data[io], size, 'scatter_add') * ost[axis];
    for (let a = 0; a < axis; a++) off += u[a] * ost[a];
    for (let a = axis + 1; a < shape.length; a++) off += u[a + k - 1] * ost[a];
    for (let c = 0; c < l; c++) out.data[off * l + c] += upd.data[i * l + c];
  }
  return out;
}
