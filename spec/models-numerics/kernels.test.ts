// SSM convolution kernels computed three independent ways: S4D's Vandermonde
// formula, dense materialisation C A_bar^l B_bar (after a random similarity
// transform, with ZOH via the matrix exponential), and S4's frequency-domain
// Cauchy/Woodbury formula followed by an inverse real DFT.

import { describe, expect, it } from 'vitest';
import {
  type ComplexVector,
  complexVector,
  complexVectorFrom,
  withConjugateHalf,
} from '../../src/models/numerics/complex';
import {
  type ComplexMatrix,
  addScaled,
  complexIdentity,
  diagonalMatrix,
  inverse,
  matmul,
  maxAbsDiffMatrix,
  scaleMatrix,
  vecmat,
  vectorAsMatrix,
} from '../../src/models/numerics/complexMatrix';
import { type Discretization, discretizeDense } from '../../src/models/numerics/discretize';
import {
  inverseRealDFT,
  materializedKernelSISO,
  s4Ctilde,
  s4DenseSystem,
  s4FrequencyKernel,
  s4dVandermondeKernel,
} from '../../src/models/numerics/oracles';
import { initS4DPLR, s4dStateInit } from '../../src/models/numerics/s4init';
import { maxAbs, maxAbsDiff, randomComplexMatrix } from './testHelpers';
import { seededSampler } from './testSampler';

const randomVector = (seed: number, n: number): ComplexVector => {
  const rng = seededSampler(seed);
  return complexVectorFrom(rng.normal(n), rng.normal(n));
};

/** Well-conditioned random similarity transform I + 0.3 G. */
const randomSimilarity = (seed: number, n: number): ComplexMatrix => {
  const G = randomComplexMatrix(seededSampler(seed), n, n);
  for (let i = 0; i < G.re.length; i++) {
    G.re[i] *= 0.3 / Math.sqrt(n);
    G.im[i] *= 0.3 / Math.sqrt(n);
  }
  for (let i = 0; i < n; i++) G.re[i * n + i] += 1;
  return G;
};

describe('S4D Vandermonde kernel vs dense materialised kernel', () => {
  const cases: [string, 'legs' | 'lin', Discretization, number][] = [
    ['LegS / ZOH', 'legs', 'zoh', 0.05],
    ['LegS / bilinear', 'legs', 'bilinear', 0.05],
    ['Lin / ZOH', 'lin', 'zoh', 0.3],
    ['Lin / bilinear', 'lin', 'bilinear', 0.3],
  ];
  for (const [name, init, method, dt] of cases) {
    it(name, () => {
      const N = 8;
      const L = 48;
      const { A } = s4dStateInit(init, N);
      const B = randomVector(50, N / 2);
      const C = randomVector(51, N / 2);
      const K = s4dVandermondeKernel({ A, B, C, dt, L, method });

      // The full conjugate-closed system, hidden behind a random similarity T.
      const T = randomSimilarity(52, N);
      const Tinv = inverse(T);
      const Adense = matmul(matmul(T, diagonalMatrix(withConjugateHalf(A))), Tinv);
      const Bdense = matmul(T, vectorAsMatrix(withConjugateHalf(B)));
      const Cdense = vecmat(withConjugateHalf(C), Tinv);
      const { Abar, Bbar } = discretizeDense(Adense, Bdense, dt, method);
      const dense = materializedKernelSISO(Abar, { re: Bbar.re, im: Bbar.im }, Cdense, L);

      const scale = maxAbs(K);
      expect(scale).toBeGreaterThan(0.1);
      expect(maxAbs(dense.im) / scale).toBeLessThan(1e-11);
      expect(maxAbsDiff(dense.re, K) / scale).toBeLessThan(1e-11);
    });
  }

  it('rejects mismatched lengths', () => {
    const v = complexVector(2);
    expect(() => s4dVandermondeKernel({ A: v, B: v, C: complexVector(3), dt: 0.1, L: 4, method: 'zoh' })).toThrow(/lengths 2, 2, 3/);
  });
});

describe('inverseRealDFT', () => {
  for (const L of [16, 15]) {
    it(`inverts the direct forward DFT (L = ${L})`, () => {
      const x = seededSampler(53).normal(L);
      const bins = Math.floor(L / 2) + 1;
      const spectrum = complexVector(bins);
      for (let k = 0; k < bins; k++) {
        for (let l = 0; l < L; l++) {
          spectrum.re[k] += x[l] * Math.cos((2 * Math.PI * k * l) / L);
          spectrum.im[k] -= x[l] * Math.sin((2 * Math.PI * k * l) / L);
        }
      }
      expect(maxAbsDiff(inverseRealDFT(spectrum, L), x)).toBeLessThan(1e-13);
    });
  }
});

/** Dense materialised kernel of the full DPLR system with the un-transformed C. */
const denseDPLRKernel = (params: { Lambda: ComplexVector; P: ComplexVector; B: ComplexVector }, C: ComplexVector, dt: number, L: number) => {
  const { A, B } = s4DenseSystem(params);
  const { Abar, Bbar } = discretizeDense(A, B, dt, 'bilinear');
  return materializedKernelSISO(Abar, { re: Bbar.re, im: Bbar.im }, withConjugateHalf(C), L);
};

