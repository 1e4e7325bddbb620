/**
 * stopGradient(x): the value x, seen by differentiation as a constant (JAX's stop_gradient).
 * It binds the `stop_gradient` primitive, whose VJP and JVP are zero and which is the identity
 * everywhere else (the interpreter, and jit, whose first pass removes it). Works on a tensor or
 * on a pytree of tensors, leaf by leaf; non-tensor leaves pass through.
 */
import { bind1 } from '../compiler/tracer';
import { flatten, unflatten } from './pytree';
import { Tensor } from './tensor';

export function stopGradient<T>(x: T): T {
  if (x instanceof Tensor) return bind1('stop_gradient', [x], {}) as T;
  const [leaves, def] = flatten(x);
  return unflatten<T>(def, leaves.map((l) => bind1('stop_gradient', [l as Tensor], {})));
}
