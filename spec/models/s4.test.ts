/**
 * S4 (DPLR) layer: the Cauchy + Woodbury + irfft kernel against the materialised C Ā^l B̄ of
 * the dense full-size system (C̃ = C (I - Ā^L) from the float64 numerics), for even L (the
 * Nyquist node) and odd L; with a zero low-rank term against the S4D bilinear kernel;
 * convolution mode against the direct convolution; recurrent mode against convolution mode;
 * gradients against central differences.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import { type S4Config, type S4DConfig, decodeSSMConfig } from '../../src/models/config';
import { complexTensor } from '../../src/models/initTools';
import { discretizeDense } from '../../src/models/numerics/discretize';
import { causalConvolution, materializedKernelSISO, s4Ctilde, s4DenseSystem } from '../../src/models/numerics/oracles';
import { type S4Params, applyS4, initS4, s4InitialState, s4Kernel, s4Recurrent, s4Step } from '../../src/models/s4';
import { type S4DParams, s4dKernel } from '../../src/models/s4d';
import { complexParts, complexRow, exampleOf, gradientCheck, maxAbs, maxAbsDiff, projectionLoss, randomInput, values } from './helpers';

const s4Config = (overrides: Partial<S4Config> = {}): S4Config => {
  const r = decodeSSMConfig({ kind: 's4', N: 8, dtMin: 0.01, dtMax: 0.3, ...overrides });
  if (r._tag === 'Left') throw r.left;
  return r.right as S4Config;
};

const H = 2;

function channelSystem(params: S4Params, h: number) {
  const Nh = params.A_imag.shape[1];
  const Lambda = { re: values(params.log_A_real).slice(h * Nh, (h + 1) * Nh).map((x) => -Math.exp(x)), im: values(params.A_imag).slice(h * Nh, (h + 1) * Nh) };
  return { Lambda, P: complexRow(params.P, h, Nh), B: complexRow(params.B, h, Nh), dt: Math.exp(values(params.log_dt)[h]) };
}

/** Replaces the C parameter by C̃ = C (I - Ā^L) computed by the float64 numerics, per channel. */
function withCtilde(params: S4Params, L: number): S4Params {
  const Nh = params.A_imag.shape[1];
  const re: number[] = [];
  const im: number[] = [];
  for (let h = 0; h < H; h++) {
    const { half } = s4Ctilde(channelSystem(params, h), complexRow(params.C, h, Nh), L);
    re.push(...half.re);
    im.push(...half.im);
  }
  return { ...params, C: complexTensor(re, im, [1, H, Nh]) };
}

describe('S4 DPLR kernel equals the materialised kernel C Ā^l B̄', () => {
  for (const L of [8, 9, 16]) {
    it(`L = ${L}`, () => {
      const params = initS4(s4Config(), H, T.random.key(1));
      const K = values(s4Kernel(withCtilde(params, L), L));
      const Nh = params.A_imag.shape[1];
      for (let h = 0; h < H; h++) {
        const sys = channelSystem(params, h);
        const dense = s4DenseSystem(sys);
        const { Abar, Bbar } = discretizeDense(dense.A, dense.B, sys.dt, 'bilinear');
        const C = complexRow(params.C, h, Nh);
        const Cfull = { re: Float64Array.from([...C.re, ...C.re]), im: Float64Array.from([...C.im, ...C.im.map((x) => -x)]) };
        const materialised = materializedKernelSISO(Abar, { re: Bbar.re, im: Bbar.im }, Cfull, L);
        expect(maxAbs(materialised.im)).toBeLessThan(1e-10);
        expect(maxAbsDiff(K.slice(h * L, (h + 1) * L), materialised.re)).toBeLessThan(1e-9 * Math.max(1, maxAbs(materialised.re)));
      }
    });
  }
});

