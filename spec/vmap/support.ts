/**
 * The oracle of the vmap specs: a loop over the batch. An example is cut out of a batched array
 * and examples are stacked back by index arithmetic on the stored values (no primitive of the
 * library is involved), and the function runs eagerly, once per example, on the interpreter.
 */
import { expect } from 'vitest';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { treeMismatch } from '../jit/oracle';
import type { JitTolerance } from '../jit/tolerances';

const strides = (shape: readonly number[]): number[] => {
  const st = shape.map(() => 1);
  for (let i = shape.length - 2; i >= 0; i--) st[i] = st[i + 1] * shape[i + 1];
  return st;
};

/** Element b of `t` along `axis` (t unchanged when axis is null). */
export function exampleOf(t: Tensor, axis: number | null, b: number): Tensor {
  if (axis === null) return t;
  const src = t.data64();
  const lanes = t.dtype === 'c64' ? 2 : 1;
  const shape = t.shape.filter((_, i) => i !== axis);
  const st = strides(t.shape);
  const n = shape.reduce((x, y) => x * y, 1);
  const out = new Float64Array(n * lanes);
  const idx = shape.map(() => 0);
  for (let i = 0; i < n; i++) {
    let rest = i;
    for (let k = shape.length - 1; k >= 0; k--) {
      idx[k] = rest % shape[k];
      rest = Math.floor(rest / shape[k]);
    }
    let off = b * st[axis];
    idx.forEach((v, k) => (off += v * st[k < axis ? k : k + 1]));
    for (let l = 0; l < lanes; l++) out[i * lanes + l] = src[off * lanes + l];
  }
  return T.tensor(out, t.dtype, shape);
}

/** The examples stacked along a new axis `axis`. */
export function stackAt(xs: readonly Tensor[], axis: number): Tensor {
  const first = xs[0];
  const lanes = first.dtype === 'c64' ? 2 : 1;
  const shape = [...first.shape];
  shape.splice(axis, 0, xs.length);
  const out = new Float64Array(shape.reduce((x, y) => x * y, 1) * lanes);
  const inner = first.shape.slice(axis).reduce((x, y) => x * y, 1);
  xs.forEach((x, b) => {
    const d = x.data64();
    for (let i = 0; i < x.size; i++) {
      const off = Math.floor(i / inner) * xs.length * inner + b * inner + (i % inner);
      for (let l = 0; l < lanes; l++) out[off * lanes + l] = d[i * lanes + l];
    }
  });
  return T.tensor(out, first.dtype, shape);
}

/** f applied to each example (arguments cut at `axes`, null: passed whole), results stacked at `outAxis`. */
export function loopMap(f: (...xs: Tensor[]) => unknown, args: readonly Tensor[], axes: readonly (number | null)[], size: number, outAxis = 0): unknown {
  const results = Array.from({ length: size }, (_, b) => f(...args.map((a, i) => exampleOf(a, axes[i], b))));
  const [first, def] = T.tree.flatten(results[0]);
  const leaves = first.map((_, k) => stackAt(results.map((r) => T.tree.flatten(r)[0][k] as Tensor), outAxis < 0 ? (first[k] as Tensor).ndim + 1 + outAxis : outAxis));
  return T.tree.unflatten(def, leaves);
}

/** float64 on both sides; only the order of a few sums may differ. */
export const F64: JitTolerance = { rtol: 1e-9, atol: 1e-9 };

export function expectClose(actual: unknown, expected: unknown, tol: JitTolerance = F64, what = ''): void {
  const m = treeMismatch(actual, expected, tol);
  expect(m, `${what}${m ? `: ${m}` : ''}`).toBeUndefined();
}

/** A batched shape: the example shape with `size` inserted at `axis` (null: unchanged). */
export function batchedShapeOf(shape: readonly number[], axis: number | null, size: number): number[] {
  const out = [...shape];
  if (axis !== null) out.splice(axis, 0, size);
  return out;
}
