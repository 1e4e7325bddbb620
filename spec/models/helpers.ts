/**
 * Test helpers for the SSM layers: seeded random inputs, tensor <-> float64 numerics
 * conversions, per-example slices of batched tensors, and directional finite differences.
 */
import * as T from '../../src/index';
import type { ComplexVector } from '../../src/models/numerics/complex';
import type { ComplexMatrix } from '../../src/models/numerics/complexMatrix';
import { type RealMatrix } from '../../src/models/numerics/realMatrix';
import { seededRng } from '../support/seeded';

/** f32 tensor of N(0, scale²) draws from a seeded generator independent of the library PRNG. */
export function randomInput(seed: number, shape: readonly number[], scale = 1): T.Tensor<'f32'> {
  const rng = seededRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return T.tensor(Float64Array.from({ length: n }, () => scale * rng.normal()), 'f32', shape);
}

export const values = (x: T.Tensor): Float64Array => Float64Array.from(x.data64());

export function complexParts(x: T.Tensor<'c64'>): ComplexVector {
  const d = x.data64();
  return { re: Float64Array.from({ length: d.length / 2 }, (_, i) => d[2 * i]), im: Float64Array.from({ length: d.length / 2 }, (_, i) => d[2 * i + 1]) };
}

export function complexMatrixOf(x: T.Tensor<'c64'>): ComplexMatrix {
  const { re, im } = complexParts(x);
  return { rows: x.shape[0], cols: x.shape[1], re, im };
}

/** Row r of a [rows, n] c64 tensor (or of its flattening). */
export function complexRow(x: T.Tensor<'c64'>, r: number, n: number): ComplexVector {
  const { re, im } = complexParts(x);
  return { re: re.slice(r * n, (r + 1) * n), im: im.slice(r * n, (r + 1) * n) };
}

/** Example b of a [B, L, H] tensor as an L x H real matrix. */
export function exampleOf(x: T.Tensor<'f32'>, b: number): RealMatrix {
  const [, L, H] = x.shape;
  return { rows: L, cols: H, data: values(x).slice(b * L * H, (b + 1) * L * H) };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: lengths ${a.length} and ${b.length} differ`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** A random direction with the leaf's shape and dtype (complex leaves get random re and im). */
export function randomDirection(leaf: T.Tensor, seed: number): T.Tensor {
  const lanes = leaf.dtype === 'c64' ? 2 : 1;
  const rng = seededRng(seed);
  return T.tensor(Float64Array.from({ length: leaf.size * lanes }, () => rng.normal()), leaf.dtype as 'f32' | 'c64', leaf.shape);
}

/** ⟨g, v⟩ in the real inner product (for c64: Re g · Re v + Im g · Im v). */
export function realInner(g: T.Tensor, v: T.Tensor): number {
  const a = g.data64();
  const b = v.data64();
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * For every leaf of `params`: the directional derivative of `loss` along a random direction,
 * by the reverse-mode gradient and by central differences (step eps). Returns one row per leaf.
 */
export function gradientCheck<P>(
  loss: (p: P) => T.Tensor<'f32'>,
  params: P,
  eps = 1e-5,
  seed = 1,
): { path: string; analytic: number; numeric: number }[] {
  const g = T.grad(loss)(params) as P;
  const gradLeaves = T.tree.flatten(g)[0] as T.Tensor[];
  const [leaves, def] = T.tree.flatten(params);
  const paths = T.tree.treePaths(params);
  return (leaves as T.Tensor[]).map((leaf, i) => {
    const v = randomDirection(leaf, seed + i);
    const shifted = (sign: number): P =>
      T.tree.unflatten(
        def,
        (leaves as T.Tensor[]).map((l, j) => (j === i ? T.add(l as T.Tensor<'f32'>, T.mul(v as T.Tensor<'f32'>, sign * eps)) : l)),
      );
    const numeric = (loss(shifted(1)).item() - loss(shifted(-1)).item()) / (2 * eps);
    return { path: paths[i], analytic: realInner(gradLeaves[i], v), numeric };
  });
}

/** A fixed random linear functional of y (so the loss depends on every output). */
export function projectionLoss(y: T.Tensor<'f32'>, seed = 99): T.Tensor<'f32'> {
  return T.sum(T.mul(y, randomInput(seed, y.shape))) as T.Tensor<'f32'>;
}
