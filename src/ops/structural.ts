/**
 * Structural ops: reshape, transpose, broadcast, slicing, padding, concatenation, gather
 * (take), reverse. Each has a data-first form and, where it takes static arguments, a
 * data-last form for pipe: `pipe(x, T.reshape([4, -1]))`.
 */
import { ShapeDtypeError, userCallSite } from '../../compiler/errors';
import { type Shape, sizeOf } from '../../compiler/shape';
import { bind1 } from '../../compiler/tracer';
import type { DType } from '../../compiler/dtype';
import { Tensor } from '../tensor';
import { broadcastTo as broadcastToCore, normAxis, normAxes } from './core';

const fail = (op: string, xs: readonly Tensor[], reason: string): never => {
  throw new ShapeDtypeError(op, xs.map((x) => x.aval), reason, userCallSite());
};

function reshapeImpl(x: Tensor, shape: readonly number[]): Tensor {
  const unknown = shape.filter((d) => d === -1).length;
  if (unknown > 1) fail('reshape', [x], 'at most one dimension may be -1');
  const known = sizeOf(shape.filter((d) => d !== -1));
  const resolved = shape.map((d) => (d === -1 ? (known === 0 ? 0 : x.size / known) : d));
  if (!resolved.every(Number.isInteger) || sizeOf(resolved) !== x.size) fail('reshape', [x], `cannot reshape to [${shape.join(',')}]`);
  return bind1('reshape', [x], { shape: resolved });
}

/** An op with static arguments, callable data-first `op(x, ...args)` or data-last `op(...args)(x)`. */
export interface Dual<A extends unknown[]> {
  <D extends DType>(x: Tensor<D>, ...args: A): Tensor<D>;
  (...args: A): <D extends DType>(x: Tensor<D>) => Tensor<D>;
}

export function dual<A extends unknown[]>(impl: (x: Tensor, ...args: A) => Tensor): Dual<A> {
  return ((first: unknown, ...rest: unknown[]) =>
    first instanceof Tensor ? impl(first, ...(rest as A)) : (x: Tensor) => impl(x, ...([first, ...rest] as A))) as unknown as Dual<A>;
}

export function reshape<D extends DType, const S extends Shape>(x: Tensor<D>, shape: S): Tensor<D, S>;
export function reshape<const S extends Shape>(shape: S): <D extends DType>(x: Tensor<D>) => Tensor<D, S>;
export function reshape(a: unknown, b?: unknown): unknown {
  return a instanceof Tensor ? reshapeImpl(a, b as number[]) : (x: Tensor) => reshapeImpl(x, a as number[]);
}

function transposeImpl(x: Tensor, perm?: readonly number[]): Tensor {
  const p = perm ? perm.map((a) => normAxis('transpose', x, a)) : x.shape.map((_, i) => x.ndim - 1 - i);
  return p.every((a, i) => a === i) ? x : bind1('transpose', [x], { perm: p });
}
export function transpose<D extends DType>(x: Tensor<D>, perm?: readonly number[]): Tensor<D>;
export function transpose(perm?: readonly number[]): <D extends DType>(x: Tensor<D>) => Tensor<D>;
export function transpose(a?: unknown, b?: unknown): unknown {
  return a instanceof Tensor ? transposeImpl(a, b as number[] | undefined) : (x: Tensor) => transposeImpl(x, a as number[] | undefined);
}

/** Swaps the last two axes. */
export const mT = <D extends DType>(x: Tensor<D>): Tensor<D> =>
  transposeImpl(x, [...x.shape.map((_, i) => i).slice(0, -2), x.ndim - 1, x.ndim - 2]) as Tensor<D>;

export function broadcastTo<D extends DType, const S extends Shape>(x: Tensor<D>, shape: S): Tensor<D, S>;
export function broadcastTo<const S extends Shape>(shape: S): <D extends DType>(x: Tensor<D>) => Tensor<D, S>;
export function broadcastTo(a: unknown, b?: unknown): unknown {
  return a instanceof Tensor ? broadcastToCore(a, b as Shape) : (x: Tensor) => broadcastToCore(x, a as Shape);
}

