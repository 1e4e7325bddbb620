/**
 * Interpreter rules of reductions (sum, max, argmax) and batched matmul, as textbook loops.
 */
import { coerce, lanes, type NDArray, ndarray } from '../ndarray';
import { sizeOf, stridesOf, unravel } from '../shape';

/** Visits every element as (output offset, input offset) for a reduction over `axes`. */
function forEachReduced(x: NDArray, axes: readonly number[], visit: (outOff: number, inOff: number, reducedPos: number) => void): number[] {
  const keep = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const outShape = keep.map((i) => x.shape[i]);
  const ost = stridesOf(outShape);
  const redShape = axes.map((a) => x.shape[a]);
  const rst = stridesOf(redShape);
  const idx = new Array<number>(x.shape.length);
  const n = sizeOf(x.shape);
  for (let i = 0; i < n; i++) {
    unravel(i, x.shape, idx);
    let o = 0;
    keep.forEach((a, j) => (o += idx[a] * ost[j]));
    let r = 0;
    axes.forEach((a, j) => (r += idx[a] * rst[j]));
    visit(o, i, r);
  }
  return outShape;
}

export function reduceSum(x: NDArray, axes: readonly number[]): NDArray {
  const out = ndarray(x.dtype, x.shape.filter((_, i) => !axes.includes(i)));
  const l = lanes(x.dtype);
  forEachReduced(x, axes, (o, i) => {
    for (let c = 0; c < l; c++) out.data[o * l + c] += x.data[i * l + c];
  });
  if (x.dtype === 'i32') out.data.forEach((v, i) => (out.data[i] = coerce('i32', v)));
  return out;
}

export function reduceMax(x: NDArray, axes: readonly number[]): NDArray {
  const out = ndarray(x.dtype, x.shape.filter((_, i) => !axes.includes(i)));
  out.data.fill(x.dtype === 'i32' ? -(2 ** 31) : -Infinity);
  forEachReduced(x, axes, (o, i) => {
    const v = x.data[i];
    const cur = out.data[o];
    if (!Number.isNaN(cur) && (Number.isNaN(v) || v > cur)) out.data[o] = v;
  });
  return out;
}

/** Index of the first maximum (NaN counts as the maximum, as in numpy). */
export function argmax(x: NDArray, axis: number): NDArray {
  const best = ndarray('f32', x.shape.filter((_, i) => i !== axis));
  best.data.fill(-Infinity);
  const out = ndarray('i32', best.shape);
  const seenNaN = new Uint8Array(best.data.length);
  forEachReduced(x, [axis], (o, i, r) => {
    const v = x.data[i];
    if (seenNaN[o]) return;
    if (Number.isNaN(v)) {
      seenNaN[o] = 1;
      out.data[o] = r;
    } else if (v > best.data[o] || (r === 0 && v === -Infinity)) {
      best.data[o] = v;
      out.data[o] = r;
    }
  });
  return out;
}

/** [...batch, M, K] x [...batch, K, N] -> [...batch, M, N], real or complex. */
export function matmul(a: NDArray, b: NDArray): NDArray {
  const r = a.shape.length;
  const [M, K, N] = [a.shape[r - 2], a.shape[r - 1], b.shape[r - 1]];
  const batch = sizeOf(a.shape.slice(0, r - 2));
  const out = ndarray(a.dtype, [...a.shape.slice(0, r - 1), N]);
  const cplx = a.dtype === 'c64';
  for (let p = 0; p < batch; p++) {
    const ao = p * M * K;
    const bo = p * K * N;
    const oo = p * M * N;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let re = 0;
        let im = 0;
        for (let k = 0; k < K; k++) {
          const ai = ao + i * K + k;
          const bi = bo + k * N + j;
          if (cplx) {
            const [ar, am, br, bm] = [a.data[2 * ai], a.data[2 * ai + 1], b.data[2 * bi], b.data[2 * bi + 1]];
            re += ar * br - am * bm;
            im += ar * bm + am * br;
          } else if (a.dtype === 'i32') {
            re = (re + Math.imul(a.data[ai], b.data[bi])) | 0;
          } else {
            re += a.data[ai] * b.data[bi];
          }
        }
        const o = oo + i * N + j;
        if (cplx) {
          out.data[2 * o] = re;
          out.data[2 * o + 1] = im;
        } else {
          out.data[o] = a.dtype === 'i32' ? re | 0 : re;
        }
      }
    }
  }
  return out;
}
