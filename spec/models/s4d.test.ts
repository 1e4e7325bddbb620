/**
 * S4D layer: the Vandermonde kernel against the float64 Vandermonde oracle and against the
 * materialised C Ā^l B̄ of the dense diagonal system; FFT convolution against the direct
 * convolution oracles (causal and bidirectional); recurrent mode against convolution mode;
 * gradients against central differences.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import { type S4DConfig, decodeSSMConfig } from '../../src/models/config';
import { diagonalMatrix } from '../../src/models/numerics/complexMatrix';
import { discretizeDiagonal } from '../../src/models/numerics/discretize';
import { bidirectionalConvolutionS4, causalConvolution, materializedKernelSISO, s4dVandermondeKernel } from '../../src/models/numerics/oracles';
import { applySSM } from '../../src/models/ssm';
import { applyS4D, initS4D, s4dInitialState, s4dKernel, s4dRecurrent, s4dStep } from '../../src/models/s4d';
import { complexRow, exampleOf, gradientCheck, maxAbs, maxAbsDiff, projectionLoss, randomInput, values } from './helpers';

const s4dConfig = (overrides: Partial<S4DConfig>): S4DConfig => {
  const r = decodeSSMConfig({ kind: 's4d', N: 8, ...overrides });
  if (r._tag === 'Left') throw r.left;
  return r.right as S4DConfig;
};

const [BATCH, L, H] = [2, 12, 3];

/** Per-channel float64 view of the parameters: A, B, C (direction c), dt. */
function channel(params: ReturnType<typeof initS4D>, h: number, c = 0) {
  const Nh = params.A_imag.shape[1];
  const A = { re: values(params.log_A_real).slice(h * Nh, (h + 1) * Nh).map((x) => -Math.exp(x)), im: values(params.A_imag).slice(h * Nh, (h + 1) * Nh) };
  return { A, B: complexRow(params.B, h, Nh), C: complexRow(params.C, c * params.B.shape[0] + h, Nh), dt: Math.exp(values(params.log_dt)[h]) };
}

describe('S4D kernel', () => {
  for (const init of ['lin', 'inv', 'legs', 'real'] as const) {
    for (const discretization of ['zoh', 'bilinear'] as const) {
      it(`${init}/${discretization} equals the Vandermonde oracle and the materialised C Ā^l B̄`, () => {
        const config = s4dConfig({ init, discretization, dtMin: 0.01, dtMax: 0.5 });
        const params = initS4D(config, H, T.random.key(2));
        const K = values(s4dKernel(config, params, L));
        for (let h = 0; h < H; h++) {
          const { A, B, C, dt } = channel(params, h);
          const kh = K.slice(h * L, (h + 1) * L);
          const oracle = s4dVandermondeKernel({ A, B, C, dt, L, method: discretization });
          expect(maxAbsDiff(kh, oracle)).toBeLessThan(1e-10 * Math.max(1, maxAbs(oracle)));
          // Dense: the conjugate-closed diagonal system [A, conj A] with C Ā^l B̄ summed over both halves.
          const { LambdaBar, gain } = discretizeDiagonal(A, dt, discretization);
          const bbar = { re: B.re.map((_, n) => gain.re[n] * B.re[n] - gain.im[n] * B.im[n]), im: B.re.map((_, n) => gain.re[n] * B.im[n] + gain.im[n] * B.re[n]) };
          const materialised = materializedKernelSISO(diagonalMatrix(LambdaBar), bbar, C, L);
          expect(maxAbsDiff(kh, materialised.re.map((x) => 2 * x))).toBeLessThan(1e-10 * Math.max(1, maxAbs(oracle)));
        }
      });
    }
  }

  it('the LegS init uses the HiPPO-N eigenvalues (real part -1/2)', () => {
    const params = initS4D(s4dConfig({ init: 'legs', N: 4 }), 1, T.random.key(0));
    for (const a of values(params.log_A_real)) expect(Math.exp(a)).toBeCloseTo(0.5, 14);
    const im = values(params.A_imag);
    expect(im[0]).toBeCloseTo(-4.603293, 5);
    expect(im[1]).toBeCloseTo(-0.556501, 5);
  });
});

