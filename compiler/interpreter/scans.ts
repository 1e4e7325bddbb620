/**
 * Interpreter rules of the scans, as the sequential loops that define them: cumulative sum, the
 * diagonal linear recurrence x_t = a_t x_{t-1} + b_t (x_{-1} = 0), and the associative scan
 * y_t = y_{t-1} ⊕ x_t with a combine given as a sub-IR over scalars. A reversed scan is
 * flip, scan, flip (so a reversed linear recurrence is x_t = a_t x_{t+1} + b_t).
 */
import type { NDArray } from '../ndarray';
import { lanes, ndarray } from '../ndarray';
import { sizeOf } from '../shape';
import { cmul } from './complexMath';

/** Calls visit(offsets) for every line along `axis`, offsets in scan order (element units). */
function forEachLine(shape: readonly number[], axis: number, reverse: boolean, visit: (offsets: number[]) => void): void {
  const n = shape[axis];
  const inner = sizeOf(shape.slice(axis + 1));
  const outer = sizeOf(shape.slice(0, axis));
  const offsets = new Array<number>(n);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      for (let t = 0; t < n; t++) offsets[reverse ? n - 1 - t : t] = (o * n + t) * inner + i;
      visit(offsets);
    }
  }
}

export function cumsum(x: NDArray, axis: number, reverse: boolean): NDArray {
  const out = ndarray(x.dtype, x.shape);
  const l = lanes(x.dtype);
  forEachLine(x.shape, axis, reverse, (offs) => {
    const acc = [0, 0];
    for (const off of offs) {
      for (let c = 0; c < l; c++) {
        acc[c] = x.dtype === 'i32' ? (acc[c] + x.data[off * l + c]) | 0 : acc[c] + x.data[off * l + c];
        out.data[off * l + c] = acc[c];
      }
    }
  });
  return out;
}

export function linrec(a: NDArray, b: NDArray, axis: number, reverse: boolean): NDArray {
  const out = ndarray(b.dtype, b.shape);
  const cplx = b.dtype === 'c64';
  forEachLine(b.shape, axis, reverse, (offs) => {
    let xr = 0;
    let xi = 0;
    for (const off of offs) {
      if (cplx) {
        const [pr, pi] = cmul(a.data[2 * off], a.data[2 * off + 1], xr, xi);
        xr = pr + b.data[2 * off];
        xi = pi + b.data[2 * off + 1];
        out.data[2 * off] = xr;
        out.data[2 * off + 1] = xi;
      } else {
        xr = a.data[off] * xr + b.data[off];
        out.data[off] = xr;
      }
    }
  });
  return out;
}

/** A combine over tuples of scalars, each scalar an (re, im) pair (im is 0 for real dtypes). */
export type ScalarCombine = (left: readonly number[][], right: readonly number[][]) => number[][];

export function assocScan(xs: readonly NDArray[], axis: number, reverse: boolean, combine: ScalarCombine): NDArray[] {
  const outs = xs.map((x) => ndarray(x.dtype, x.shape));
  const read = (off: number): number[][] => xs.map((x) => (x.dtype === 'c64' ? [x.data[2 * off], x.data[2 * off + 1]] : [x.data[off], 0]));
  forEachLine(xs[0].shape, axis, reverse, (offs) => {
    let acc: number[][] | undefined;
    for (const off of offs) {
      const cur = read(off);
      // A reversed scan is flip, scan, flip: the accumulated value is always the left operand.
      acc = acc === undefined ? cur : combine(acc, cur);
      acc.forEach((v, k) => {
        if (outs[k].dtype === 'c64') {
          outs[k].data[2 * off] = v[0];
          outs[k].data[2 * off + 1] = v[1];
        } else {
          outs[k].data[off] = v[0];
        }
      });
    }
  });
  return outs;
}
