// Shared test helpers: random matrices from the test sampler, unitary
// matrices built from Householder reflections, and small statistics.

import { type ComplexMatrix, complexIdentity, complexMatrix, matmul } from '../../src/models/numerics/complexMatrix';
import { type TestSampler } from './testSampler';

export const randomComplexMatrix = (rng: TestSampler, rows: number, cols: number): ComplexMatrix => {
  const m = complexMatrix(rows, cols);
  m.re.set(rng.normal(rows * cols));
  m.im.set(rng.normal(rows * cols));
  return m;
};

/** Product of n complex Householder reflections I - 2 w w^H / (w^H w): unitary by construction. */
export const randomUnitary = (rng: TestSampler, n: number): ComplexMatrix => {
  let U = complexIdentity(n);
  for (let r = 0; r < n; r++) {
    const w = randomComplexMatrix(rng, n, 1);
    let norm2 = 0;
    for (let i = 0; i < n; i++) norm2 += w.re[i] ** 2 + w.im[i] ** 2;
    const reflector = complexIdentity(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        // (w w^H)_ij = w_i conj(w_j)
        reflector.re[i * n + j] -= (2 / norm2) * (w.re[i] * w.re[j] + w.im[i] * w.im[j]);
        reflector.im[i * n + j] -= (2 / norm2) * (w.im[i] * w.re[j] - w.re[i] * w.im[j]);
      }
    }
    U = matmul(U, reflector);
  }
  return U;
};

export const mean = (xs: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
};

/** Root mean square (the standard deviation about a known zero mean). */
export const rms = (xs: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i] * xs[i];
  return Math.sqrt(s / xs.length);
};

export const maxAbs = (xs: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < xs.length; i++) m = Math.max(m, Math.abs(xs[i]));
  return m;
};

export const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  if (a.length !== b.length) throw new RangeError(`maxAbsDiff: lengths ${a.length} and ${b.length} differ`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
