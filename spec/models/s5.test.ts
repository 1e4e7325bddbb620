/**
 * S5 layer: parallel mode against the float64 sequential oracle (numerics/oracleS5) for every
 * discretisation / conjSym / bidirectional / clipEigs combination; irregular per-step Δ against
 * a per-step float64 loop; recurrent mode against parallel mode; gradients against central
 * differences.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import { type S5Config, decodeSSMConfig } from '../../src/models/config';
import { type ComplexVector, cmul, cadd, getC } from '../../src/models/numerics/complex';
import { discretizeDiagonal } from '../../src/models/numerics/discretize';
import { s5RecurrenceOracle } from '../../src/models/numerics/oracleS5';
import { applyS5, initS5, s5InitialState, s5Recurrent, s5Step } from '../../src/models/s5';
import { complexMatrixOf, complexParts, exampleOf, gradientCheck, maxAbs, maxAbsDiff, projectionLoss, randomInput, values } from './helpers';

const s5Config = (overrides: Partial<S5Config>): S5Config => {
  const r = decodeSSMConfig({ kind: 's5', P: 8, blocks: 2, ...overrides });
  if (r._tag === 'Left') throw r.left;
  return r.right as S5Config;
};

const [BATCH, L, H] = [2, 8, 3];

describe('S5 parallel mode equals the sequential float64 oracle', () => {
  const cases: Partial<S5Config>[] = [
    {},
    { discretization: 'bilinear' },
    { conjSym: false },
    { bidirectional: true },
    { bidirectional: true, cInit: 'complex_normal', discretization: 'bilinear' },
    { cInit: 'lecun_normal', clipEigs: true },
  ];
  for (const overrides of cases) {
    it(JSON.stringify(overrides), () => {
      const config = s5Config(overrides);
      const params = initS5(config, H, T.random.key(3));
      // Push one eigenvalue into the right half-plane so that clipEigs has something to clip.
      const LambdaRe = values(params.Lambda_re);
      LambdaRe[0] = 0.2;
      const p = { ...params, Lambda_re: T.tensor(LambdaRe, 'f32', [LambdaRe.length]) };
      const u = randomInput(11, [BATCH, L, H]);
      const y = applyS5(config, p, u, { stepRescale: 1.5 });
      const Lambda = { re: LambdaRe.map((x) => (config.clipEigs ? Math.min(x, -1e-4) : x)), im: values(p.Lambda_im) };
      for (let b = 0; b < BATCH; b++) {
        const expected = s5RecurrenceOracle(
          {
            Lambda,
            B: complexMatrixOf(p.B),
            C: complexMatrixOf(p.C),
            D: values(p.D),
            Delta: values(p.log_step).map((s) => 1.5 * Math.exp(s)),
            discretization: config.discretization,
            conjSym: config.conjSym,
            bidirectional: config.bidirectional,
          },
          exampleOf(u, b),
        );
        expect(maxAbsDiff(exampleOf(y, b).data, expected.data)).toBeLessThan(1e-10 * Math.max(1, maxAbs(expected.data)));
      }
    });
  }

  it('stores P/2 states with conjSym and uses the factor 2 (conjSym off: P states, factor 1)', () => {
    const on = initS5(s5Config({}), H, T.random.key(0));
    const off = initS5(s5Config({ conjSym: false }), H, T.random.key(0));
    expect(on.Lambda_re.shape).toEqual([4]);
    expect(on.B.shape).toEqual([4, H]);
    expect(on.C.shape).toEqual([H, 4]);
    expect(off.Lambda_re.shape).toEqual([8]);
    expect(initS5(s5Config({ bidirectional: true }), H, T.random.key(0)).C.shape).toEqual([H, 8]);
  });
});

/** Per-step float64 loop: Δ_t = τ_t exp(log_step), x_t = Λ̄_t x_{t-1} + gain_t B̃ u_t, y = 2 Re(C̃ x) + D u. */
function irregularOracle(Lambda: ComplexVector, B: ComplexVector, C: ComplexVector, D: Float64Array, steps: Float64Array, tau: number[], u: Float64Array, Hn: number): number[] {
  const Ph = Lambda.re.length;
  let x = Array.from({ length: Ph }, () => ({ re: 0, im: 0 }));
  const ys: number[] = [];
  tau.forEach((t, k) => {
    const { LambdaBar, gain } = discretizeDiagonal(Lambda, steps.map((s) => s * t), 'zoh');
    x = x.map((xn, n) => {
      let bu = { re: 0, im: 0 };
      for (let h = 0; h < Hn; h++) bu = cadd(bu, cmul(getC(B, n * Hn + h), { re: u[k * Hn + h], im: 0 }));
      return cadd(cmul(getC(LambdaBar, n), xn), cmul(getC(gain, n), bu));
    });
    for (let h = 0; h < Hn; h++) {
      let acc = 0;
      for (let n = 0; n < Ph; n++) acc += cmul(getC(C, h * Ph + n), x[n]).re;
      ys.push(2 * acc + D[h] * u[k * Hn + h]);
    }
  });
  return ys;
}

