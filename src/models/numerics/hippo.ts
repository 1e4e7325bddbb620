// HiPPO-LegS and its normal-plus-low-rank pieces (S5/S4 "make_HiPPO",
// "make_NPLR_HiPPO"): the N x N transition A, the low-rank vector p, the input
// vector B, and the normal part S = A + p p^T ("HiPPO-N").

import { type RealMatrix, realMatrixFromFunction } from './realMatrix';

const checkStateSize = (N: number, where: string): void => {
  if (!Number.isInteger(N) || N < 1) throw new RangeError(`${where}: state size N must be a positive integer, got ${N}`);
};

/**
 * HiPPO-LegS: A[n,k] = -sqrt(2n+1) sqrt(2k+1) for n > k, A[n,n] = -(n+1), 0 above the diagonal.
 */
export const hippoLegS = (N: number): RealMatrix => {
  checkStateSize(N, 'hippoLegS');
  return realMatrixFromFunction(N, N, (n, k) => {
    if (n > k) return -Math.sqrt(2 * n + 1) * Math.sqrt(2 * k + 1);
    if (n === k) return -(n + 1);
    return 0;
  });
};

/** The NPLR low-rank vector p_n = sqrt(n + 1/2). */
export const hippoLowRankP = (N: number): Float64Array => {
  checkStateSize(N, 'hippoLowRankP');
  return Float64Array.from({ length: N }, (_, n) => Math.sqrt(n + 0.5));
};

/** The HiPPO input vector B_n = sqrt(2n + 1). */
export const hippoInputB = (N: number): Float64Array => {
  checkStateSize(N, 'hippoInputB');
  return Float64Array.from({ length: N }, (_, n) => Math.sqrt(2 * n + 1));
};

/** The normal part S = A + p p^T of HiPPO-LegS (diag -1/2, S + I/2 skew-symmetric). */
export const hippoNormal = (N: number): RealMatrix => {
  const A = hippoLegS(N);
  const p = hippoLowRankP(N);
  return realMatrixFromFunction(N, N, (n, k) => A.data[n * N + k] + p[n] * p[k]);
};
