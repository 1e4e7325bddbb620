/**
 * Special functions composed from primitives: erfinv (M. Giles, "Approximating the erfinv
 * function", GPU Computing Gems, 2010: single-precision polynomials in w = -log(1 - x²)),
 * and the GELU variants.
 */
import type { Shape } from '../../compiler/shape';
import type { Tensor } from '../tensor';
import { add, erf, less, log, mul, sqrt, sub, tanh, where } from './elementwise';

const CENTRAL = [2.81022636e-8, 3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 2.1858087e-4, -1.25372503e-3, -4.17768164e-3, 0.246640727, 1.50140941];
const TAIL = [-2.00214257e-4, 1.00950558e-4, 1.34934322e-3, -3.67342844e-3, 5.73950773e-3, -7.6224613e-3, 9.43887047e-3, 1.00167406, 2.83297682];

const horner = (coeffs: readonly number[], w: Tensor<'f32'>): Tensor<'f32'> =>
  coeffs.slice(1).reduce<Tensor<'f32'>>((p, c) => add(mul(p, w), c), add(mul(w, 0), coeffs[0]));

export function erfinv<S extends Shape>(x: Tensor<'f32', S>): Tensor<'f32', S> {
  const w = log(mul(sub(1, x), add(x, 1))) as Tensor<'f32'>;
  const nw = mul(w, -1);
  const central = horner(CENTRAL, sub(nw, 2.5));
  const tail = horner(TAIL, sub(sqrt(nw), 3));
  return mul(where(less(nw, 5), central, tail), x) as never;
}

/** GELU, tanh approximation (Flax's default): 0.5 x (1 + tanh(sqrt(2/π)(x + 0.044715 x³))). */
export function gelu<S extends Shape>(x: Tensor<'f32', S>): Tensor<'f32', S> {
  const inner = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return mul(mul(x, 0.5), add(tanh(inner), 1)) as never;
}

/** Exact GELU: x Φ(x) = 0.5 x (1 + erf(x / √2)). */
export function geluExact<S extends Shape>(x: Tensor<'f32', S>): Tensor<'f32', S> {
  return mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1)) as never;
}
