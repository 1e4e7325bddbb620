// S4D and S4 DPLR initialisations against the formulas and published numbers
// of the spec, and the HiPPO-LegS matrix they represent.

import { describe, expect, it } from 'vitest';
import {
  type ComplexMatrix,
  adjoint,
  complexMatrix,
  complexMatrixFromReal,
  matmul,
  maxAbsDiffMatrix,
} from '../../src/models/numerics/complexMatrix';
import { makeDPLRHippo } from '../../src/models/numerics/dplr';
import { hippoLegS } from '../../src/models/numerics/hippo';
import { s4DenseSystem } from '../../src/models/numerics/oracles';
import { initS4D, initS4DPLR, s4dStateInit } from '../../src/models/numerics/s4init';
import { maxAbs, maxAbsDiff, rms } from './testHelpers';
import { seededSampler } from './testSampler';

describe('s4dStateInit', () => {
  it('S4D-Lin: A_n = -1/2 - i pi n, B = 1', () => {
    const { A, B } = s4dStateInit('lin', 8);
    expect(maxAbsDiff(A.re, [-0.5, -0.5, -0.5, -0.5])).toBe(0);
    expect(maxAbsDiff(A.im, [0, -Math.PI, -2 * Math.PI, -3 * Math.PI])).toBeLessThan(1e-15);
    expect(Array.from(B.re)).toEqual([1, 1, 1, 1]);
    expect(Array.from(B.im)).toEqual([0, 0, 0, 0]);
  });

  it('S4D-Inv at N = 64, n = 0 gives |Im A| = 1283.4 (the spec value, close to HiPPO max 1303)', () => {
    const { A } = s4dStateInit('inv', 64);
    expect(Math.abs(A.im[0])).toBeCloseTo(1283.4, 1);
    expect(A.im[5]).toBeCloseTo(-(64 / Math.PI) * (64 / 11 - 1), 10);
  });

  it('S4D-Real: A_n = -(n+1)', () => {
    const { A } = s4dStateInit('real', 6);
    expect(Array.from(A.re)).toEqual([-1, -2, -3]);
    expect(Array.from(A.im)).toEqual([0, 0, 0]);
  });

  it('S4D-LegS: the negative-imaginary HiPPO-N half, B = V^H sqrt(2k+1) with Im clipped to [-2, 2]', () => {
    const N = 16;
    const { A, B } = s4dStateInit('legs', N);
    // Independent published values (spec N = 16 table, first half).
    expect(maxAbsDiff(A.im, [-80.966081, -25.629226, -13.834342, -8.362105, -5.090024, -2.899668, -1.371989, -0.352018])).toBeLessThan(5.1e-7);
    const unclipped = makeDPLRHippo(N).B;
    expect(maxAbs(B.im)).toBeLessThanOrEqual(2);
    let clippedSomething = false;
    for (let n = 0; n < N / 2; n++) {
      expect(B.re[n]).toBe(unclipped.re[n]);
      expect(B.im[n]).toBe(Math.min(2, Math.max(-2, unclipped.im[n])));
      if (Math.abs(unclipped.im[n]) > 2) clippedSomething = true;
    }
    expect(clippedSomething).toBe(true);
  });

  it('rejects an odd state size and an unknown init', () => {
    expect(() => s4dStateInit('lin', 7)).toThrow(/N must be an even integer/);
    expect(() => s4dStateInit('nope' as never, 4)).toThrow(/unknown init 'nope'/);
  });
});

describe('initS4D / initS4DPLR', () => {
  it('per-channel C ~ CN(0, 1), D ~ N(0, 1), log dt in [log dtMin, log dtMax)', () => {
    const H = 1000;
    const p = initS4D({ H, N: 8, init: 'lin', dtMin: 0.01, dtMax: 0.5 }, seededSampler(40));
    expect([p.C.rows, p.C.cols]).toEqual([H, 4]);
    expect(Math.abs(rms(p.C.re) - Math.SQRT1_2)).toBeLessThan(0.03);
    expect(Math.abs(rms(p.C.im) - Math.SQRT1_2)).toBeLessThan(0.03);
    expect(Math.abs(rms(p.D) - 1)).toBeLessThan(0.07);
    expect(Math.min(...p.logDt)).toBeGreaterThanOrEqual(Math.log(0.01));
    expect(Math.max(...p.logDt)).toBeLessThan(Math.log(0.5));
  });

  it('DPLR: V_f (diag(Lambda_f) - P_f P_f^H) V_f^H = HiPPO-LegS with V_f = [V_half, conj V_half]', () => {
    const N = 12;
    const params = initS4DPLR({ H: 2, N }, seededSampler(41));
    const { A } = s4DenseSystem(params);
    const V = makeDPLRHippo(N).V;
    const Vf: ComplexMatrix = complexMatrix(N, N);
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N / 2; j++) {
        Vf.re[i * N + j] = V.re[i * N + j];
        Vf.im[i * N + j] = V.im[i * N + j];
        Vf.re[i * N + N / 2 + j] = V.re[i * N + j];
        Vf.im[i * N + N / 2 + j] = -V.im[i * N + j];
      }
    }
    const reconstructed = matmul(matmul(Vf, A), adjoint(Vf));
    expect(maxAbsDiffMatrix(reconstructed, complexMatrixFromReal(hippoLegS(N)))).toBeLessThan(1e-11);
    // The stored B is V^H sqrt(2k+1) with Im clipped to [-2, 2].
    for (let n = 0; n < N / 2; n++) {
      let re = 0;
      let im = 0;
      for (let k = 0; k < N; k++) {
        re += V.re[k * N + n] * Math.sqrt(2 * k + 1);
        im -= V.im[k * N + n] * Math.sqrt(2 * k + 1);
      }
      expect(params.B.re[n]).toBeCloseTo(re, 12);
      expect(params.B.im[n]).toBeCloseTo(Math.min(2, Math.max(-2, im)), 12);
    }
  });
});
