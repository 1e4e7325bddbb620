/**
 * Untyped op helpers the differentiation rules are written with. Operands are tensors (or
 * numbers, which adopt the other operand's dtype); shapes broadcast as in the frontend.
 * Complex conjugation is a no-op on real dtypes so rules can be written once for both.
 */
import { alignOperands, castTo, type TensorLike } from '../operands';
import { concreteTensor, type Tensor } from '../tensor';
import type { DType } from '../dtype';
import type { NDArray } from '../ndarray';
import type { Prim, PrimParams } from '../primitives';
import { bind1 } from '../tracer';

const b2 = (prim: Prim) => (a: TensorLike, b: TensorLike): Tensor => bind1(prim, alignOperands(prim, [a, b]), {} as never);
const u1 = (prim: Prim) => (x: Tensor): Tensor => bind1(prim, [x], {} as never);

export const add = b2('add');
export const sub = b2('sub');
export const mul = b2('mul');
export const div = b2('div');
export const eq = b2('eq');
export const gt = b2('gt');
export const lt = b2('lt');
export const neg = u1('neg');
export const exp = u1('exp');
export const log = u1('log');
export const sin = u1('sin');
export const cos = u1('cos');
export const sqrt = u1('sqrt');
export const sign = u1('sign');
export const real = u1('real');
export const imag = u1('imag');
export const complex = b2('complex');

export const conj = (x: Tensor): Tensor => (x.dtype === 'c64' ? bind1('conj', [x], {}) : x);
export const cast = (x: Tensor, dtype: DType): Tensor => castTo(x, dtype);
export const select = (p: Tensor, t: Tensor, f: Tensor): Tensor => bind1('select', [p, t, f], {});
export const zerosLike = (x: Tensor): Tensor => bind1('broadcast_in_dim', [cast(scalarOf(0), x.dtype)], { shape: [...x.shape], dims: [] });
export const prim = <P extends Prim>(p: P, xs: readonly Tensor[], params: PrimParams[P]): Tensor => bind1(p, xs, params);

export function scalarOf(v: number): Tensor {
  return concreteTensor({ dtype: 'f32', shape: [], data: Float64Array.of(v) });
}

/** Slices `len` elements starting at `start` along one axis. */
export function sliceAxis(x: Tensor, axis: number, start: number, len: number): Tensor {
  return bind1('slice', [x], { start: x.shape.map((_, i) => (i === axis ? start : 0)), limit: x.shape.map((d, i) => (i === axis ? start + len : d)) });
}

/** Pads with zeros along one axis. */
export function padAxis(x: Tensor, axis: number, lo: number, hi: number): Tensor {
  return bind1('pad', [x], { lo: x.shape.map((_, i) => (i === axis ? lo : 0)), hi: x.shape.map((_, i) => (i === axis ? hi : 0)), value: 0 });
}

/** Swaps the last two axes. */
export function swapLast(x: Tensor): Tensor {
  const r = x.ndim;
  return bind1('transpose', [x], { perm: [...Array(r - 2).keys(), r - 1, r - 2] });
}

/** A concrete tensor for a stored array. */
export const constTensor = (a: NDArray): Tensor => concreteTensor(a);

/** A scalar tensor broadcast to `shape`. */
export const broadcastScalar = (s: Tensor, shape: readonly number[]): Tensor =>
  shape.length ? bind1('broadcast_in_dim', [s], { shape: [...shape], dims: [] }) : s;

/** A tensor of `shape` filled with v (f32). */
export const fill = (shape: readonly number[], v: number): Tensor => broadcastScalar(scalarOf(v), shape);
