// S4 (DPLR, rank 1) kernel evaluated in the frequency domain in float64 (S4
// models/s4/s4.py SSMKernelDPLR.forward), plus the dense full-size system it
// stands for. Conventions: N/2 stored conjugate-pair representatives; the full
// system is Lambda_f = [Lambda, conj Lambda] (likewise P, B, C); A = diag(Lambda_f)
// - P_f P_f^H (Q = conj P); discretisation is bilinear; output y = C x (C not
// conjugated); the kernel is K_l = C A_bar^l B_bar.
//
// Frequency kernel, for nodes w_k = exp(-2 pi i k / L), k = 0..floor(L/2):
//   z_k = 2 (1 - w_k)/(1 + w_k) = 2 i tan(pi k / L)
//   r_ab(z) = sum_n [ v_n / (z - dt Lambda_n) + conj(v_n) / (z - conj(dt Lambda_n)) ],  v_n = dt b_n a_n
//   Khat_k = [ r_{B,C~} - r_{B,Q} r_{P,C~} / (1 + r_{P,Q}) ] * 2 / (1 + w_k)
// At the Nyquist node (L even, k = L/2) the analytic limit (I + A_bar)^-1 B_bar = dt B / 2
// gives Khat = Re sum_n dt B_n C~_n. K = inverse real DFT of Khat (O(L^2)).
// With C~ = C (I - A_bar^L), K equals the materialised kernel C A_bar^l B_bar, l < L.

import { type Complex, type ComplexVector, cadd, cdiv, cmul, complex, complexVector, conjugateVector, csub, getC, withConjugateHalf } from './complex';
import {
  type ComplexMatrix,
  addScaled,
  complexIdentity,
  diagonalMatrix,
  matmul,
  matrixPower,
  vectorAsMatrix,
} from './complexMatrix';
import { discretizeDense } from './discretize';

export interface S4DPLRKernelInput {
  /** N/2 eigenvalue representatives. */
  readonly Lambda: ComplexVector;
  /** Rank-1 low-rank vector (N/2); all zeros gives the diagonal (S4D bilinear) kernel. */
  readonly P: ComplexVector;
  readonly B: ComplexVector;
  readonly dt: number;
}

const checkLengths = (lengths: Record<string, number>, where: string): void => {
  const values = Object.values(lengths);
  if (values.some((v) => v !== values[0])) {
    throw new RangeError(`${where}: lengths differ (${Object.entries(lengths).map(([k, v]) => `${k}=${v}`).join(', ')})`);
  }
};

/** r(z) = sum_n v_n/(z - lambda_n) + conj(v_n)/(z - conj(lambda_n)) with lambda = dt Lambda. */
const cauchyWithConjugates = (v: ComplexVector, dtLambda: ComplexVector, z: Complex): Complex => {
  let sum = complex(0);
  for (let n = 0; n < v.re.length; n++) {
    const vn = getC(v, n);
    const ln = getC(dtLambda, n);
    sum = cadd(sum, cdiv(vn, csub(z, ln)));
    sum = cadd(sum, cdiv({ re: vn.re, im: -vn.im }, csub(z, { re: ln.re, im: -ln.im })));
  }
  return sum;
};

/** v_n = dt b_n a_n. */
const weights = (b: ComplexVector, a: ComplexVector, dt: number): ComplexVector => {
  const v = complexVector(b.re.length);
  for (let n = 0; n < v.re.length; n++) {
    const p = cmul(getC(b, n), getC(a, n));
    v.re[n] = dt * p.re;
    v.im[n] = dt * p.im;
  }
  return v;
};

