// Diagonal-plus-low-rank form of HiPPO-LegS ("make_DPLR_HiPPO"): the normal
// part S = A + p p^T is diagonalised as S = V diag(Lambda) V^H with
//   Lambda = mean(diag S) + i * eig(-i * skew(S))   (real part exactly -1/2),
// eigenvalues ascending in their imaginary part, V unitary. Also returns the
// projected low-rank and input vectors V^H p and V^H B.

import { type ComplexVector, complexVector } from './complex';
import { type ComplexMatrix, adjoint, matvec } from './complexMatrix';
import { eighSkewSymmetric } from './eigh';
import { hippoInputB, hippoLowRankP, hippoNormal } from './hippo';
import { realMatrixFromFunction } from './realMatrix';

export interface HippoDPLR {
  /** Eigenvalues of S: real part -1/2, imaginary parts ascending (length N). */
  readonly Lambda: ComplexVector;
  /** Unitary eigenvectors of S as columns (N x N). */
  readonly V: ComplexMatrix;
  /** V^H p, with p_n = sqrt(n + 1/2). */
  readonly P: ComplexVector;
  /** V^H B, with B_n = sqrt(2n + 1). */
  readonly B: ComplexVector;
  /** The original real input vector B_n = sqrt(2n + 1). */
  readonly BOrig: Float64Array;
}

const toComplex = (x: Float64Array): ComplexVector => {
  const v = complexVector(x.length);
  v.re.set(x);
  return v;
};

export const makeDPLRHippo = (N: number): HippoDPLR => {
  const S = hippoNormal(N);
  let diagSum = 0;
  for (let n = 0; n < N; n++) diagSum += S.data[n * N + n];
  const diagMean = diagSum / N;
  // Skew-symmetric part K = (S - S^T) / 2; -iS has Hermitian part -iK.
  const K = realMatrixFromFunction(N, N, (i, j) => 0.5 * (S.data[i * N + j] - S.data[j * N + i]));
  const { values, vectors: V } = eighSkewSymmetric(K);
  const Lambda = complexVector(N);
  Lambda.re.fill(diagMean);
  Lambda.im.set(values);
  const VH = adjoint(V);
  const BOrig = hippoInputB(N);
  return {
    Lambda,
    V,
    P: matvec(VH, toComplex(hippoLowRankP(N))),
    B: matvec(VH, toComplex(BOrig)),
    BOrig,
  };
};