describe('S4D convolution mode', () => {
  it('causal: equals the direct convolution of the oracle kernel', () => {
    const config = s4dConfig({ init: 'lin' });
    const params = initS4D(config, H, T.random.key(6));
    const u = randomInput(21, [BATCH, L, H]);
    const y = applyS4D(config, params, u);
    const K = { rows: H, cols: L, data: values(s4dKernel(config, params, L)) };
    for (let b = 0; b < BATCH; b++) {
      expect(maxAbsDiff(exampleOf(y, b).data, causalConvolution(K, exampleOf(u, b), values(params.D)).data)).toBeLessThan(1e-10);
    }
  });

  it('bidirectional: equals S4’s two-sided convolution (the anti-causal part excludes u_t)', () => {
    const config = s4dConfig({ init: 'inv', bidirectional: true });
    const params = initS4D(config, H, T.random.key(7));
    expect(params.C.shape).toEqual([2, H, 4]);
    const u = randomInput(22, [BATCH, L, H]);
    const y = applyS4D(config, params, u);
    const K = values(s4dKernel(config, params, L));
    const K0 = { rows: H, cols: L, data: K.slice(0, H * L) };
    const K1 = { rows: H, cols: L, data: K.slice(H * L) };
    for (let b = 0; b < BATCH; b++) {
      const expected = bidirectionalConvolutionS4(K0, K1, exampleOf(u, b), values(params.D)).data;
      expect(maxAbsDiff(exampleOf(y, b).data, expected)).toBeLessThan(1e-10);
    }
  });
});

describe('S4D step rescaling', () => {
  it('stepRescale r convolves with the oracle kernel of step r·Δ', () => {
    const config = s4dConfig({ init: 'legs' });
    const params = initS4D(config, H, T.random.key(12));
    const u = randomInput(25, [1, L, H]);
    const y = applySSM(config, params, u, { stepRescale: 2 });
    const K = new Float64Array(H * L);
    for (let h = 0; h < H; h++) {
      const { A, B, C, dt } = channel(params, h);
      K.set(s4dVandermondeKernel({ A, B, C, dt: 2 * dt, L, method: 'zoh' }), h * L);
    }
    const expected = causalConvolution({ rows: H, cols: L, data: K }, exampleOf(u, 0), values(params.D)).data;
    expect(maxAbsDiff(exampleOf(y, 0).data, expected)).toBeLessThan(1e-10);
  });
});

describe('S4D recurrent mode', () => {
  for (const discretization of ['zoh', 'bilinear'] as const) {
    it(`equals convolution mode step by step (${discretization})`, () => {
      const config = s4dConfig({ init: 'legs', discretization });
      const params = initS4D(config, H, T.random.key(9));
      const u = randomInput(23, [BATCH, L, H]);
      const parallel = values(applyS4D(config, params, u));
      const system = s4dRecurrent(config, params);
      let state = s4dInitialState(params, BATCH);
      for (let t = 0; t < L; t++) {
        const out = s4dStep(params, system, state, T.squeeze(T.sliceAxis(u, 1, t, t + 1), 1));
        state = out.state;
        const expected = Array.from({ length: BATCH * H }, (_, i) => parallel[Math.floor(i / H) * L * H + t * H + (i % H)]);
        expect(maxAbsDiff(values(out.y), expected)).toBeLessThan(1e-10);
      }
    });
  }

  it('refuses a bidirectional layer', () => {
    const config = s4dConfig({ bidirectional: true });
    expect(() => s4dRecurrent(config, initS4D(config, H, T.random.key(0)))).toThrow(/causal/);
  });
});

describe('S4D gradients equal central differences', () => {
  for (const overrides of [{ init: 'lin' as const }, { init: 'legs' as const, discretization: 'bilinear' as const, bidirectional: true }]) {
    it(`every parameter ${JSON.stringify(overrides)}`, () => {
      const config = s4dConfig({ ...overrides, N: 4, dtMin: 0.05, dtMax: 0.5 });
      const params = initS4D(config, 2, T.random.key(10));
      const u = randomInput(24, [1, 6, 2]);
      const rows = gradientCheck((p: typeof params) => projectionLoss(applyS4D(config, p, u)), params);
      expect(rows.map((r) => r.path).sort()).toEqual(['A_imag', 'B', 'C', 'D', 'log_A_real', 'log_dt']);
      for (const r of rows) expect(Math.abs(r.analytic - r.numeric), r.path).toBeLessThan(1e-6 * Math.max(1, Math.abs(r.numeric)));
    });
  }
});
