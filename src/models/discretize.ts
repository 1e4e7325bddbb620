/**
 * Discretisation of diagonal continuous-time systems x' = Λx + Bu with step Δ, elementwise
 * over the states (S5 §1.4, S4D §4.1-4.2), as DSL pipelines. Λ and Δ broadcast, so Δ may be a
 * scalar per state, per channel, or per time step (irregular sampling):
 *   ZOH:      Λ̄ = exp(ΛΔ),                            gain = (Λ̄ - 1) / Λ
 *   bilinear: g = 1 / (1 - ΔΛ/2),  Λ̄ = g (1 + ΔΛ/2),   gain = g Δ
 * and B̄ = gain ⊙ B (row n of B scaled by gain_n).
 *
 * The ZOH gain carries its own VJP (T.customVjp): with z = ΛΔ, gain = Δ·φ₁(z), φ₁(z) = (e^z − 1)/z,
 *   ∂gain/∂Λ = Δ²·φ₁'(z),   ∂gain/∂Δ = e^z,
 * with φ₁' by its Taylor series where |z| < 1/2. Differentiating the quotient directly gives
 * Δe^z/Λ − (e^z − 1)/Λ², two terms of size Δ/|z| times Δ that cancel to Δ²/2: in float32 the
 * gradient in Λ loses about eps/|z|² relative accuracy (percents at |ΛΔ| ≈ 10⁻³).
 */
import * as T from '../index';
import type { Discretization } from './config';

export interface DiagonalSystem {
  readonly Abar: T.Tensor<'c64'>;
  readonly gain: T.Tensor<'c64'>;
}

/** φ₁'(z) = d/dz (e^z − 1)/z = Σ_{k≥1} k·z^{k−1}/(k+1)!: the series below |z| = 1/2 (truncated after z⁸), the closed form (e^z(z − 1) + 1)/z² above. */
function phi1Derivative(z: T.Tensor<'c64'>): T.Tensor<'c64'> {
  const coefficients = Array.from({ length: 9 }, (_, i) => (i + 1) / factorial(i + 2));
  const series = coefficients.slice(0, -1).reduceRight<T.Tensor<'c64'>>((acc, c) => T.add(T.mul(acc, z), c), T.add(T.zerosLike(z), coefficients[8]));
  const small = T.less(T.abs(z), 0.5);
  // The closed form is evaluated away from 0 everywhere, so no branch holds a 0/0.
  const safe = T.where(small, T.add(T.zerosLike(z), 0.5), z);
  const closed = T.div(T.add(T.mul(T.exp(safe), T.sub(safe, 1)), 1), T.mul(safe, safe));
  return T.where(small, series, closed);
}

const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));

/**
 * ZOH of Λ and Δ of one shape: [Λ̄, gain] = [e^{ΛΔ}, (e^{ΛΔ} − 1)/Λ], with the VJP above
 * (∂Λ̄/∂Λ = Δ·Λ̄, ∂Λ̄/∂Δ = Λ·Λ̄).
 */
export const zoh = T.customVjp(
  (Lambda: T.Tensor<'c64'>, Delta: T.Tensor<'f32'>): T.Tensor<'c64'>[] => {
    const Abar = T.exp(T.mul(Lambda, Delta));
    return [Abar, T.div(T.sub(Abar, 1), Lambda)];
  },
  ([Lambda, Delta], [Abar], [ctAbar, ctGain]) => {
    const z = T.mul(Lambda, Delta);
    const dGain = T.mul(phi1Derivative(z), T.mul(Delta, Delta));
    const ctLambda = T.add(T.mul(ctAbar, T.conj(T.mul(Abar, Delta))), T.mul(ctGain, T.conj(dGain)));
    const ctDelta = T.add(T.real(T.mul(ctAbar, T.conj(T.mul(Abar, Lambda)))), T.real(T.mul(ctGain, T.conj(Abar))));
    return [ctLambda, ctDelta];
  },
);

export function discretizeDiagonal(Lambda: T.Tensor<'c64'>, Delta: T.Tensor<'f32'>, method: Discretization): DiagonalSystem {
  if (method === 'zoh') {
    const shape = T.broadcastShapes(Lambda.shape, Delta.shape);
    if (!shape) T.mul(Lambda, Delta); // raises the frontend's broadcasting error
    const [Abar, gain] = zoh(T.broadcastTo(Lambda, shape as number[]), T.broadcastTo(Delta, shape as number[]));
    return { Abar, gain };
  }
  const half = T.mul(Lambda, T.mul(Delta, 0.5));
  const g = T.div(1, T.sub(1, half));
  return { Abar: T.mul(g, T.add(half, 1)), gain: T.mul(g, Delta) };
}
