// Jacobi eigensolvers against matrices with a spectrum known by construction
// (U diag(d) U^H with U unitary from Householder reflections).

import { describe, expect, it } from 'vitest';
import {
  type ComplexMatrix,
  adjoint,
  complexIdentity,
  complexMatrixFromReal,
  diagonalMatrix,
  matmul,
  maxAbsDiffMatrix,
} from '../../src/models/numerics/complexMatrix';
import { complexVectorFrom } from '../../src/models/numerics/complex';
import { eighHermitian, eighSkewSymmetric, eighSymmetric } from '../../src/models/numerics/eigh';
import { realMatrixFromFunction } from '../../src/models/numerics/realMatrix';
import { maxAbsDiff, randomComplexMatrix, randomUnitary } from './testHelpers';
import { seededSampler } from './testSampler';

const reconstruct = (V: ComplexMatrix, values: Float64Array): ComplexMatrix =>
  matmul(matmul(V, diagonalMatrix(complexVectorFrom(values))), adjoint(V));

const unitarityError = (V: ComplexMatrix): number => maxAbsDiffMatrix(matmul(adjoint(V), V), complexIdentity(V.cols));

describe('eighSymmetric', () => {
  it('recovers a known spectrum with orthonormal eigenvectors', () => {
    const rng = seededSampler(1);
    const n = 12;
    // A real orthogonal Q: the real part of the embedding trick is not needed; use
    // Householder reflections with real vectors.
    const d = Float64Array.from([3, -1, 0.5, 7, -4, 2, 2, 2, 0, 1e-3, -9, 5]);
    let Q = complexIdentity(n);
    for (let r = 0; r < n; r++) {
      const w = rng.normal(n);
      const w2 = w.reduce((s, x) => s + x * x, 0);
      Q = matmul(Q, complexMatrixFromReal(realMatrixFromFunction(n, n, (i, j) => (i === j ? 1 : 0) - (2 * w[i] * w[j]) / w2)));
    }
    const M = matmul(matmul(Q, diagonalMatrix(complexVectorFrom(d))), adjoint(Q));
    const { values, vectors } = eighSymmetric(realMatrixFromFunction(n, n, (i, j) => M.re[i * n + j]));
    expect(maxAbsDiff(values, Float64Array.from(d).sort())).toBeLessThan(1e-12);
    const V = complexMatrixFromReal(vectors);
    expect(unitarityError(V)).toBeLessThan(1e-13);
    expect(maxAbsDiffMatrix(reconstruct(V, values), M)).toBeLessThan(1e-12);
  });

  it('rejects a non-symmetric matrix, naming the entry', () => {
    const m = realMatrixFromFunction(3, 3, (i, j) => (i === 0 && j === 2 ? 1 : 0));
    expect(() => eighSymmetric(m)).toThrow(/not symmetric at \(0, 2\)/);
  });
});

describe('eighHermitian', () => {
  it('recovers a known spectrum, including a triple eigenvalue', () => {
    const rng = seededSampler(2);
    const n = 10;
    const d = Float64Array.from([-3, 1.5, 1.5, 1.5, 0, 4, -0.25, 10, 2, -7]);
    const U = randomUnitary(rng, n);
    const H = matmul(matmul(U, diagonalMatrix(complexVectorFrom(d))), adjoint(U));
    const { values, vectors } = eighHermitian(H);
    expect(maxAbsDiff(values, Float64Array.from(d).sort())).toBeLessThan(1e-12);
    expect(unitarityError(vectors)).toBeLessThan(1e-13);
    expect(maxAbsDiffMatrix(reconstruct(vectors, values), H)).toBeLessThan(1e-12);
  });

  it('makes the largest entry of every eigenvector real and positive', () => {
    const rng = seededSampler(3);
    const X = randomComplexMatrix(rng, 6, 6);
    const H = matmul(X, adjoint(X));
    const { vectors } = eighHermitian(H);
    for (let j = 0; j < 6; j++) {
      let best = 0;
      for (let i = 1; i < 6; i++) {
        if (Math.hypot(vectors.re[i * 6 + j], vectors.im[i * 6 + j]) > Math.hypot(vectors.re[best * 6 + j], vectors.im[best * 6 + j])) best = i;
      }
      expect(vectors.re[best * 6 + j]).toBeGreaterThan(0);
      expect(vectors.im[best * 6 + j]).toBe(0);
    }
  });

  it('rejects a non-Hermitian matrix', () => {
    const H = complexIdentity(3);
    H.im[1] = 0.5;
    expect(() => eighHermitian(H)).toThrow(/not Hermitian at \(0, 1\)/);
  });
});

describe('eighSkewSymmetric', () => {
  it('handles odd size (a zero eigenvalue) and repeated +-1 pairs', () => {
    const rng = seededSampler(4);
    const n = 7;
    // K = Q J Q^T, J = blockdiag([[0,1],[-1,0]] x 3, 0): -iK has eigenvalues -1,-1,-1,0,1,1,1.
    const J = realMatrixFromFunction(n, n, (i, j) => (i < 6 && j === i + 1 && i % 2 === 0 ? 1 : i < 6 && i === j + 1 && j % 2 === 0 ? -1 : 0));
    let Q = complexIdentity(n);
    for (let r = 0; r < n; r++) {
      const w = rng.normal(n);
      const w2 = w.reduce((s, x) => s + x * x, 0);
      Q = matmul(Q, complexMatrixFromReal(realMatrixFromFunction(n, n, (i, j) => (i === j ? 1 : 0) - (2 * w[i] * w[j]) / w2)));
    }
    const Kc = matmul(matmul(Q, complexMatrixFromReal(J)), adjoint(Q));
    const K = realMatrixFromFunction(n, n, (i, j) => 0.5 * (Kc.re[i * n + j] - Kc.re[j * n + i]));
    const { values, vectors } = eighSkewSymmetric(K);
    expect(maxAbsDiff(values, [-1, -1, -1, 0, 1, 1, 1])).toBeLessThan(1e-12);
    expect(unitarityError(vectors)).toBeLessThan(1e-13);
    // -iK = V diag(values) V^H
    const minusIK = { rows: n, cols: n, re: new Float64Array(n * n), im: K.data.map((x) => -x) };
    expect(maxAbsDiffMatrix(reconstruct(vectors, values), minusIK)).toBeLessThan(1e-12);
  });

  it('rejects a matrix that is not skew-symmetric', () => {
    expect(() => eighSkewSymmetric(realMatrixFromFunction(2, 2, () => 1))).toThrow(/not skew-symmetric at \(0, 0\)/);
  });
});
