/**
 * Scans: cumulative sum, the diagonal linear recurrence x_t = a_t ⊙ x_{t-1} + b_t, and the
 * general associative scan whose combine is a DSL function over tuples of scalars, traced
 * into a sub-IR. A reversed scan is flip, scan, flip.
 */
import { ShapeDtypeError, userCallSite } from '../../compiler/errors';
import { traceCombine, type Combine } from '../../compiler/combine';
import { bind, bind1 } from '../../compiler/tracer';
import type { Shape } from '../../compiler/shape';
import { Tensor } from '../tensor';
import { alignOperands, describeValue, normAxis, tensorArg } from './core';

export interface ScanOptions {
  readonly axis?: number;
  readonly reverse?: boolean;
}

/** linearRecurrence's options: the scanned axis has no default (the time axis of [B, L, N] is 1). */
export interface RecurrenceOptions {
  readonly axis: number;
  readonly reverse?: boolean;
}

export function cumsum<D extends 'f32' | 'i32' | 'c64', S extends Shape>(x: Tensor<D, S>, opts: ScanOptions = {}): Tensor<D, S> {
  return bind1('cumsum', [tensorArg('cumsum', 'x', x)], { axis: normAxis('cumsum', x, opts.axis ?? -1), reverse: opts.reverse ?? false }) as never;
}

/**
 * x_t = a_t ⊙ x_{t-1} + b_t with x_{-1} = 0 along `opts.axis` (required: for b of shape
 * [B, L, N] the time axis is 1); a broadcasts against b. Reversed: x_t = a_t ⊙ x_{t+1} + b_t.
 */
export function linearRecurrence<D extends 'f32' | 'c64'>(a: Tensor<D> | Tensor<'f32'>, b: Tensor<D>, opts: RecurrenceOptions): Tensor<D> {
  const [aa, bb] = alignOperands('linearRecurrence', [tensorArg('linearRecurrence', 'a', a), tensorArg('linearRecurrence', 'b', b)], ['a', 'b']);
  if (typeof opts !== 'object' || opts === null || typeof opts.axis !== 'number') {
    throw new TypeError(`linearRecurrence: options { axis } are required (the axis to scan; for [B, L, N] inputs the time axis is 1), got ${describeValue(opts)}`);
  }
  return bind1('linrec', [aa, bb], { axis: normAxis('linearRecurrence', bb, opts.axis), reverse: opts.reverse ?? false }) as never;
}

export { type Combine, traceCombine } from '../../compiler/combine';

/**
 * Inclusive associative scan: y_0 = x_0, y_t = y_{t-1} ⊕ x_t, applied elementwise over the
 * other axes; ⊕ works on tuples (one tensor per operand) and must be associative.
 */
export function associativeScan(combine: Combine, xs: readonly Tensor[], opts: ScanOptions = {}): Tensor[] {
  if (typeof combine !== 'function') throw new TypeError(`associativeScan: argument combine must be a function, got ${describeValue(combine)}`);
  if (!Array.isArray(xs)) throw new TypeError(`associativeScan: argument xs must be an array of tensors, got ${describeValue(xs)}`);
  if (xs.length === 0) throw new Error('associativeScan: needs at least one operand');
  xs.forEach((x, i) => tensorArg('associativeScan', `xs[${i}]`, x));
  for (const x of xs) {
    if (x.shape.join() !== xs[0].shape.join()) {
      throw new ShapeDtypeError('associativeScan', xs.map((t) => t.aval), 'operands must have identical shapes', userCallSite());
    }
  }
  const closed = traceCombine(combine, xs.map((x) => x.dtype));
  return bind('assoc_scan', xs, { axis: normAxis('associativeScan', xs[0], opts.axis ?? 0), reverse: opts.reverse ?? false, combine: closed });
}