const expandDimsImpl = (x: Tensor, axis: number): Tensor => {
  const a = axis < 0 ? axis + x.ndim + 1 : axis;
  if (a < 0 || a > x.ndim) fail('expandDims', [x], `axis ${axis} out of range`);
  return reshapeImpl(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
};
export const expandDims = dual(expandDimsImpl);

const squeezeImpl = (x: Tensor, axis?: number | readonly number[]): Tensor => {
  const axes = axis === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : normAxes('squeeze', x, axis);
  for (const a of axes) if (x.shape[a] !== 1) fail('squeeze', [x], `axis ${a} has size ${x.shape[a]}, not 1`);
  return reshapeImpl(x, x.shape.filter((_, i) => !axes.includes(i)));
};
export const squeeze = dual(squeezeImpl);

export interface SliceSpec {
  /** Per-axis [start, stop) pairs; missing trailing axes are taken whole. Negative indices count from the end. */
  readonly ranges: readonly (readonly [number, number] | null)[];
}

const sliceImpl = (x: Tensor, ranges: readonly (readonly [number, number] | null)[]): Tensor => {
  const start: number[] = [];
  const limit: number[] = [];
  x.shape.forEach((d, i) => {
    const r = ranges[i];
    const norm = (v: number) => Math.min(Math.max(v < 0 ? v + d : v, 0), d);
    start.push(r ? norm(r[0]) : 0);
    limit.push(r ? Math.max(norm(r[1]), norm(r[0])) : d);
  });
  if (ranges.length > x.ndim) fail('slice', [x], `${ranges.length} ranges for rank ${x.ndim}`);
  return bind1('slice', [x], { start, limit });
};
/** slice(x, [[0, 4], null, [1, -1]]): numpy's x[0:4, :, 1:-1]. */
export const slice = dual(sliceImpl);

/** Slice along one axis: sliceAxis(x, axis, start, stop). */
export const sliceAxis = dual((x: Tensor, axis: number, start: number, stop: number) => {
  const a = normAxis('sliceAxis', x, axis);
  return sliceImpl(x, x.shape.map((_, i) => (i === a ? ([start, stop] as const) : null)));
});

const padImpl = (x: Tensor, widths: readonly (readonly [number, number])[], value = 0): Tensor => {
  if (widths.length !== x.ndim) fail('pad', [x], `needs ${x.ndim} (lo, hi) pairs, got ${widths.length}`);
  return bind1('pad', [x], { lo: widths.map((w) => w[0]), hi: widths.map((w) => w[1]), value });
};
/** pad(x, [[lo, hi], ...], value = 0). */
export const pad = dual(padImpl);

export function concat<D extends DType>(xs: readonly Tensor<D>[], axis = 0): Tensor<D> {
  if (xs.length === 0) throw new Error('concat: needs at least one tensor');
  return (xs.length === 1 ? xs[0] : bind1('concat', xs, { axis: normAxis('concat', xs[0], axis) })) as Tensor<D>;
}

export function stack<D extends DType>(xs: readonly Tensor<D>[], axis = 0): Tensor<D> {
  return concat(xs.map((x) => expandDimsImpl(x, axis) as Tensor<D>), axis < 0 ? axis + xs[0].ndim + 1 : axis);
}

const reverseImpl = (x: Tensor, axis: number | readonly number[]): Tensor => bind1('reverse', [x], { axes: normAxes('reverse', x, axis) });
export const reverse = dual(reverseImpl);

const takeImpl = (x: Tensor, indices: Tensor, axis = 0): Tensor => {
  if (indices.dtype !== 'i32') fail('take', [x, indices], `indices must be i32, got ${indices.dtype}`);
  return bind1('gather', [x, indices], { axis: normAxis('take', x, axis) });
};

/**
 * take(x, indices, axis = 0): gathers slices of x along axis (embedding lookups, permutations).
 * Data-last: take(indices, axis)(x).
 */
export function take<D extends DType>(x: Tensor<D>, indices: Tensor<'i32'>, axis?: number): Tensor<D>;
export function take(indices: Tensor<'i32'>, axis?: number): <D extends DType>(x: Tensor<D>) => Tensor<D>;
export function take(a: Tensor, b?: Tensor | number, c?: number): unknown {
  return b instanceof Tensor ? takeImpl(a, b, c) : (x: Tensor) => takeImpl(x, a, b);
}
