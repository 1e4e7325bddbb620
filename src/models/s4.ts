/**
 * The S4 layer with a diagonal-plus-low-rank state matrix (Gu, Goel & Ré 2022; spec §4.3-4.5):
 * H independent SISO SSMs, A = diag(Λ) - P Pᴴ (rank 1, Q = conj P) from the HiPPO-LegS NPLR
 * form, bilinear discretisation, and a kernel computed in the frequency domain.
 *
 * Parameters (Nh = N/2 stored conjugate-pair representatives, ch = 2 when bidirectional):
 *   log_A_real  f32[H, Nh]      Λ = -exp(log_A_real) + i A_imag
 *   A_imag      f32[H, Nh]
 *   P           c64[H, Nh]      low-rank vector V^H sqrt(n + 1/2)
 *   B           c64[H, Nh]      V^H sqrt(2n + 1), Im clipped to ±2
 *   C           c64[ch, H, Nh]  C̃ = C (I - Ā^L), see below
 *   D           f32[H]
 *   log_dt      f32[H]
 *
 * The trained output parameter is C̃, not C. The length-L kernel K_l = C Ā^l B̄ has the DFT
 * K̂(ω_k) = C̃ (I - Ā ω_k)⁻¹ B̄ at ω_k = exp(-2πik/L) with C̃ = C (I - Ā^L); S4 converts C to C̃
 * once and then trains C̃. Here C̃ is the parameter from the start (initialised like C, as a
 * complex normal): the kernel is a function of C̃ alone, and C is recovered only when a
 * recurrent step needs it (C = C̃ (I - Ā^L)⁻¹ for the training length L).
 *
 * Kernel: at z_k = 2(1 - ω_k)/(1 + ω_k) = 2i tan(πk/L), for the Cauchy sums over both
 * conjugate halves r_ab(z) = Σ_n v_n/(z - ΔΛ_n) + conj(v_n)/(z - conj(ΔΛ_n)), v = Δ b a,
 *   K̂_k = [r_{B,C̃} - r_{B,Q} r_{P,C̃} / (1 + r_{P,Q})] · 2/(1 + ω_k),
 * and K = irfft(K̂, L). The Nyquist node ω = -1 (L even) has z = ∞; its analytic limit is
 * K̂ = Re Σ_n Δ B_n C̃_n (the low-rank term vanishes there), used exactly instead of a huge z.
 */
import { pipe } from 'fp-ts/function';
import * as T from '../index';
import type { S4Config } from './config';
import { fftConvolve } from './fftConv';
import { complexTensor, complexValuesOf, keySampler, realTensor, stackComplexVectors, valuesOf } from './initTools';
import { type ComplexVector, withConjugateHalf } from './numerics/complex';
import { type ComplexMatrix, addScaled, complexIdentity, inverse, matmul, matrixPower, vectorAsMatrix } from './numerics/complexMatrix';
import { discretizeDense } from './numerics/discretize';
import { s4DenseSystem } from './numerics/oracleS4Frequency';
import { initS4DPLR } from './numerics/s4init';
import { channelSteps } from './s4d';

export interface S4Params {
  readonly log_A_real: T.Tensor<'f32'>;
  readonly A_imag: T.Tensor<'f32'>;
  readonly P: T.Tensor<'c64'>;
  readonly B: T.Tensor<'c64'>;
  readonly C: T.Tensor<'c64'>;
  readonly D: T.Tensor<'f32'>;
  readonly log_dt: T.Tensor<'f32'>;
}

export function initS4(config: S4Config, H: number, key: T.random.Key): S4Params {
  const ch = config.bidirectional ? 2 : 1;
  const p = initS4DPLR({ H: ch * H, N: config.N, dtMin: config.dtMin, dtMax: config.dtMax }, keySampler(key));
  const Nh = config.N / 2;
  const copies = (v: ComplexVector): T.Tensor<'c64'> => stackComplexVectors(Array.from({ length: H }, () => v));
  const tile = (values: Float64Array): T.Tensor<'f32'> =>
    realTensor(Float64Array.from({ length: H * Nh }, (_, i) => values[i % Nh]), [H, Nh]);
  return {
    log_A_real: tile(p.Lambda.re.map((a) => Math.log(-a))),
    A_imag: tile(p.Lambda.im),
    P: copies(p.P),
    B: copies(p.B),
    C: complexTensor(p.C.re, p.C.im, [ch, H, Nh]),
    D: realTensor(p.D.subarray(0, H), [H]),
    log_dt: realTensor(p.logDt.subarray(0, H), [H]),
  };
}