/** The rfft half-spectrum Khat_k, k = 0..floor(L/2), of the length-L truncated kernel with output vector Ctilde. */
export const s4FrequencySpectrum = (input: S4DPLRKernelInput, Ctilde: ComplexVector, L: number): ComplexVector => {
  const { Lambda, P, B, dt } = input;
  checkLengths({ Lambda: Lambda.re.length, P: P.re.length, B: B.re.length, Ctilde: Ctilde.re.length }, 's4FrequencySpectrum');
  if (!Number.isInteger(L) || L < 1) throw new RangeError(`s4FrequencySpectrum: L must be a positive integer, got ${L}`);
  const Q = conjugateVector(P);
  const dtLambda = { re: Lambda.re.map((x) => x * dt), im: Lambda.im.map((x) => x * dt) };
  const vBC = weights(B, Ctilde, dt);
  const vBQ = weights(B, Q, dt);
  const vPC = weights(P, Ctilde, dt);
  const vPQ = weights(P, Q, dt);
  const bins = Math.floor(L / 2) + 1;
  const spectrum = complexVector(bins);
  for (let k = 0; k < bins; k++) {
    if (2 * k === L) {
      let nyquist = 0;
      for (let n = 0; n < vBC.re.length; n++) nyquist += vBC.re[n];
      spectrum.re[k] = nyquist;
      continue;
    }
    const theta = (2 * Math.PI * k) / L;
    const omega = { re: Math.cos(theta), im: -Math.sin(theta) };
    const z = { re: 0, im: 2 * Math.tan(Math.PI * k / L) };
    const rBC = cauchyWithConjugates(vBC, dtLambda, z);
    const rBQ = cauchyWithConjugates(vBQ, dtLambda, z);
    const rPC = cauchyWithConjugates(vPC, dtLambda, z);
    const rPQ = cauchyWithConjugates(vPQ, dtLambda, z);
    const woodbury = csub(rBC, cdiv(cmul(rBQ, rPC), cadd(complex(1), rPQ)));
    const value = cmul(woodbury, cdiv(complex(2), cadd(complex(1), omega)));
    spectrum.re[k] = value.re;
    spectrum.im[k] = value.im;
  }
  return spectrum;
};

/**
 * Inverse real DFT (numpy irfft with n = L) by the direct O(L^2) sum: the half-spectrum
 * is extended by Hermitian symmetry; imaginary parts of the DC and Nyquist bins are ignored.
 */
export const inverseRealDFT = (spectrum: ComplexVector, L: number): Float64Array => {
  const bins = Math.floor(L / 2) + 1;
  if (spectrum.re.length !== bins) {
    throw new RangeError(`inverseRealDFT: a length-${L} signal needs ${bins} bins, got ${spectrum.re.length}`);
  }
  const x = new Float64Array(L);
  for (let l = 0; l < L; l++) {
    let acc = 0;
    for (let k = 0; k < L; k++) {
      const mirrored = k >= bins;
      const idx = mirrored ? L - k : k;
      const re = spectrum.re[idx];
      const im = mirrored ? -spectrum.im[idx] : spectrum.im[idx];
      const angle = (2 * Math.PI * ((k * l) % L)) / L;
      acc += re * Math.cos(angle) - im * Math.sin(angle);
    }
    x[l] = acc / L;
  }
  return x;
};

/** The length-L S4 kernel from the frequency-domain formula, for output vector Ctilde = C (I - A_bar^L). */
export const s4FrequencyKernel = (input: S4DPLRKernelInput, Ctilde: ComplexVector, L: number): Float64Array =>
  inverseRealDFT(s4FrequencySpectrum(input, Ctilde, L), L);

export interface S4DenseSystem {
  /** A = diag(Lambda_f) - P_f P_f^H, N x N. */
  readonly A: ComplexMatrix;
  /** B_f as an N x 1 column. */
  readonly B: ComplexMatrix;
}

/** The full-size (conjugate-closed) dense system represented by the N/2 stored DPLR parameters. */
export const s4DenseSystem = ({ Lambda, P, B }: Omit<S4DPLRKernelInput, 'dt'>): S4DenseSystem => {
  checkLengths({ Lambda: Lambda.re.length, P: P.re.length, B: B.re.length }, 's4DenseSystem');
  const Pf = vectorAsMatrix(withConjugateHalf(P));
  const PfH: ComplexMatrix = { rows: 1, cols: Pf.rows, re: Pf.re, im: Pf.im.map((x) => -x) };
  const A = addScaled(diagonalMatrix(withConjugateHalf(Lambda)), matmul(Pf, PfH), complex(-1));
  return { A, B: vectorAsMatrix(withConjugateHalf(B)) };
};

/**
 * Ctilde = C_f (I - A_bar^L) for the full-size system, returned as its first N/2 entries
 * (the second half is their conjugate) together with the full row.
 */
export const s4Ctilde = (input: S4DPLRKernelInput, C: ComplexVector, L: number): { half: ComplexVector; full: ComplexVector } => {
  const { A, B } = s4DenseSystem(input);
  const { Abar } = discretizeDense(A, B, input.dt, 'bilinear');
  const N = A.rows;
  const Cf = vectorAsMatrix(withConjugateHalf(C), true);
  const row = matmul(Cf, addScaled(complexIdentity(N), matrixPower(Abar, L), complex(-1)));
  const full = { re: row.re, im: row.im };
  return { half: { re: row.re.slice(0, N / 2), im: row.im.slice(0, N / 2) }, full };
};
