/**
 * Discretisation of diagonal continuous-time systems x' = Λx + Bu with step Δ, elementwise
 * over the states (S5 §1.4, S4D §4.1-4.2), as DSL pipelines. Λ and Δ broadcast, so Δ may be a
 * scalar per state, per channel, or per time step (irregular sampling):
 *   ZOH:      Λ̄ = exp(ΛΔ),                            gain = (Λ̄ - 1) / Λ
 *   bilinear: g = 1 / (1 - ΔΛ/2),  Λ̄ = g (1 + ΔΛ/2),   gain = g Δ
 * and B̄ = gain ⊙ B (row n of B scaled by gain_n).
 */
import * as T from '../index';
import type { Discretization } from './config';

export interface DiagonalSystem {
  readonly Abar: T.Tensor<'c64'>;
  readonly gain: T.Tensor<'c64'>;
}

export function discretizeDiagonal(Lambda: T.Tensor<'c64'>, Delta: T.Tensor<'f32'>, method: Discretization): DiagonalSystem {
  if (method === 'zoh') {
    const Abar = T.exp(T.mul(Lambda, Delta));
    return { Abar, gain: T.div(T.sub(Abar, 1), Lambda) };
  }
  const half = T.mul(Lambda, T.mul(Delta, 0.5));
  const g = T.div(1, T.sub(1, half));
  return { Abar: T.mul(g, T.add(half, 1)), gain: T.mul(g, Delta) };
}