/** Λ: c64[H, Nh]. */
export const s4Lambda = (params: S4Params): T.Tensor<'c64'> => T.complex(T.neg(T.exp(params.log_A_real)), params.A_imag);

/** The frequency nodes strictly below Nyquist: z_k = 2i tan(πk/L) and 2/(1 + ω_k), k = 0..⌈L/2⌉-1. */
function frequencyNodes(L: number): { z: T.Tensor<'c64'>; scale: T.Tensor<'c64'> } {
  const count = Math.floor((L - 1) / 2) + 1;
  const zRe = new Float64Array(count);
  const zIm = Float64Array.from({ length: count }, (_, k) => 2 * Math.tan((Math.PI * k) / L));
  const sRe = new Float64Array(count);
  const sIm = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    // 2/(1 + ω), ω = exp(-iθ): (1 + cos θ + i sin θ) · 2 / |1 + ω|².
    const theta = (2 * Math.PI * k) / L;
    const denom = (1 + Math.cos(theta)) ** 2 + Math.sin(theta) ** 2;
    sRe[k] = (2 * (1 + Math.cos(theta))) / denom;
    sIm[k] = (2 * Math.sin(theta)) / denom;
  }
  return { z: complexTensor(zRe, zIm, [count]), scale: complexTensor(sRe, sIm, [count]) };
}

/** r(z) = Σ_n v_n/(z - λ_n) + conj(v_n)/(z - conj λ_n): v c64[..., Nh], λ c64[H, Nh], z c64[K] -> c64[..., K]. */
function cauchy(v: T.Tensor<'c64'>, lambda: T.Tensor<'c64'>, z: T.Tensor<'c64'>): T.Tensor<'c64'> {
  const term = (w: T.Tensor<'c64'>, l: T.Tensor<'c64'>): T.Tensor<'c64'> => T.div(T.expandDims(w, -1), T.sub(z, T.expandDims(l, -1)));
  return T.sum(T.add(term(v, lambda), term(T.conj(v), T.conj(lambda))), { axis: -2 });
}

/** The rfft half-spectrum c64[ch, H, ⌊L/2⌋+1] of the length-L kernel. */
export function s4Spectrum(params: S4Params, L: number): T.Tensor<'c64'> {
  const dt = channelSteps(params.log_dt); // [H, 1]
  const lambda = T.mul(s4Lambda(params), dt);
  const Q = T.conj(params.P);
  const weight = (b: T.Tensor<'c64'>, a: T.Tensor<'c64'>): T.Tensor<'c64'> => T.mul(T.mul(b, a), dt);
  const { z, scale } = frequencyNodes(L);
  const rBC = cauchy(weight(params.B, params.C), lambda, z);
  const rBQ = cauchy(weight(params.B, Q), lambda, z);
  const rPC = cauchy(weight(params.P, params.C), lambda, z);
  const rPQ = cauchy(weight(params.P, Q), lambda, z);
  const woodbury = T.sub(rBC, T.div(T.mul(rBQ, rPC), T.add(rPQ, 1)));
  const belowNyquist = T.mul(woodbury, scale);
  if (L % 2 !== 0) return belowNyquist;
  const nyquist = pipe(weight(params.B, params.C), T.sum({ axis: -1, keepdims: true }), T.real, (re) => T.complex(re, 0));
  return T.concat([belowNyquist, nyquist], -1);
}

/** The convolution kernel f32[ch, H, L]. */
export const s4Kernel = (params: S4Params, L: number): T.Tensor<'f32'> => T.irfft(s4Spectrum(params, L), L);

/** The S4 layer in convolution mode: u f32[B, L, H] -> y f32[B, L, H]. */
export function applyS4(params: S4Params, u: T.Tensor<'f32'>): T.Tensor<'f32'> {
  if (u.ndim !== 3) throw new RangeError(`S4: inputs must be [batch, length, H], got shape [${u.shape.join(',')}]`);
  return fftConvolve(u, s4Kernel(params, u.shape[1]), params.D);
}

