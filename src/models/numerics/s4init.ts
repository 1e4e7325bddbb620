// S4D and S4 (DPLR) initialisations (S4 models/s4/s4.py dplr()/nplr(), s4d.py).
//
// Index n = 0..N/2-1: each layer stores N/2 complex states, one representative
// of every conjugate pair. Like the S4 code (and the S5 halving), the stored
// eigenvalues have NEGATIVE imaginary parts; the conjugate choice is
// equivalent once outputs are taken as 2 Re(...).
//   S4D-Lin : A_n = -1/2 - i pi n,                      B_n = 1
//   S4D-Inv : A_n = -1/2 - i (N/pi)(N/(2n+1) - 1),      B_n = 1
//   S4D-LegS: A_n = HiPPO-N eigenvalue n (ascending),   B_n = (V^H sqrt(2k+1))_n, Im clipped to [-2, 2]
//   S4D-Real: A_n = -(n+1),                             B_n = 1
//   S4 DPLR : Lambda as S4D-LegS, P = (V^H sqrt(k+1/2))_n, B as S4D-LegS; A = diag(Lambda) - P P^H.
// Per channel h = 0..H-1: C ~ complex normal (Re, Im each N(0, 1/2)), shape H x N/2;
// D ~ N(0, 1); log dt ~ U[log dtMin, log dtMax) (defaults 0.001, 0.1).
// Random draws happen in this order: C (all real parts, then all imaginary parts), D, log dt.

import { type ComplexVector, complexVector, sliceVector } from './complex';
import { type ComplexMatrix } from './complexMatrix';
import { makeDPLRHippo } from './dplr';
import { type Sampler, complexNormal, logUniformTimescales, normalScaled } from './sampler';

export type S4DInit = 'lin' | 'inv' | 'legs' | 'real';

/** Bound on |Im B| for the LegS-derived input vector (S4's B_clip). */
export const S4_B_CLIP = 2;

export interface S4DStateInit {
  /** Diagonal state matrix, N/2 conjugate-pair representatives. */
  readonly A: ComplexVector;
  readonly B: ComplexVector;
}

export interface S4ChannelParams {
  /** Output vectors, H x N/2. */
  readonly C: ComplexMatrix;
  readonly D: Float64Array;
  /** log of the per-channel step size, length H. */
  readonly logDt: Float64Array;
}

export type S4DParams = S4DStateInit & S4ChannelParams;

export interface S4DPLRParams extends S4ChannelParams {
  readonly Lambda: ComplexVector;
  /** Low-rank vector (rank 1); Q = conj(P), A = diag(Lambda) - P P^H. */
  readonly P: ComplexVector;
  readonly B: ComplexVector;
}

export interface S4InitOptions {
  /** Number of channels (model width). */
  readonly H: number;
  /** Full state size N (even); N/2 complex states are stored. */
  readonly N: number;
  readonly dtMin?: number;
  readonly dtMax?: number;
}

const halfStateSize = (N: number, where: string): number => {
  if (!Number.isInteger(N) || N < 2 || N % 2 !== 0) throw new RangeError(`${where}: N must be an even integer >= 2, got ${N}`);
  return N / 2;
};

const clipImaginary = (v: ComplexVector, bound: number): ComplexVector => {
  const out = sliceVector(v, 0, v.re.length);
  for (let i = 0; i < out.im.length; i++) out.im[i] = Math.min(bound, Math.max(-bound, out.im[i]));
  return out;
};

/** The negative-imaginary half of the HiPPO-N DPLR form: Lambda, P = V^H p, B = V^H B (Im clipped). */
const legsHalf = (N: number): { Lambda: ComplexVector; P: ComplexVector; B: ComplexVector } => {
  const half = halfStateSize(N, 'legsHalf');
  const dplr = makeDPLRHippo(N);
  return {
    Lambda: sliceVector(dplr.Lambda, 0, half),
    P: sliceVector(dplr.P, 0, half),
    B: clipImaginary(sliceVector(dplr.B, 0, half), S4_B_CLIP),
  };
};

/** Deterministic S4D state matrix and input vector for the given init. */
export const s4dStateInit = (init: S4DInit, N: number): S4DStateInit => {
  const half = halfStateSize(N, 's4dStateInit');
  if (init === 'legs') {
    const { Lambda, B } = legsHalf(N);
    return { A: Lambda, B };
  }
  const A = complexVector(half);
  const B = complexVector(half);
  B.re.fill(1);
  for (let n = 0; n < half; n++) {
    if (init === 'lin') {
      A.re[n] = -0.5;
      A.im[n] = -Math.PI * n;
    } else if (init === 'inv') {
      A.re[n] = -0.5;
      A.im[n] = -(N / Math.PI) * (N / (2 * n + 1) - 1);
    } else if (init === 'real') {
      A.re[n] = -(n + 1);
    } else {
      throw new RangeError(`s4dStateInit: unknown init '${String(init)}'`);
    }
  }
  return { A, B };
};

const channelParams = (options: S4InitOptions, sampler: Sampler): S4ChannelParams => {
  const { H } = options;
  if (!Number.isInteger(H) || H < 1) throw new RangeError(`S4 init: H must be a positive integer, got ${H}`);
  const half = options.N / 2;
  const c = complexNormal(sampler, H * half, 1);
  const C: ComplexMatrix = { rows: H, cols: half, re: c.re, im: c.im };
  const D = normalScaled(sampler, H, 1);
  const logDt = logUniformTimescales(sampler, H, options.dtMin ?? 0.001, options.dtMax ?? 0.1);
  return { C, D, logDt };
};

export const initS4D = (options: S4InitOptions & { readonly init: S4DInit }, sampler: Sampler): S4DParams => {
  const state = s4dStateInit(options.init, options.N);
  return { ...state, ...channelParams(options, sampler) };
};

export const initS4DPLR = (options: S4InitOptions, sampler: Sampler): S4DPLRParams => {
  const { Lambda, P, B } = legsHalf(options.N);
  return { Lambda, P, B, ...channelParams(options, sampler) };
};
