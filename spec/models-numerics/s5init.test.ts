// S5 initialisation: block-diagonal eigenbasis, halving, and the fan-ins of
// B~ and C~ (recovered through the unitary basis).

import { describe, expect, it } from 'vitest';
import {
  adjoint,
  complexIdentity,
  complexMatrixFromReal,
  diagonalMatrix,
  matmul,
  maxAbsDiffMatrix,
} from '../../src/models/numerics/complexMatrix';
import { hippoNormal } from '../../src/models/numerics/hippo';
import { TRUNCATED_NORMAL_STD } from '../../src/models/numerics/sampler';
import { initS5, s5Eigenbasis } from '../../src/models/numerics/s5init';
import { maxAbs, maxAbsDiff, rms } from './testHelpers';
import { seededSampler } from './testSampler';

describe('s5Eigenbasis', () => {
  it('ListOps (P = 16, J = 8): every state has Lambda = -0.5 - 0.866025i', () => {
    const { Lambda, V, Vinv } = s5Eigenbasis(16, 8);
    expect(Lambda.re.length).toBe(8);
    expect(maxAbsDiff(Lambda.re, new Array(8).fill(-0.5))).toBeLessThan(1e-15);
    expect(maxAbsDiff(Lambda.im, new Array(8).fill(-Math.sqrt(3) / 2))).toBeLessThan(1e-12);
    expect([V.rows, V.cols, Vinv.rows, Vinv.cols]).toEqual([16, 8, 8, 16]);
  });

  it('is block diagonal with orthonormal columns spanning eigenvectors of each block S', () => {
    const P = 24;
    const J = 3;
    const bs = 8;
    const { Lambda, V, Vinv } = s5Eigenbasis(P, J);
    expect(maxAbsDiffMatrix(Vinv, adjoint(V))).toBe(0);
    expect(maxAbsDiffMatrix(matmul(Vinv, V), complexIdentity(P / 2))).toBeLessThan(1e-13);
    // blockdiag(S, S, S) V = V diag(Lambda), with the negative-imaginary half kept.
    const Sblock = hippoNormal(bs);
    const S = complexMatrixFromReal({
      rows: P,
      cols: P,
      data: Float64Array.from({ length: P * P }, (_, idx) => {
        const i = Math.floor(idx / P);
        const j = idx % P;
        return Math.floor(i / bs) === Math.floor(j / bs) ? Sblock.data[(i % bs) * bs + (j % bs)] : 0;
      }),
    });
    expect(maxAbsDiffMatrix(matmul(S, V), matmul(V, diagonalMatrix(Lambda)))).toBeLessThan(1e-12);
    expect(Math.max(...Lambda.im)).toBeLessThan(0);
    for (let i = 0; i < P; i++) {
      for (let j = 0; j < P / 2; j++) {
        if (Math.floor(i / bs) !== Math.floor(j / (bs / 2))) expect(Math.hypot(V.re[i * 12 + j], V.im[i * 12 + j])).toBe(0);
      }
    }
  });

  it('without conjugate symmetry keeps all eigenpairs (V square unitary)', () => {
    const { Lambda, V } = s5Eigenbasis(8, 2, false);
    expect(Lambda.re.length).toBe(8);
    expect(maxAbsDiffMatrix(matmul(adjoint(V), V), complexIdentity(8))).toBeLessThan(1e-13);
  });

  it('rejects sizes that do not divide or cannot be halved', () => {
    expect(() => s5Eigenbasis(10, 3)).toThrow(/not divisible by blocks/);
    expect(() => s5Eigenbasis(9, 3)).toThrow(/must be even/);
  });
});

/** B0 = 2 Re(V B~) for conjugate-symmetric halving of a real B0 (V_full = [V, conj V]). */
const recoverRealB0 = (V: { rows: number; cols: number; re: Float64Array; im: Float64Array }, B: typeof V): Float64Array => {
  const VB = matmul(V, B);
  return VB.re.map((x) => 2 * x);
};