/** The dense discretised full-size system (N = 2Nh states per channel) a recurrent S4 step uses. */
export interface S4Recurrent {
  readonly kind: 's4';
  /** Ā: c64[H, N, N]. */
  readonly Abar: T.Tensor<'c64'>;
  /** B̄: c64[H, N]. */
  readonly Bbar: T.Tensor<'c64'>;
  /** C = C̃ (I - Ā^L)⁻¹: c64[H, N]. */
  readonly C: T.Tensor<'c64'>;
}

const rowOf = (x: ComplexVector, r: number, n: number): ComplexVector => ({ re: x.re.subarray(r * n, (r + 1) * n), im: x.im.subarray(r * n, (r + 1) * n) });
const flatten = (ms: readonly ComplexMatrix[]): { re: Float64Array; im: Float64Array } => ({
  re: Float64Array.from(ms.flatMap((m) => Array.from(m.re))),
  im: Float64Array.from(ms.flatMap((m) => Array.from(m.im))),
});

/**
 * Builds the recurrent form from concrete parameters, in float64 with dense N×N matrices
 * (fine for small N): per channel Ā = (I - Δ/2 A)⁻¹(I + Δ/2 A), B̄ = (I - Δ/2 A)⁻¹ Δ B and
 * C = C̃ (I - Ā^L)⁻¹, where L is the length the kernel (and so C̃) is defined for.
 * Not traced: call it outside jit/grad, once per parameter set.
 */
export function s4Recurrent(config: S4Config, params: S4Params, L: number): S4Recurrent {
  if (config.bidirectional) throw new Error('S4: recurrent mode is causal; a bidirectional layer has no step form (use convolution mode)');
  if (!Number.isInteger(L) || L < 1) throw new RangeError(`S4 recurrent mode: the kernel length L must be a positive integer, got ${L}`);
  const [H, Nh] = params.A_imag.shape;
  const N = 2 * Nh;
  const logA = valuesOf(params.log_A_real);
  const Aim = valuesOf(params.A_imag);
  const [P, B, Ct] = [params.P, params.B, params.C].map(complexValuesOf);
  const dt = valuesOf(params.log_dt).map(Math.exp);
  const Abars: ComplexMatrix[] = [];
  const Bbars: ComplexMatrix[] = [];
  const Cs: ComplexMatrix[] = [];
  for (let h = 0; h < H; h++) {
    const Lambda = { re: logA.subarray(h * Nh, (h + 1) * Nh).map((a) => -Math.exp(a)), im: Aim.subarray(h * Nh, (h + 1) * Nh) };
    const system = s4DenseSystem({ Lambda, P: rowOf(P, h, Nh), B: rowOf(B, h, Nh) });
    const { Abar, Bbar } = discretizeDense(system.A, system.B, dt[h], 'bilinear');
    const Ctilde = vectorAsMatrix(withConjugateHalf(rowOf(Ct, h, Nh)), true);
    const C = matmul(Ctilde, inverse(addScaled(complexIdentity(N), matrixPower(Abar, L), { re: -1, im: 0 })));
    Abars.push(Abar);
    Bbars.push(Bbar);
    Cs.push(C);
  }
  const tensor = (ms: ComplexMatrix[], shape: number[]): T.Tensor<'c64'> => {
    const { re, im } = flatten(ms);
    return complexTensor(re, im, shape);
  };
  return { kind: 's4', Abar: tensor(Abars, [H, N, N]), Bbar: tensor(Bbars, [H, N]), C: tensor(Cs, [H, N]) };
}

/** The zero state c64[batch, H, N]. */
export const s4InitialState = (system: S4Recurrent, batch: number): T.Tensor<'c64'> => T.zeros([batch, ...system.Bbar.shape], 'c64');

/** One step: state c64[B, H, N], u f32[B, H] -> x = Ā state + B̄ u, y = Re(C x) + D u. */
export function s4Step(params: S4Params, system: S4Recurrent, state: T.Tensor<'c64'>, u: T.Tensor<'f32'>): { state: T.Tensor<'c64'>; y: T.Tensor<'f32'> } {
  const propagated = T.squeeze(T.matmul(system.Abar, T.expandDims(state, -1)), -1);
  const x = T.add(propagated, T.mul(system.Bbar, T.expandDims(u, -1)));
  const y = pipe(T.mul(system.C, x), T.sum({ axis: -1 }), T.real);
  return { state: x, y: T.add(y, T.mul(params.D, u)) };
}