describe('S5 with a per-step Δ (irregular sampling)', () => {
  const config = s5Config({});
  const params = initS5(config, H, T.random.key(5));
  const u = randomInput(12, [BATCH, L, H]);
  const tauValues = Array.from({ length: BATCH * L }, (_, i) => 0.25 + ((i * 7) % 5) * 0.5);
  const tau = T.tensor(tauValues, 'f32', [BATCH, L]);

  it('matches a per-step float64 loop with Λ̄_t = exp(ΛΔ_t)', () => {
    const y = values(applyS5(config, params, u, { timesteps: tau }));
    const Lambda = { re: values(params.Lambda_re), im: values(params.Lambda_im) };
    const steps = values(params.log_step).map(Math.exp);
    for (let b = 0; b < BATCH; b++) {
      const expected = irregularOracle(Lambda, complexParts(params.B), complexParts(params.C), values(params.D), steps, tauValues.slice(b * L, (b + 1) * L), exampleOf(u, b).data, H);
      expect(maxAbsDiff(y.slice(b * L * H, (b + 1) * L * H), expected)).toBeLessThan(1e-10);
    }
  });

  it('differs from the regular-step output (the steps really vary)', () => {
    const regular = values(applyS5(config, params, u));
    const irregular = values(applyS5(config, params, u, { timesteps: tau }));
    expect(maxAbsDiff(regular, irregular)).toBeGreaterThan(1e-3);
  });

  it('recurrent steps with the same τ_t agree', () => {
    const system = s5Recurrent(config, params);
    let state = s5InitialState(params, BATCH);
    const parallel = values(applyS5(config, params, u, { timesteps: tau }));
    for (let t = 0; t < L; t++) {
      const out = s5Step(config, params, system, state, T.squeeze(T.sliceAxis(u, 1, t, t + 1), 1), T.squeeze(T.sliceAxis(tau, 1, t, t + 1), 1));
      state = out.state;
      const expected = Array.from({ length: BATCH * H }, (_, i) => parallel[Math.floor(i / H) * L * H + t * H + (i % H)]);
      expect(maxAbsDiff(values(out.y), expected)).toBeLessThan(1e-12);
    }
  });
});

describe('S5 recurrent mode', () => {
  for (const overrides of [{}, { discretization: 'bilinear' as const, clipEigs: true }, { conjSym: false }]) {
    it(`equals parallel mode step by step ${JSON.stringify(overrides)}`, () => {
      const config = s5Config(overrides);
      const params = initS5(config, H, T.random.key(8));
      const u = randomInput(13, [BATCH, L, H]);
      const parallel = values(applyS5(config, params, u, { stepRescale: 2 }));
      const system = s5Recurrent(config, params, 2);
      let state = s5InitialState(params, BATCH);
      for (let t = 0; t < L; t++) {
        const out = s5Step(config, params, system, state, T.squeeze(T.sliceAxis(u, 1, t, t + 1), 1));
        state = out.state;
        const expected = Array.from({ length: BATCH * H }, (_, i) => parallel[Math.floor(i / H) * L * H + t * H + (i % H)]);
        expect(maxAbsDiff(values(out.y), expected)).toBeLessThan(1e-12);
      }
    });
  }

  it('refuses a bidirectional layer: recurrent mode is causal only', () => {
    const config = s5Config({ bidirectional: true });
    expect(() => s5Recurrent(config, initS5(config, H, T.random.key(0)))).toThrow(/causal/);
  });
});

describe('S5 gradients equal central differences', () => {
  for (const overrides of [{}, { bidirectional: true, discretization: 'bilinear' as const }]) {
    it(`every parameter ${JSON.stringify(overrides)}`, () => {
      const config = s5Config({ ...overrides, P: 4, blocks: 1 });
      const params = initS5(config, 2, T.random.key(4));
      const u = randomInput(14, [1, 6, 2]);
      const tau = T.tensor([1, 0.5, 2, 1, 1.5, 0.7], 'f32', [1, 6]);
      const rows = gradientCheck((p: typeof params) => projectionLoss(applyS5(config, p, u, { timesteps: tau })), params);
      expect(rows.map((r) => r.path).sort()).toEqual(['B', 'C', 'D', 'Lambda_im', 'Lambda_re', 'log_step']);
      for (const r of rows) expect(Math.abs(r.analytic - r.numeric), r.path).toBeLessThan(1e-6 * Math.max(1, Math.abs(r.numeric)));
    });
  }
});
