/**
 * The S5 layer (Smith, Warrington & Linderman 2023; spec §1): a MIMO diagonal SSM over the
 * HiPPO-N eigenbasis, evaluated in parallel by a linear recurrence over the sequence axis, or
 * one step at a time.
 *
 * Parameters (Ph = P/2 with conjSym, else P; H the model width):
 *   Lambda_re, Lambda_im  f32[Ph]      Λ = min(Lambda_re, -1e-4 if clipEigs) + i Lambda_im
 *   B                     c64[Ph, H]   B̃ = V⁻¹ B0
 *   C                     c64[H, Ph]   C̃ (c64[H, 2Ph] = [C̃1 | C̃2] when bidirectional)
 *   D                     f32[H]
 *   log_step              f32[Ph]      Δ_n = stepRescale · exp(log_step_n), one step per state
 *
 * Parallel mode, inputs u: f32[B, L, H]:
 *   x_t = Λ̄_t ⊙ x_{t-1} + gain_t ⊙ (B̃ u_t),   y_t = f · Re(C̃ x_t) + D ⊙ u_t,   f = 2 with conjSym
 * Bidirectional adds the reversed scan x2_t = Λ̄_t ⊙ x2_{t+1} + gain_t ⊙ (B̃ u_t) (it includes u_t)
 * and uses C̃ = [C̃1 | C̃2] on [x_t; x2_t].
 * Irregular sampling: `timesteps` τ: f32[B, L] scales the steps per time step,
 * Δ_{t,n} = stepRescale · exp(log_step_n) · τ_t, so Λ̄_t and gain_t differ per step.
 * Recurrent mode is causal: it exists for unidirectional layers only.
 */
import { pipe } from 'fp-ts/function';
import * as T from '../index';
import type { S5Config } from './config';
import { discretizeDiagonal } from './discretize';
import { complexMatrixTensor, keySampler, realTensor } from './initTools';
import { initS5 as initS5Numerics } from './numerics/s5init';

export interface S5Params {
  readonly Lambda_re: T.Tensor<'f32'>;
  readonly Lambda_im: T.Tensor<'f32'>;
  readonly B: T.Tensor<'c64'>;
  readonly C: T.Tensor<'c64'>;
  readonly D: T.Tensor<'f32'>;
  readonly log_step: T.Tensor<'f32'>;
}

export interface S5ApplyOptions {
  /** Multiplies every step size (S5 evaluates Speech Commands at half rate with 2). Default 1. */
  readonly stepRescale?: number;
  /** Relative step sizes τ: f32[B, L] (irregular sampling). */
  readonly timesteps?: T.Tensor<'f32'>;
}

/** Initial S5 parameters for model width H (HiPPO-N blocks, conj-sym halving, B/C init variants; spec §1.2-1.3). */
export function initS5(config: S5Config, H: number, key: T.random.Key): S5Params {
  const p = initS5Numerics(
    { H, P: config.P, blocks: config.blocks, cInit: config.cInit, conjSym: config.conjSym, bidirectional: config.bidirectional, dtMin: config.dtMin, dtMax: config.dtMax },
    keySampler(key),
  );
  const Ph = p.LambdaRe.length;
  return {
    Lambda_re: realTensor(p.LambdaRe, [Ph]),
    Lambda_im: realTensor(p.LambdaIm, [Ph]),
    B: complexMatrixTensor(p.B),
    C: complexMatrixTensor(p.C),
    D: realTensor(p.D, [H]),
    log_step: realTensor(p.logStep, [Ph]),
  };
}

/** Λ with the optional left-half-plane clamp Re Λ <= -1e-4 (the parameter itself is unchanged). */
export const s5Lambda = (params: S5Params, clipEigs: boolean): T.Tensor<'c64'> =>
  T.complex(clipEigs ? T.minimum(params.Lambda_re, -1e-4) : params.Lambda_re, params.Lambda_im);

/** Δ = stepRescale · exp(log_step): f32[Ph]. */
export const s5Steps = (params: S5Params, stepRescale = 1): T.Tensor<'f32'> => T.mul(T.exp(params.log_step), stepRescale);

const outputFactor = (config: S5Config): number => (config.conjSym ? 2 : 1);

/** y = f · Re(x C̃ᵀ) + D ⊙ u for states x: c64[..., Ph or 2Ph] and inputs u: f32[..., H]. */
const readout = (config: S5Config, params: S5Params, x: T.Tensor<'c64'>, u: T.Tensor<'f32'>): T.Tensor<'f32'> =>
  T.add(T.mul(T.real(T.matmul(x, T.mT(params.C))), outputFactor(config)), T.mul(params.D, u));

