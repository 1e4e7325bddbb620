// Convolution kernels of linear SSMs, computed the slow, direct way in float64.
//   s4dVandermondeKernel: S4D's diagonal kernel (per channel)
//       ZOH:      K_l = 2 Re sum_n C_n B_n (exp(dt A_n) - 1)/A_n exp(dt A_n l)
//       bilinear: K_l = 2 Re sum_n C_n B_n dt/(1 - dt A_n/2) exp(l log A_bar_n)
//   materializedKernel: K_l = C A_bar^l B_bar for dense complex matrices (l = 0..L-1),
//       built by repeated multiplication A_bar^l B_bar.

import { type ComplexVector, cexp, cmul, complexVector, getC } from './complex';
import { type ComplexMatrix, matmul, vectorAsMatrix } from './complexMatrix';
import { type Discretization, discretizeDiagonal } from './discretize';

export interface S4DKernelInput {
  /** Diagonal state matrix (N/2 conjugate-pair representatives). */
  readonly A: ComplexVector;
  readonly B: ComplexVector;
  /** Output vector of this channel. */
  readonly C: ComplexVector;
  readonly dt: number;
  readonly L: number;
  readonly method: Discretization;
}

/** Complex logarithm of a nonzero z (principal branch). */
const clog = (z: { re: number; im: number }): { re: number; im: number } => ({
  re: Math.log(Math.hypot(z.re, z.im)),
  im: Math.atan2(z.im, z.re),
});

export const s4dVandermondeKernel = ({ A, B, C, dt, L, method }: S4DKernelInput): Float64Array => {
  const n = A.re.length;
  if (B.re.length !== n || C.re.length !== n) {
    throw new RangeError(`s4dVandermondeKernel: A, B, C have lengths ${n}, ${B.re.length}, ${C.re.length}`);
  }
  const { LambdaBar, gain } = discretizeDiagonal(A, dt, method);
  const K = new Float64Array(L);
  for (let i = 0; i < n; i++) {
    const coef = cmul(cmul(getC(C, i), getC(B, i)), getC(gain, i));
    // Exponent per unit lag: dt A (ZOH) or log A_bar (bilinear); both have exp(.) = A_bar.
    const rate = method === 'zoh' ? { re: A.re[i] * dt, im: A.im[i] * dt } : clog(getC(LambdaBar, i));
    for (let l = 0; l < L; l++) {
      K[l] += 2 * cmul(coef, cexp({ re: rate.re * l, im: rate.im * l })).re;
    }
  }
  return K;
};

/** K_l = C A_bar^l B_bar, l = 0..L-1 (each an outputs x inputs complex matrix). */
export const materializedKernel = (
  Abar: ComplexMatrix,
  Bbar: ComplexMatrix,
  C: ComplexMatrix,
  L: number,
): ComplexMatrix[] => {
  if (Abar.rows !== Abar.cols || Bbar.rows !== Abar.rows || C.cols !== Abar.rows) {
    throw new RangeError(
      `materializedKernel: shapes do not chain (A_bar ${Abar.rows}x${Abar.cols}, B_bar ${Bbar.rows}x${Bbar.cols}, C ${C.rows}x${C.cols})`,
    );
  }
  const K: ComplexMatrix[] = [];
  let powerTimesB = Bbar;
  for (let l = 0; l < L; l++) {
    K.push(matmul(C, powerTimesB));
    powerTimesB = matmul(Abar, powerTimesB);
  }
  return K;
};

/** Single-input single-output materializedKernel: b_bar a column vector, c a row vector. */
export const materializedKernelSISO = (
  Abar: ComplexMatrix,
  bbar: ComplexVector,
  c: ComplexVector,
  L: number,
): ComplexVector => {
  const K = materializedKernel(Abar, vectorAsMatrix(bbar), vectorAsMatrix(c, true), L);
  const out = complexVector(L);
  K.forEach((k, l) => {
    out.re[l] = k.re[0];
    out.im[l] = k.im[0];
  });
  return out;
};