describe('S4 with a zero low-rank term is S4D (bilinear)', () => {
  it('kernels agree when C̃ = C (1 - Ā^L) elementwise', () => {
    const L = 10;
    const params = initS4(s4Config(), H, T.random.key(2));
    const zeroP = T.zeros(params.P.shape, 'c64');
    const s4d: S4DParams = { log_A_real: params.log_A_real, A_imag: params.A_imag, B: params.B, C: params.C, D: params.D, log_dt: params.log_dt };
    const s4dConfig = decodeSSMConfig({ kind: 's4d', N: 8, discretization: 'bilinear' });
    if (s4dConfig._tag === 'Left') throw s4dConfig.left;
    const expected = values(s4dKernel(s4dConfig.right as S4DConfig, s4d, L));
    // C̃_n = C_n (1 - Ā_n^L) for the diagonal system, computed in float64 here.
    const Nh = params.A_imag.shape[1];
    const re: number[] = [];
    const im: number[] = [];
    for (let h = 0; h < H; h++) {
      const { Lambda, dt } = channelSystem(params, h);
      const C = complexRow(params.C, h, Nh);
      for (let n = 0; n < Nh; n++) {
        // Ā = (1 + dtΛ/2)/(1 - dtΛ/2); Ā^L by repeated multiplication.
        const [ar, ai] = [1 + (dt * Lambda.re[n]) / 2, (dt * Lambda.im[n]) / 2];
        const [br, bi] = [1 - (dt * Lambda.re[n]) / 2, -(dt * Lambda.im[n]) / 2];
        const d = br * br + bi * bi;
        const [abr, abi] = [(ar * br + ai * bi) / d, (ai * br - ar * bi) / d];
        let [pr, pi] = [1, 0];
        for (let l = 0; l < L; l++) [pr, pi] = [pr * abr - pi * abi, pr * abi + pi * abr];
        const [fr, fi] = [1 - pr, -pi];
        re.push(C.re[n] * fr - C.im[n] * fi);
        im.push(C.re[n] * fi + C.im[n] * fr);
      }
    }
    const K = values(s4Kernel({ ...params, P: zeroP, C: complexTensor(re, im, [1, H, Nh]) }, L));
    expect(maxAbsDiff(K, expected)).toBeLessThan(1e-10 * Math.max(1, maxAbs(expected)));
  });
});

describe('S4 convolution and recurrent modes', () => {
  const L = 10;
  const config = s4Config();
  const params = initS4(config, H, T.random.key(3));
  const u = randomInput(31, [2, L, H]);

  it('convolution mode equals the direct convolution with the kernel', () => {
    const y = applyS4(params, u);
    const K = { rows: H, cols: L, data: values(s4Kernel(params, L)) };
    for (let b = 0; b < 2; b++) expect(maxAbsDiff(exampleOf(y, b).data, causalConvolution(K, exampleOf(u, b), values(params.D)).data)).toBeLessThan(1e-10);
  });

  it('recurrent mode (dense Ā, C = C̃ (I - Ā^L)⁻¹) equals convolution mode', () => {
    const parallel = values(applyS4(params, u));
    const system = s4Recurrent(config, params, L);
    let state = s4InitialState(system, 2);
    for (let t = 0; t < L; t++) {
      const out = s4Step(params, system, state, T.squeeze(T.sliceAxis(u, 1, t, t + 1), 1));
      state = out.state;
      const expected = Array.from({ length: 2 * H }, (_, i) => parallel[Math.floor(i / H) * L * H + t * H + (i % H)]);
      expect(maxAbsDiff(values(out.y), expected)).toBeLessThan(1e-9);
    }
  });

  it('the recurrent C reproduces C̃ = C (I - Ā^L) (round trip through the numerics)', () => {
    const system = s4Recurrent(config, params, L);
    const N = 8;
    const C = complexParts(system.C);
    const Nh = N / 2;
    for (let h = 0; h < H; h++) {
      const half = { re: C.re.slice(h * N, h * N + Nh), im: C.im.slice(h * N, h * N + Nh) };
      const { half: Ct } = s4Ctilde(channelSystem(params, h), half, L);
      const expected = complexRow(params.C, h, Nh);
      expect(maxAbsDiff(Ct.re, expected.re)).toBeLessThan(1e-9);
      expect(maxAbsDiff(Ct.im, expected.im)).toBeLessThan(1e-9);
    }
  });

  it('refuses a bidirectional layer', () => {
    const bi = s4Config({ bidirectional: true });
    expect(() => s4Recurrent(bi, initS4(bi, H, T.random.key(0)), L)).toThrow(/causal/);
  });
});

describe('S4 gradients equal central differences', () => {
  for (const [L, bidirectional] of [[6, false], [7, true]] as const) {
    it(`every parameter (L = ${L}, bidirectional ${bidirectional})`, () => {
      const config = s4Config({ N: 4, bidirectional });
      const params = initS4(config, 2, T.random.key(11));
      const u = randomInput(32, [1, L, 2]);
      const rows = gradientCheck((p: S4Params) => projectionLoss(applyS4(p, u)), params);
      expect(rows.map((r) => r.path).sort()).toEqual(['A_imag', 'B', 'C', 'D', 'P', 'log_A_real', 'log_dt']);
      for (const r of rows) expect(Math.abs(r.analytic - r.numeric), r.path).toBeLessThan(1e-6 * Math.max(1, Math.abs(r.numeric)));
    });
  }
});
