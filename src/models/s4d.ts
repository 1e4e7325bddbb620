/**
 * The S4D layer (Gu et al. 2022, "On the parameterization and initialization of diagonal state
 * space models"; spec §4.1-4.2): H independent SISO diagonal SSMs with N/2 stored
 * conjugate-pair states each, applied as a convolution whose kernel is a Vandermonde product.
 *
 * Parameters (Nh = N/2, ch = 2 when bidirectional else 1):
 *   log_A_real  f32[H, Nh]      A = -exp(log_A_real) + i A_imag   (Re A < 0 by construction)
 *   A_imag      f32[H, Nh]
 *   B           c64[H, Nh]      ones for Lin/Inv/Real, V^H sqrt(2n+1) for LegS
 *   C           c64[ch, H, Nh]  one output vector per kernel direction
 *   D           f32[H]
 *   log_dt      f32[H]          Δ_h = exp(log_dt_h)
 *
 * Kernel, l = 0..L-1:
 *   ZOH:      K_l = 2 Re Σ_n C_n B_n (exp(ΔA_n) - 1)/A_n · exp(ΔA_n l)
 *   bilinear: K_l = 2 Re Σ_n C_n B_n Δ/(1 - ΔA_n/2) · exp(l log Ā_n),  Ā_n = (1 + ΔA_n/2)/(1 - ΔA_n/2)
 * with log Ā = log|Ā| + i arg Ā (the principal branch suffices for integer powers).
 * Recurrent mode: x_k = Ā ⊙ x_{k-1} + B̄ u_k, y_k = 2 Re(C · x_k) + D u_k (causal layers only).
 */
import { pipe } from 'fp-ts/function';
import * as T from '../index';
import type { S4DConfig } from './config';
import { type DiagonalSystem, discretizeDiagonal } from './discretize';
import { fftConvolve } from './fftConv';
import { keySampler, realTensor, stackComplexVectors } from './initTools';
import { initS4D as initS4DNumerics } from './numerics/s4init';

export interface S4DParams {
  readonly log_A_real: T.Tensor<'f32'>;
  readonly A_imag: T.Tensor<'f32'>;
  readonly B: T.Tensor<'c64'>;
  readonly C: T.Tensor<'c64'>;
  readonly D: T.Tensor<'f32'>;
  readonly log_dt: T.Tensor<'f32'>;
}

const kernelChannels = (bidirectional: boolean): number => (bidirectional ? 2 : 1);

/** H copies of a per-channel vector, as f32[H, n]. */
const tileRows = (values: Float64Array, H: number): T.Tensor<'f32'> =>
  realTensor(Float64Array.from({ length: H * values.length }, (_, i) => values[i % values.length]), [H, values.length]);

export function initS4D(config: S4DConfig, H: number, key: T.random.Key): S4DParams {
  const ch = kernelChannels(config.bidirectional);
  const p = initS4DNumerics({ H: ch * H, N: config.N, init: config.init, dtMin: config.dtMin, dtMax: config.dtMax }, keySampler(key));
  const Nh = config.N / 2;
  const cRows = Array.from({ length: ch * H }, (_, r) => ({ re: p.C.re.subarray(r * Nh, (r + 1) * Nh), im: p.C.im.subarray(r * Nh, (r + 1) * Nh) }));
  return {
    log_A_real: tileRows(p.A.re.map((a) => Math.log(-a)), H),
    A_imag: tileRows(p.A.im, H),
    B: stackComplexVectors(Array.from({ length: H }, () => p.B)),
    C: T.reshape(stackComplexVectors(cRows), [ch, H, Nh]),
    D: realTensor(p.D.subarray(0, H), [H]),
    log_dt: realTensor(p.logDt.subarray(0, H), [H]),
  };
}

/** A: c64[H, Nh]. */
export const s4dA = (params: S4DParams): T.Tensor<'c64'> => T.complex(T.neg(T.exp(params.log_A_real)), params.A_imag);

/** Δ as f32[H, 1], broadcasting over the states. */
export const channelSteps = (log_dt: T.Tensor<'f32'>): T.Tensor<'f32'> => pipe(log_dt, T.exp, T.expandDims(-1));

export const s4dDiscretize = (config: S4DConfig, params: S4DParams): DiagonalSystem =>
  discretizeDiagonal(s4dA(params), channelSteps(params.log_dt), config.discretization);

/** The convolution kernel f32[ch, H, L] by the Vandermonde product. */
export function s4dKernel(config: S4DConfig, params: S4DParams, L: number): T.Tensor<'f32'> {
  const A = s4dA(params);
  const dt = channelSteps(params.log_dt);
  const { Abar, gain } = discretizeDiagonal(A, dt, config.discretization);
  // Per-lag exponent: ΔA (ZOH) or log Ā (bilinear); exp of either is Ā.
  const rate = config.discretization === 'zoh' ? T.mul(A, dt) : T.complex(T.log(T.abs(Abar)), T.angle(Abar));
  const lags = T.arange(L, 'f32');
  const vandermonde = T.exp(T.mul(T.expandDims(rate, -1), lags)); // [H, Nh, L]
  const coefficients = T.expandDims(T.mul(params.C, T.mul(params.B, gain)), -2); // [ch, H, 1, Nh]
  return T.mul(pipe(T.matmul(coefficients, vandermonde), T.squeeze(-2), T.real), 2);
}

/** The S4D layer in convolution mode: u f32[B, L, H] -> y f32[B, L, H]. */
export function applyS4D(config: S4DConfig, params: S4DParams, u: T.Tensor<'f32'>): T.Tensor<'f32'> {
  if (u.ndim !== 3) throw new RangeError(`S4D: inputs must be [batch, length, H], got shape [${u.shape.join(',')}]`);
  return fftConvolve(u, s4dKernel(config, params, u.shape[1]), params.D);
}

export interface S4DRecurrent {
  readonly kind: 's4d';
  readonly Abar: T.Tensor<'c64'>;
  /** B̄ = gain ⊙ B: c64[H, Nh]. */
  readonly Bbar: T.Tensor<'c64'>;
  readonly C: T.Tensor<'c64'>;
}

export function s4dRecurrent(config: S4DConfig, params: S4DParams): S4DRecurrent {
  if (config.bidirectional) throw new Error('S4D: recurrent mode is causal; a bidirectional layer has no step form (use convolution mode)');
  const { Abar, gain } = s4dDiscretize(config, params);
  return { kind: 's4d', Abar, Bbar: T.mul(gain, params.B), C: T.squeeze(params.C, 0) };
}

/** The zero state c64[batch, H, Nh]. */
export const s4dInitialState = (params: S4DParams, batch: number): T.Tensor<'c64'> => T.zeros([batch, ...params.A_imag.shape], 'c64');

/** One step: state c64[B, H, Nh], u f32[B, H] -> x = Ā ⊙ state + B̄ u, y = 2 Re Σ_n C_n x_n + D u. */
export function s4dStep(params: S4DParams, system: S4DRecurrent, state: T.Tensor<'c64'>, u: T.Tensor<'f32'>): { state: T.Tensor<'c64'>; y: T.Tensor<'f32'> } {
  const x = T.add(T.mul(system.Abar, state), T.mul(system.Bbar, T.expandDims(u, -1)));
  const y = T.mul(pipe(T.mul(system.C, x), T.sum({ axis: -1 }), T.real), 2);
  return { state: x, y: T.add(y, T.mul(params.D, u)) };
}
