// HiPPO-LegS and its normal part, against the explicit formulas of the spec
// and S4's independent construction A = T M T^-1.

import { describe, expect, it } from 'vitest';
import { hippoInputB, hippoLegS, hippoLowRankP, hippoNormal } from '../../src/models/numerics/hippo';
import { realEntry, realMatmul, realMatrixFromFunction, maxAbsDiffReal } from '../../src/models/numerics/realMatrix';

describe('hippoLegS', () => {
  it('equals T M T^-1 with M = -(tril(2k+1) - diag(n)), T = diag(sqrt(2n+1))', () => {
    const N = 9;
    const M = realMatrixFromFunction(N, N, (n, k) => -((n >= k ? 2 * k + 1 : 0) - (n === k ? n : 0)));
    const T = realMatrixFromFunction(N, N, (n, k) => (n === k ? Math.sqrt(2 * n + 1) : 0));
    const Tinv = realMatrixFromFunction(N, N, (n, k) => (n === k ? 1 / Math.sqrt(2 * n + 1) : 0));
    const expected = realMatmul(realMatmul(T, M), Tinv);
    expect(maxAbsDiffReal(hippoLegS(N), expected)).toBeLessThan(1e-12);
  });

  it('has the small-N entries written out', () => {
    const A = hippoLegS(3);
    expect(Array.from(A.data)).toEqual([
      -1, 0, 0,
      -Math.sqrt(3), -2, 0,
      -Math.sqrt(5), -Math.sqrt(15), -3,
    ]);
  });

  it('rejects a bad state size', () => {
    expect(() => hippoLegS(0)).toThrow(/state size N/);
    expect(() => hippoLegS(2.5)).toThrow(/state size N/);
  });
});

describe('HiPPO NPLR pieces', () => {
  it('p_n = sqrt(n + 1/2) and B_n = sqrt(2n + 1)', () => {
    expect(Array.from(hippoLowRankP(3))).toEqual([Math.sqrt(0.5), Math.sqrt(1.5), Math.sqrt(2.5)]);
    expect(Array.from(hippoInputB(3))).toEqual([1, Math.sqrt(3), Math.sqrt(5)]);
  });

  it('S = A + p p^T has diagonal -1/2 and off-diagonal -+ sqrt((2n+1)(2k+1))/2', () => {
    const N = 12;
    const S = hippoNormal(N);
    for (let n = 0; n < N; n++) {
      for (let k = 0; k < N; k++) {
        const half = 0.5 * Math.sqrt((2 * n + 1) * (2 * k + 1));
        const expected = n === k ? -0.5 : n > k ? -half : half;
        expect(realEntry(S, n, k)).toBeCloseTo(expected, 12);
      }
    }
  });
});
