// Dense complex matrix helpers: inverse, powers and the matrix exponential
// against closed forms.

import { describe, expect, it } from 'vitest';
import { complexVectorFrom } from '../../src/models/numerics/complex';
import {
  complexIdentity,
  complexMatrix,
  diagonalMatrix,
  expm,
  inverse,
  matmul,
  matrixPower,
  maxAbsDiffMatrix,
  scaleMatrix,
} from '../../src/models/numerics/complexMatrix';
import { randomComplexMatrix } from './testHelpers';
import { seededSampler } from './testSampler';

describe('inverse', () => {
  it('A inverse(A) = I for a random complex matrix', () => {
    const A = randomComplexMatrix(seededSampler(30), 7, 7);
    expect(maxAbsDiffMatrix(matmul(A, inverse(A)), complexIdentity(7))).toBeLessThan(1e-12);
  });

  it('throws on a singular matrix', () => {
    const A = complexMatrix(2, 2);
    A.re.set([1, 2, 2, 4]);
    expect(() => inverse(A)).toThrow(/singular \(column 1\)/);
  });
});

describe('matrixPower', () => {
  it('equals repeated multiplication', () => {
    const A = scaleMatrix(randomComplexMatrix(seededSampler(31), 4, 4), { re: 0.3, im: 0 });
    let expected = complexIdentity(4);
    for (let k = 0; k < 13; k++) expected = matmul(expected, A);
    expect(maxAbsDiffMatrix(matrixPower(A, 13), expected)).toBeLessThan(1e-12);
    expect(maxAbsDiffMatrix(matrixPower(A, 0), complexIdentity(4))).toBe(0);
  });
});

describe('expm', () => {
  it('exp of a diagonal matrix is the diagonal of exponentials', () => {
    const d = complexVectorFrom([-0.5, 0.2, -3], [40, -7, 0.1]);
    const expected = complexVectorFrom(
      Array.from({ length: 3 }, (_, i) => Math.exp(d.re[i]) * Math.cos(d.im[i])),
      Array.from({ length: 3 }, (_, i) => Math.exp(d.re[i]) * Math.sin(d.im[i])),
    );
    expect(maxAbsDiffMatrix(expm(diagonalMatrix(d)), diagonalMatrix(expected))).toBeLessThan(1e-12);
  });

  it('exp([[0, t], [-t, 0]]) is the rotation by t; exp of a nilpotent Jordan block is I + N', () => {
    const t = 2.7;
    const R = complexMatrix(2, 2);
    R.re.set([0, t, -t, 0]);
    const rotation = complexMatrix(2, 2);
    rotation.re.set([Math.cos(t), Math.sin(t), -Math.sin(t), Math.cos(t)]);
    expect(maxAbsDiffMatrix(expm(R), rotation)).toBeLessThan(1e-14);
    const N = complexMatrix(2, 2);
    N.re.set([0, 1, 0, 0]);
    const expected = complexMatrix(2, 2);
    expected.re.set([1, 1, 0, 1]);
    expect(maxAbsDiffMatrix(expm(N), expected)).toBe(0);
  });

  it('exp(A) exp(-A) = I for a random matrix', () => {
    const A = randomComplexMatrix(seededSampler(32), 5, 5);
    expect(maxAbsDiffMatrix(matmul(expm(A), expm(scaleMatrix(A, { re: -1, im: 0 }))), complexIdentity(5))).toBeLessThan(1e-10);
  });
});
