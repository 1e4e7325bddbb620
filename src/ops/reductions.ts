/**
 * Reductions and the ops composed from them: sum, mean, max, min, argmax, logsumexp,
 * softmax, logSoftmax, variance. Each takes `{ axis, keepdims }` options, data-first
 * `T.sum(x, { axis: -1 })` or data-last `T.sum({ axis: -1 })`; `pipe(x, T.sum)` sums everything.
 */
import type { DType } from '../../compiler/dtype';
import { bind1 } from '../../compiler/tracer';
import { Tensor } from '../tensor';
import { describeValue, normAxes, normAxis, scalarTensor, tensorArg } from './core';
import { div, exp, log, mul, neg, sub } from './elementwise';

export interface ReduceOptions {
  readonly axis?: number | readonly number[];
  readonly keepdims?: boolean;
}

export interface Reduction<In extends DType, Out extends DType | 'same' = 'same'> {
  <D extends In>(x: Tensor<D>, opts?: ReduceOptions): Tensor<Out extends 'same' ? D : Out>;
  (opts: ReduceOptions): <D extends In>(x: Tensor<D>) => Tensor<Out extends 'same' ? D : Out>;
}

/** Implementations work on f32-typed handles; the public signature carries the real dtypes. */
type Impl = (x: Tensor<'f32'>, axes: number[], keepdims: boolean) => Tensor;

const OPTION_KEYS = new Set(['axis', 'keepdims']);

/** Options given as the data-last form: a plain record of axis / keepdims, else an error naming what it was. */
function reduceOptions(op: string, opts: unknown, dataLast: boolean): ReduceOptions {
  if (opts === undefined) return {};
  const isRecord = typeof opts === 'object' && opts !== null && !Array.isArray(opts) && !(opts instanceof Tensor);
  if (!isRecord || !Object.keys(opts).every((k) => OPTION_KEYS.has(k))) {
    throw new TypeError(
      dataLast
        ? `${op}: argument x must be a tensor (or, for pipe, options { axis, keepdims }), got ${describeValue(opts)}`
        : `${op}: options must be { axis?, keepdims? }, got ${describeValue(opts)}`,
    );
  }
  return opts as ReduceOptions;
}

/** Data-first `op(x, opts?)` when the first argument is a tensor; data-last `op(opts)` only with one options record. */
function reduction<In extends DType, Out extends DType | 'same' = 'same'>(impl: Impl, op: string): Reduction<In, Out> {
  const run = (x: Tensor, opts: ReduceOptions): Tensor => impl(x as Tensor<'f32'>, normAxes(op, x, opts.axis), opts.keepdims ?? false);
  return ((...args: unknown[]) => {
    const [a, b] = args;
    if (a instanceof Tensor) return run(a, reduceOptions(op, b, false));
    if (args.length > 1) tensorArg(op, 'x', a);
    const opts = reduceOptions(op, a, true);
    return (x: Tensor) => run(tensorArg(op, 'x', x), opts);
  }) as Reduction<In, Out>;
}

function keep(x: Tensor, r: Tensor, axes: number[], keepdims: boolean): Tensor<'f32'> {
  return (keepdims ? bind1('reshape', [r], { shape: x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) }) : r) as Tensor<'f32'>;
}

const sumImpl = (x: Tensor, axes: number[], keepdims: boolean): Tensor<'f32'> =>
  keep(x, axes.length ? bind1('reduce_sum', [x], { axes }) : x, axes, keepdims);
const maxImpl = (x: Tensor, axes: number[], keepdims: boolean): Tensor<'f32'> =>
  keep(x, axes.length ? bind1('reduce_max', [x], { axes }) : x, axes, keepdims);
const count = (x: Tensor, axes: number[]): number => axes.reduce((n, a) => n * x.shape[a], 1);

export const sum = reduction<'f32' | 'i32' | 'c64'>(sumImpl, 'sum');
export const mean = reduction<'f32' | 'c64'>((x, axes, k) => div(sumImpl(x, axes, k), count(x, axes)), 'mean');
export const max = reduction<'f32' | 'i32'>(maxImpl, 'max');
/** min x = −max(−x); for i32, −1 − max(−1 − x), which cannot overflow at INT32_MIN. */
export const min = reduction<'f32' | 'i32'>(
  (x, axes, k) => ((x.dtype as DType) === 'i32' ? sub(-1, maxImpl(sub(-1, x), axes, k)) : neg(maxImpl(neg(x), axes, k))),
  'min',
);

/** Variance (biased, as normalisation layers use it). */
export const variance = reduction<'f32'>((x, axes, k) => {
  const m = sumImpl(x, axes, true);
  const centred = sub(x, div(m, count(x, axes)));
  return div(sumImpl(mul(centred, centred), axes, k), count(x, axes));
}, 'variance');

/**
 * log Σ exp(x), shifted by the maximum m for stability: log Σ exp(x − m) + m. The value does
 * not depend on m, so m is held constant under differentiation (stop_gradient): gradients do
 * not pass through the maximum, whose contributions would cancel exactly.
 */
export const logsumexp = reduction<'f32'>((x, axes, k) => {
  const max = maxImpl(x, axes, true);
  // A shift of 0 where the maximum is infinite keeps log Σ exp(−∞) = −∞ (not ∞ − ∞).
  const zero = bind1('broadcast_in_dim', [scalarTensor(0, 'f32')], { shape: [...max.shape], dims: [] });
  const finite = bind1('eq', [sub(max, max), zero], {});
  const m = bind1('stop_gradient', [bind1('select', [finite, max, zero], {})], {}) as Tensor<'f32'>;
  const s = bind1('add', [log(sumImpl(exp(sub(x, m)), axes, true)), m], {});
  return k ? s : bind1('reshape', [s], { shape: x.shape.filter((_, i) => !axes.includes(i)) });
}, 'logsumexp');

export function argmax<D extends 'f32' | 'i32'>(x: Tensor<D>, axis = -1): Tensor<'i32'> {
  return bind1('argmax', [tensorArg('argmax', 'x', x)], { axis: normAxis('argmax', x, axis) }) as Tensor<'i32'>;
}

const axisArg = (op: string, axis: unknown): number => {
  if (typeof axis !== 'number') throw new TypeError(`${op}: takes an axis, ${op}(axis)(x); got ${describeValue(axis)}${axis instanceof Tensor ? ` (write ${op}(-1)(x))` : ''}`);
  return axis;
};
export const logSoftmax = (axis = -1) => {
  const a = axisArg('logSoftmax', axis);
  return (x: Tensor<'f32'>): Tensor<'f32'> => sub(tensorArg('logSoftmax', 'x', x) as Tensor<'f32'>, logsumexp(x, { axis: a, keepdims: true }));
};
export const softmax = (axis = -1) => {
  const a = axisArg('softmax', axis);
  return (x: Tensor<'f32'>): Tensor<'f32'> => exp(logSoftmax(a)(tensorArg('softmax', 'x', x) as Tensor<'f32'>));
};
