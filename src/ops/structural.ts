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
import { broadcastTo as broadcastToCore, describeValue, normAxis, normAxes, tensorArg } from './core';

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

/**
 * The data-first form when the first argument is a tensor. Otherwise the data-last form, unless
 * the call has as many arguments as the data-first form takes (x and every static argument):
 * then x was meant and is not a tensor, an error naming the op and x.
 */
export function dual<A extends unknown[]>(impl: (x: Tensor, ...args: A) => Tensor, name: string): Dual<A> {
  return ((first: unknown, ...rest: unknown[]) => {
    if (first instanceof Tensor) return impl(first, ...(rest as A));
    if (rest.length + 1 >= impl.length) tensorArg(name, 'x', first);
    return (x: Tensor) => impl(tensorArg(name, 'x', x), ...([first, ...rest] as A));
  }) as unknown as Dual<A>;
}

/** Data-first with two or more arguments, data-last with one: the shared dispatch of reshape, transpose, broadcastTo. */
function dispatch(name: string, args: unknown[], impl: (x: Tensor, arg: never) => Tensor): unknown {
  const [a, b] = args;
  if (a instanceof Tensor) return impl(a, b as never);
  if (args.length >= 2) tensorArg(name, 'x', a);
  if (a !== undefined && !Array.isArray(a)) throw new TypeError(`${name}: argument x must be a tensor (or, for pipe, an array of axes), got ${describeValue(a)}`);
  return (x: Tensor) => impl(tensorArg(name, 'x', x), a as never);
}

export function reshape<D extends DType, const S extends Shape>(x: Tensor<D>, shape: S): Tensor<D, S>;
export function reshape<const S extends Shape>(shape: S): <D extends DType>(x: Tensor<D>) => Tensor<D, S>;
export function reshape(...args: unknown[]): unknown {
  return dispatch('reshape', args, reshapeImpl);
}

function transposeImpl(x: Tensor, perm?: readonly number[]): Tensor {
  const p = perm ? perm.map((a) => normAxis('transpose', x, a)) : x.shape.map((_, i) => x.ndim - 1 - i);
  return p.every((a, i) => a === i) ? x : bind1('transpose', [x], { perm: p });
}
export function transpose<D extends DType>(x: Tensor<D>, perm?: readonly number[]): Tensor<D>;
export function transpose(perm?: readonly number[]): <D extends DType>(x: Tensor<D>) => Tensor<D>;
export function transpose(...args: unknown[]): unknown {
  return dispatch('transpose', args, transposeImpl);
}

/** Swaps the last two axes. */
export const mT = <D extends DType>(x: Tensor<D>): Tensor<D> =>
  transposeImpl(tensorArg('mT', 'x', x), [...x.shape.map((_, i) => i).slice(0, -2), x.ndim - 1, x.ndim - 2]) as Tensor<D>;

export function broadcastTo<D extends DType, const S extends Shape>(x: Tensor<D>, shape: S): Tensor<D, S>;
export function broadcastTo<const S extends Shape>(shape: S): <D extends DType>(x: Tensor<D>) => Tensor<D, S>;
export function broadcastTo(...args: unknown[]): unknown {
  return dispatch('broadcastTo', args, (x: Tensor, shape: Shape) => broadcastToCore(x, shape));
}

const expandDimsImpl = (x: Tensor, axis: number): Tensor => {
  const a = axis < 0 ? axis + x.ndim + 1 : axis;
  if (a < 0 || a > x.ndim) fail('expandDims', [x], `axis ${axis} out of range`);
  return reshapeImpl(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
};
export const expandDims = dual(expandDimsImpl, 'expandDims');

const squeezeImpl = (x: Tensor, axis?: number | readonly number[]): Tensor => {
  const axes = axis === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : normAxes('squeeze', x, axis);
  for (const a of axes) if (x.shape[a] !== 1) fail('squeeze', [x], `axis ${a} has size ${x.shape[a]}, not 1`);
  return reshapeImpl(x, x.shape.filter((_, i) => !axes.includes(i)));
};
export const squeeze = dual(squeezeImpl, 'squeeze');

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
export const slice = dual(sliceImpl, 'slice');

/** Slice along one axis: sliceAxis(x, axis, start, stop). */
export const sliceAxis = dual((x: Tensor, axis: number, start: number, stop: number) => {
  const a = normAxis('sliceAxis', x, axis);
  return sliceImpl(x, x.shape.map((_, i) => (i === a ? ([start, stop] as const) : null)));
}, 'sliceAxis');

const padImpl = (x: Tensor, widths: readonly (readonly [number, number])[], value = 0): Tensor => {
  if (widths.length !== x.ndim) fail('pad', [x], `needs ${x.ndim} (lo, hi) pairs, got ${widths.length}`);
  return bind1('pad', [x], { lo: widths.map((w) => w[0]), hi: widths.map((w) => w[1]), value });
};
/** pad(x, [[lo, hi], ...], value = 0). */
export const pad = dual(padImpl, 'pad');

export function concat<D extends DType>(xs: readonly Tensor<D>[], axis = 0): Tensor<D> {
  if (!Array.isArray(xs)) throw new TypeError(`concat: argument xs must be an array of tensors, got ${describeValue(xs)}`);
  if (xs.length === 0) throw new Error('concat: needs at least one tensor');
  xs.forEach((x, i) => tensorArg('concat', `xs[${i}]`, x));
  return (xs.length === 1 ? xs[0] : bind1('concat', xs, { axis: normAxis('concat', xs[0], axis) })) as Tensor<D>;
}

export function stack<D extends DType>(xs: readonly Tensor<D>[], axis = 0): Tensor<D> {
  if (!Array.isArray(xs)) throw new TypeError(`stack: argument xs must be an array of tensors, got ${describeValue(xs)}`);
  xs.forEach((x, i) => tensorArg('stack', `xs[${i}]`, x));
  return concat(xs.map((x) => expandDimsImpl(x, axis) as Tensor<D>), axis < 0 ? axis + xs[0].ndim + 1 : axis);
}

const reverseImpl = (x: Tensor, axis: number | readonly number[]): Tensor => bind1('reverse', [x], { axes: normAxes('reverse', x, axis) });
export const reverse = dual(reverseImpl, 'reverse');

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
export function take(...args: unknown[]): unknown {
  const [a, b, c] = args;
  if (b instanceof Tensor) return takeImpl(tensorArg('take', 'x', a), b, c as number | undefined);
  if ((b !== undefined && typeof b !== 'number') || args.length >= 3) tensorArg('take', 'indices', b);
  const indices = tensorArg('take', 'indices', a);
  return (x: Tensor) => takeImpl(tensorArg('take', 'x', x), indices, b as number | undefined);
}
