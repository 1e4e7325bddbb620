// The S5 sequential recurrence against (a) a hand-computed tiny case and (b)
// direct convolution with the kernel materialised from the dense
// discretisation, K_j = f Re(C~ A_bar^j B_bar); and the S4D Vandermonde kernel
// against the same recurrence read as a single-channel system.

import { describe, expect, it } from 'vitest';
import { complexVectorFrom } from '../../src/models/numerics/complex';
import { type ComplexMatrix, complexMatrix, diagonalMatrix } from '../../src/models/numerics/complexMatrix';
import { type Discretization, discretizeDense, s5StepSizes } from '../../src/models/numerics/discretize';
import {
  causalConvolution,
  materializedKernel,
  mimoConvolution,
  s4dVandermondeKernel,
  s5OracleInput,
  s5RecurrenceOracle,
} from '../../src/models/numerics/oracles';
import { type RealMatrix, realMatrix } from '../../src/models/numerics/realMatrix';
import { initS4D } from '../../src/models/numerics/s4init';
import { initS5 } from '../../src/models/numerics/s5init';
import { maxAbs, maxAbsDiff } from './testHelpers';
import { seededSampler } from './testSampler';

const randomInput = (seed: number, L: number, H: number): RealMatrix => {
  const u = realMatrix(L, H);
  u.data.set(seededSampler(seed).normal(L * H));
  return u;
};

const columns = (m: ComplexMatrix, start: number, count: number): ComplexMatrix => {
  const out = complexMatrix(m.rows, count);
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < count; j++) {
      out.re[i * count + j] = m.re[i * m.cols + start + j];
      out.im[i * count + j] = m.im[i * m.cols + start + j];
    }
  }
  return out;
};

describe('s5RecurrenceOracle on a hand-computed case', () => {
  // Lambda = -1, Delta = ln 2: ZOH gives Lambda_bar = 1/2 and B_bar = (1/2 - 1)/(-1) B = B/2.
  const base = {
    Lambda: complexVectorFrom([-1]),
    B: { rows: 1, cols: 1, re: Float64Array.of(1), im: Float64Array.of(0) },
    D: Float64Array.of(0.1),
    Delta: Float64Array.of(Math.LN2),
    discretization: 'zoh' as const,
    conjSym: false,
  };
  const u: RealMatrix = { rows: 3, cols: 1, data: Float64Array.of(1, 0, 0) };

  it('forward: x = [1/2, 1/4, 1/8], y = x + D u', () => {
    const C = { rows: 1, cols: 1, re: Float64Array.of(1), im: Float64Array.of(0) };
    const y = s5RecurrenceOracle({ ...base, C, bidirectional: false }, u);
    expect(maxAbsDiff(y.data, [0.6, 0.25, 0.125])).toBeLessThan(1e-15);
  });

  it('bidirectional: the backward state includes u_k (x2 = [1/2, 0, 0]); conjSym doubles Re(C x)', () => {
    const C = { rows: 1, cols: 2, re: Float64Array.of(1, 1), im: Float64Array.of(0, 0) };
    const y = s5RecurrenceOracle({ ...base, C, bidirectional: true }, u);
    expect(maxAbsDiff(y.data, [1.1, 0.25, 0.125])).toBeLessThan(1e-15);
    const y2 = s5RecurrenceOracle({ ...base, C, bidirectional: true, conjSym: true }, u);
    expect(maxAbsDiff(y2.data, [2.1, 0.5, 0.25])).toBeLessThan(1e-15);
  });

  it('rejects a C of the wrong width', () => {
    const C = { rows: 1, cols: 1, re: Float64Array.of(1), im: Float64Array.of(0) };
    expect(() => s5RecurrenceOracle({ ...base, C, bidirectional: true }, u)).toThrow(/C is 1x1, expected 1x2/);
  });
});

describe('s5RecurrenceOracle vs convolution with the materialised kernel', () => {
  const cases: [Discretization, boolean, boolean][] = [
    ['zoh', true, false],
    ['bilinear', true, false],
    ['zoh', true, true],
    ['bilinear', false, true],
  ];
  for (const [discretization, conjSym, bidirectional] of cases) {
    it(`${discretization}, conjSym=${conjSym}, bidirectional=${bidirectional}`, () => {
      const H = 3;
      const P = 8;
      const L = 24;
      const params = initS5({ H, P, blocks: 2, cInit: 'lecun_normal', conjSym, bidirectional }, seededSampler(70));
      const input = s5OracleInput(params, { discretization, conjSym, bidirectional, stepRescale: 2 });
      const u = randomInput(71, L, H);
      const y = s5RecurrenceOracle(input, u);

      const Ph = input.Lambda.re.length;
      const { Abar, Bbar } = discretizeDense(diagonalMatrix(input.Lambda), params.B, s5StepSizes(params.logStep, 2), discretization);
      const factor = conjSym ? 2 : 1;
      const realKernel = (C: ComplexMatrix): RealMatrix[] =>
        materializedKernel(Abar, Bbar, C, L).map((k) => ({ rows: H, cols: H, data: k.re.map((x) => factor * x) }));
      const forward = realKernel(columns(params.C, 0, Ph));
      const backward = bidirectional ? realKernel(columns(params.C, Ph, Ph)) : undefined;
      const expected = mimoConvolution(forward, u, params.D, backward);
      expect(maxAbs(y.data)).toBeGreaterThan(0.1);
      expect(maxAbsDiff(y.data, expected.data)).toBeLessThan(1e-12 * maxAbs(expected.data));
    });
  }

  it('clipEigs clamps Re(Lambda) to <= -1e-4 and stepRescale multiplies Delta', () => {
    const params = initS5({ H: 2, P: 4, blocks: 1, cInit: 'complex_normal' }, seededSampler(72));
    const shifted = { ...params, LambdaRe: Float64Array.of(0.3, -0.5) };
    const input = s5OracleInput(shifted, { discretization: 'zoh', conjSym: true, bidirectional: false, clipEigs: true, stepRescale: 3 });
    expect(Array.from(input.Lambda.re)).toEqual([-1e-4, -0.5]);
    expect(maxAbsDiff(input.Delta, Array.from(params.logStep, (x) => 3 * Math.exp(x)))).toBeLessThan(1e-15);
  });
});

describe('S4D Vandermonde kernel + causal convolution vs the recurrence', () => {
  for (const method of ['zoh', 'bilinear'] as const) {
    it(method, () => {
      const N = 16;
      const L = 40;
      const params = initS4D({ H: 1, N, init: 'inv' }, seededSampler(73));
      const dt = Math.exp(params.logDt[0]);
      const C = { re: params.C.re, im: params.C.im };
      const K = s4dVandermondeKernel({ A: params.A, B: params.B, C, dt, L, method });
      const u = randomInput(74, L, 1);
      const viaConvolution = causalConvolution({ rows: 1, cols: L, data: K }, u, params.D);
      // A single-channel system is the S5 recurrence with H = 1 and the same step for every state.
      const viaRecurrence = s5RecurrenceOracle(
        {
          Lambda: params.A,
          B: { rows: N / 2, cols: 1, re: params.B.re, im: params.B.im },
          C: params.C,
          D: params.D,
          Delta: new Float64Array(N / 2).fill(dt),
          discretization: method,
          conjSym: true,
          bidirectional: false,
        },
        u,
      );
      expect(maxAbsDiff(viaConvolution.data, viaRecurrence.data)).toBeLessThan(1e-12 * maxAbs(viaRecurrence.data));
    });
  }
});