describe('initS5', () => {
  const H = 32;
  const P = 64;

  it('B~ = Vinv B0 with B0 ~ TN(1/sqrt(P)) (fan-in = state size)', () => {
    const params = initS5({ H, P, blocks: 4, cInit: 'trunc_standard_normal' }, seededSampler(20));
    expect([params.B.rows, params.B.cols]).toEqual([P / 2, H]);
    const B0 = recoverRealB0(params.basis.V, params.B);
    // B~ really is Vinv times a real matrix: projecting the reconstruction gives B~ back.
    const reprojected = matmul(params.basis.Vinv, complexMatrixFromReal({ rows: P, cols: H, data: B0 }));
    expect(maxAbsDiffMatrix(reprojected, params.B)).toBeLessThan(1e-13);
    const sigma = 1 / Math.sqrt(P);
    expect(Math.abs(rms(B0) - sigma)).toBeLessThan(0.05 * sigma);
    expect(maxAbs(B0)).toBeLessThanOrEqual((2 * sigma) / TRUNCATED_NORMAL_STD + 1e-12);
  });

  const cStd = (cInit: 'trunc_standard_normal' | 'lecun_normal'): { re: number; im: number; max: number } => {
    // Without halving V is square unitary, so C = C~ V^H recovers the drawn C.
    const params = initS5({ H, P, blocks: 2, cInit, conjSym: false }, seededSampler(21));
    const C = matmul(params.C, adjoint(params.basis.V));
    return { re: rms(C.re), im: rms(C.im), max: Math.max(maxAbs(C.re), maxAbs(C.im)) };
  };

  it('trunc_standard_normal C has Re, Im ~ TN(1/sqrt(P)) before projection', () => {
    const sigma = 1 / Math.sqrt(P);
    const { re, im, max } = cStd('trunc_standard_normal');
    expect(Math.abs(re - sigma)).toBeLessThan(0.05 * sigma);
    expect(Math.abs(im - sigma)).toBeLessThan(0.05 * sigma);
    expect(max).toBeLessThanOrEqual((2 * sigma) / TRUNCATED_NORMAL_STD + 1e-12);
  });

  it('lecun_normal C has Re, Im ~ TN(1/sqrt(P H)) before projection', () => {
    const sigma = 1 / Math.sqrt(P * H);
    const { re, im, max } = cStd('lecun_normal');
    expect(Math.abs(re - sigma)).toBeLessThan(0.05 * sigma);
    expect(Math.abs(im - sigma)).toBeLessThan(0.05 * sigma);
    expect(max).toBeLessThanOrEqual((2 * sigma) / TRUNCATED_NORMAL_STD + 1e-12);
  });

  it('complex_normal C~ is drawn directly: Re, Im ~ N(0, 1/2), not truncated', () => {
    const params = initS5({ H, P, blocks: 4, cInit: 'complex_normal', bidirectional: true }, seededSampler(22));
    expect([params.C.rows, params.C.cols]).toEqual([H, P]);
    expect(Math.abs(rms(params.C.re) - Math.SQRT1_2)).toBeLessThan(0.05);
    expect(Math.abs(rms(params.C.im) - Math.SQRT1_2)).toBeLessThan(0.05);
    // 2048 normal draws per part: values beyond the truncation bound 2 sigma / 0.8796 are all but certain.
    expect(maxAbs(params.C.re)).toBeGreaterThan((2 * Math.SQRT1_2) / TRUNCATED_NORMAL_STD);
  });

  it('bidirectional projected C~ = [C~1 | C~2] with independent halves', () => {
    const params = initS5({ H: 4, P: 16, blocks: 2, cInit: 'lecun_normal', bidirectional: true }, seededSampler(23));
    expect([params.C.rows, params.C.cols]).toEqual([4, 16]);
    const first = params.C.re.filter((_, i) => i % 16 < 8);
    const second = params.C.re.filter((_, i) => i % 16 >= 8);
    expect(maxAbsDiff(first, second)).toBeGreaterThan(1e-3);
  });

  it('D ~ N(0, 1), log_step per state in [log 0.001, log 0.1), Lambda from the basis', () => {
    const params = initS5({ H: 2000, P: 8, blocks: 1, cInit: 'complex_normal' }, seededSampler(24));
    expect(Math.abs(rms(params.D) - 1)).toBeLessThan(0.05);
    expect(params.logStep.length).toBe(4);
    for (const x of params.logStep) {
      expect(x).toBeGreaterThanOrEqual(Math.log(0.001));
      expect(x).toBeLessThan(Math.log(0.1));
    }
    expect(Array.from(params.LambdaIm)).toEqual(Array.from(params.basis.Lambda.im));
    expect(maxAbsDiff(params.LambdaRe, [-0.5, -0.5, -0.5, -0.5])).toBeLessThan(1e-15);
  });

  it('rejects a basis of the wrong size and an unknown C init', () => {
    const basis = s5Eigenbasis(8, 1);
    expect(() => initS5({ H: 2, P: 16, blocks: 1, cInit: 'lecun_normal', basis }, seededSampler(1))).toThrow(/does not match P = 16/);
    expect(() => initS5({ H: 2, P: 8, blocks: 1, cInit: 'bogus' as never }, seededSampler(1))).toThrow(/unknown cInit 'bogus'/);
  });
});