describe('S4 DPLR frequency-domain kernel vs materialised kernel', () => {
  for (const L of [32, 31]) {
    it(`HiPPO-LegS init, L = ${L} (${L % 2 === 0 ? 'with' : 'without'} the Nyquist node)`, () => {
      const params = initS4DPLR({ H: 1, N: 16 }, seededSampler(54));
      const C = { re: params.C.re, im: params.C.im };
      const dt = 0.1;
      const dense = denseDPLRKernel(params, C, dt, L);
      const Ctilde = s4Ctilde({ ...params, dt }, C, L);
      // The full C~ row is conjugate-closed, so its first half represents it.
      expect(maxAbsDiff(Ctilde.full.re.subarray(8), Ctilde.half.re)).toBeLessThan(1e-12);
      expect(maxAbsDiff(Ctilde.full.im.subarray(8), Ctilde.half.im.map((x) => -x))).toBeLessThan(1e-12);
      const K = s4FrequencyKernel({ ...params, dt }, Ctilde.half, L);
      const scale = maxAbs(dense.re);
      expect(maxAbs(dense.im) / scale).toBeLessThan(1e-12);
      expect(maxAbsDiff(K, dense.re) / scale).toBeLessThan(1e-11);
    });
  }

  it('random Lambda (Re < 0), random P, large dt', () => {
    const n = 5;
    const rng = seededSampler(55);
    const Lambda = complexVectorFrom(rng.uniform(n).map((u) => -0.2 - u), rng.normal(n).map((x) => 5 * x));
    const P = complexVectorFrom(rng.normal(n).map((x) => 0.5 * x), rng.normal(n).map((x) => 0.5 * x));
    const B = randomVector(56, n);
    const C = randomVector(57, n);
    const dt = 0.7;
    const L = 20;
    const params = { Lambda, P, B };
    const dense = denseDPLRKernel(params, C, dt, L);
    const K = s4FrequencyKernel({ ...params, dt }, s4Ctilde({ ...params, dt }, C, L).half, L);
    expect(maxAbsDiff(K, dense.re) / maxAbs(dense.re)).toBeLessThan(1e-11);
  });

  it('with P = 0 equals the S4D bilinear Vandermonde kernel for C~_n = C_n (1 - A_bar_n^L)', () => {
    const N = 8;
    const L = 24;
    const dt = 0.2;
    const { A, B } = s4dStateInit('legs', N);
    const C = randomVector(58, N / 2);
    const Ctilde = complexVector(N / 2);
    for (let n = 0; n < N / 2; n++) {
      // A_bar = (1 + dt A/2) / (1 - dt A/2), written out; then A_bar^L by repeated multiplication.
      const num = { re: 1 + (dt * A.re[n]) / 2, im: (dt * A.im[n]) / 2 };
      const den = { re: 1 - (dt * A.re[n]) / 2, im: (-dt * A.im[n]) / 2 };
      const d2 = den.re ** 2 + den.im ** 2;
      const abar = { re: (num.re * den.re + num.im * den.im) / d2, im: (num.im * den.re - num.re * den.im) / d2 };
      let pr = 1;
      let pi = 0;
      for (let l = 0; l < L; l++) [pr, pi] = [pr * abar.re - pi * abar.im, pr * abar.im + pi * abar.re];
      const oneMinus = { re: 1 - pr, im: -pi };
      Ctilde.re[n] = C.re[n] * oneMinus.re - C.im[n] * oneMinus.im;
      Ctilde.im[n] = C.re[n] * oneMinus.im + C.im[n] * oneMinus.re;
    }
    const K = s4FrequencyKernel({ Lambda: A, P: complexVector(N / 2), B, dt }, Ctilde, L);
    const vandermonde = s4dVandermondeKernel({ A, B, C, dt, L, method: 'bilinear' });
    expect(maxAbsDiff(K, vandermonde) / maxAbs(vandermonde)).toBeLessThan(1e-11);
  });
});

describe('discretizeDense (bilinear)', () => {
  it('satisfies (I - dt A/2) B_bar = dt B and (I - dt A/2) A_bar = I + dt A/2', () => {
    const n = 4;
    const dt = 0.3;
    const A = randomComplexMatrix(seededSampler(59), n, n);
    const B = randomComplexMatrix(seededSampler(60), n, 1);
    const { Abar, Bbar } = discretizeDense(A, B, dt, 'bilinear');
    const I = complexIdentity(n);
    const minus = addScaled(I, A, { re: -dt / 2, im: 0 });
    const plus = addScaled(I, A, { re: dt / 2, im: 0 });
    expect(maxAbsDiffMatrix(matmul(minus, Bbar), scaleMatrix(B, { re: dt, im: 0 }))).toBeLessThan(1e-13);
    expect(maxAbsDiffMatrix(matmul(minus, Abar), plus)).toBeLessThan(1e-13);
  });

  it('with one step per state scales the rows of A and B (diagonal A: elementwise formulas)', () => {
    const Lambda = complexVectorFrom([-0.5, -1], [3, -2]);
    const steps = Float64Array.from([0.1, 0.4]);
    const { Abar } = discretizeDense(diagonalMatrix(Lambda), vectorAsMatrix(complexVectorFrom([1, 1])), steps, 'zoh');
    for (let n = 0; n < 2; n++) {
      const m = Math.exp(Lambda.re[n] * steps[n]);
      expect(Abar.re[n * 3]).toBeCloseTo(m * Math.cos(Lambda.im[n] * steps[n]), 13);
      expect(Abar.im[n * 3]).toBeCloseTo(m * Math.sin(Lambda.im[n] * steps[n]), 13);
    }
    expect(() => discretizeDense(diagonalMatrix(Lambda), vectorAsMatrix(Lambda), Float64Array.from([1]), 'zoh')).toThrow(/1 step sizes given for 2 states/);
  });
});