/** The S5 layer in parallel mode: u f32[B, L, H] -> y f32[B, L, H]. */
export function applyS5(config: S5Config, params: S5Params, u: T.Tensor<'f32'>, options: S5ApplyOptions = {}): T.Tensor<'f32'> {
  if (u.ndim !== 3) throw new RangeError(`S5: inputs must be [batch, length, H], got shape [${u.shape.join(',')}]`);
  const tau = options.timesteps;
  if (tau && (tau.ndim !== 2 || tau.shape[0] !== u.shape[0] || tau.shape[1] !== u.shape[1])) {
    throw new RangeError(`S5: timesteps must be [batch, length] = [${u.shape.slice(0, 2).join(',')}], got [${tau.shape.join(',')}]`);
  }
  return s5Parallel(config, params, u, options, 1);
}

/**
 * The layer's parallel form over inputs u f32[..., L, H] whose time axis is `timeAxis`, with τ
 * (when given) shaped like u without H.
 */
function s5Parallel(config: S5Config, params: S5Params, u: T.Tensor<'f32'>, options: S5SequenceOptions, timeAxis: number): T.Tensor<'f32'> {
  const steps = s5Steps(params, options.stepRescale);
  const tau = options.timesteps;
  // Δ: f32[Ph], or f32[..., L, Ph] with per-step intervals.
  const Delta = tau ? T.mul(T.expandDims(tau, -1), steps) : steps;
  const { Abar, gain } = discretizeDiagonal(s5Lambda(params, config.clipEigs), Delta, config.discretization);
  const Bu = pipe(u, T.cast('c64'), T.matmul(T.mT(params.B)), T.mul(gain));
  const forward = T.linearRecurrence(Abar, Bu, { axis: timeAxis });
  const states = config.bidirectional ? T.concat([forward, T.linearRecurrence(Abar, Bu, { axis: timeAxis, reverse: true })], -1) : forward;
  return readout(config, params, states, u);
}

export interface S5SequenceOptions {
  /** Multiplies every step size. Default 1. */
  readonly stepRescale?: number;
  /** Relative step sizes τ of this sequence: f32[L] (irregular sampling). */
  readonly timesteps?: T.Tensor<'f32'>;
}

/**
 * The S5 layer on one sequence, u f32[L, H] -> y f32[L, H], as the reference writes it; map it
 * over a batch with `T.vmap` (inAxes 0 for u and τ, null for the parameters). It compiles to
 * the same kernels as `applyS5` on the batch.
 */
export function applyS5Sequence(config: S5Config, params: S5Params, u: T.Tensor<'f32'>, options: S5SequenceOptions = {}): T.Tensor<'f32'> {
  if (u.ndim !== 2) throw new RangeError(`S5: one sequence must be [length, H], got shape [${u.shape.join(',')}]`);
  const tau = options.timesteps;
  if (tau && (tau.ndim !== 1 || tau.shape[0] !== u.shape[0])) {
    throw new RangeError(`S5: timesteps of one sequence must be [length] = [${u.shape[0]}], got [${tau.shape.join(',')}]`);
  }
  return s5Parallel(config, params, u, options, 0);
}

/** The discretised system a recurrent S5 step uses (computed once; per-step τ re-discretises). */
export interface S5Recurrent {
  readonly kind: 's5';
  readonly Lambda: T.Tensor<'c64'>;
  readonly steps: T.Tensor<'f32'>;
  readonly Abar: T.Tensor<'c64'>;
  readonly gain: T.Tensor<'c64'>;
}

function causalOnly(config: S5Config): void {
  if (config.bidirectional) throw new Error('S5: recurrent mode is causal; a bidirectional layer has no step form (use parallel mode)');
}

export function s5Recurrent(config: S5Config, params: S5Params, stepRescale = 1): S5Recurrent {
  causalOnly(config);
  const Lambda = s5Lambda(params, config.clipEigs);
  const steps = s5Steps(params, stepRescale);
  return { kind: 's5', Lambda, steps, ...discretizeDiagonal(Lambda, steps, config.discretization) };
}

/** The zero state c64[batch, Ph]. */
export const s5InitialState = (params: S5Params, batch: number): T.Tensor<'c64'> => T.zeros([batch, params.Lambda_re.shape[0]], 'c64');

/**
 * One recurrent step: state c64[B, Ph], u f32[B, H] (and optionally τ f32[B]) ->
 * x = Λ̄ ⊙ state + gain ⊙ (B̃ u), y = f · Re(C̃ x) + D ⊙ u. O(Ph·H) per token.
 */
export function s5Step(
  config: S5Config,
  params: S5Params,
  system: S5Recurrent,
  state: T.Tensor<'c64'>,
  u: T.Tensor<'f32'>,
  timestep?: T.Tensor<'f32'>,
): { state: T.Tensor<'c64'>; y: T.Tensor<'f32'> } {
  causalOnly(config);
  const { Abar, gain } = timestep
    ? discretizeDiagonal(system.Lambda, T.mul(T.expandDims(timestep, -1), system.steps), config.discretization)
    : system;
  const x = pipe(u, T.cast('c64'), T.matmul(T.mT(params.B)), T.mul(gain), T.add(T.mul(Abar, state)));
  return { state: x, y: readout(config, params, x, u) };
}
