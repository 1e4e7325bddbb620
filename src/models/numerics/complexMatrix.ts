// Dense complex matrices for the float64 SSM numerics (see ./complex for the
// representation): row-major, separate re/im Float64Arrays, entry (i, j) at
// index i * cols + j. Provides products, adjoint, Gauss-Jordan inverse,
// integer powers and the matrix exponential used by the reference oracles.

import { type Complex, type ComplexVector, complexVector } from './complex';
import type { RealMatrix } from './realMatrix';

export interface ComplexMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly re: Float64Array;
  readonly im: Float64Array;
}

export const complexMatrix = (rows: number, cols: number): ComplexMatrix => {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new RangeError(`complexMatrix: shape must be non-negative integers, got ${rows} x ${cols}`);
  }
  return { rows, cols, re: new Float64Array(rows * cols), im: new Float64Array(rows * cols) };
};

const copyMatrix = (m: ComplexMatrix): ComplexMatrix => ({
  rows: m.rows,
  cols: m.cols,
  re: Float64Array.from(m.re),
  im: Float64Array.from(m.im),
});

export const complexMatrixFromReal = (m: RealMatrix): ComplexMatrix => ({
  rows: m.rows,
  cols: m.cols,
  re: Float64Array.from(m.data),
  im: new Float64Array(m.data.length),
});

export const complexIdentity = (n: number): ComplexMatrix => {
  const m = complexMatrix(n, n);
  for (let i = 0; i < n; i++) m.re[i * n + i] = 1;
  return m;
};

export const diagonalMatrix = (d: ComplexVector): ComplexMatrix => {
  const n = d.re.length;
  const m = complexMatrix(n, n);
  for (let i = 0; i < n; i++) {
    m.re[i * n + i] = d.re[i];
    m.im[i * n + i] = d.im[i];
  }
  return m;
};

export const getEntry = (m: ComplexMatrix, i: number, j: number): Complex => ({
  re: m.re[i * m.cols + j],
  im: m.im[i * m.cols + j],
});

export const setEntry = (m: ComplexMatrix, i: number, j: number, z: Complex): void => {
  m.re[i * m.cols + j] = z.re;
  m.im[i * m.cols + j] = z.im;
};

export const columnOf = (m: ComplexMatrix, j: number): ComplexVector => {
  const v = complexVector(m.rows);
  for (let i = 0; i < m.rows; i++) {
    v.re[i] = m.re[i * m.cols + j];
    v.im[i] = m.im[i * m.cols + j];
  }
  return v;
};

export const rowOf = (m: ComplexMatrix, i: number): ComplexVector => ({
  re: m.re.slice(i * m.cols, (i + 1) * m.cols),
  im: m.im.slice(i * m.cols, (i + 1) * m.cols),
});

/** A column vector as an n x 1 matrix, or (asRow) a 1 x n matrix. */
export const vectorAsMatrix = (v: ComplexVector, asRow = false): ComplexMatrix => {
  const n = v.re.length;
  return { rows: asRow ? 1 : n, cols: asRow ? n : 1, re: Float64Array.from(v.re), im: Float64Array.from(v.im) };
};

export const matmul = (a: ComplexMatrix, b: ComplexMatrix): ComplexMatrix => {
  if (a.cols !== b.rows) {
    throw new RangeError(`matmul: inner dimensions differ (${a.rows}x${a.cols} times ${b.rows}x${b.cols})`);
  }
  const out = complexMatrix(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let k = 0; k < a.cols; k++) {
      const ar = a.re[i * a.cols + k];
      const ai = a.im[i * a.cols + k];
      if (ar === 0 && ai === 0) continue;
      for (let j = 0; j < b.cols; j++) {
        const br = b.re[k * b.cols + j];
        const bi = b.im[k * b.cols + j];
        out.re[i * b.cols + j] += ar * br - ai * bi;
        out.im[i * b.cols + j] += ar * bi + ai * br;
      }
    }
  }
  return out;
};

/** A x for a column vector x. */
export const matvec = (a: ComplexMatrix, x: ComplexVector): ComplexVector => {
  const y = matmul(a, vectorAsMatrix(x));
  return { re: y.re, im: y.im };
};

/** x A for a row vector x. */
export const vecmat = (x: ComplexVector, a: ComplexMatrix): ComplexVector => {
  const y = matmul(vectorAsMatrix(x, true), a);
  return { re: y.re, im: y.im };
};

/** The conjugate transpose A^H. */
export const adjoint = (a: ComplexMatrix): ComplexMatrix => {
  const out = complexMatrix(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < a.cols; j++) {
      out.re[j * a.rows + i] = a.re[i * a.cols + j];
      out.im[j * a.rows + i] = -a.im[i * a.cols + j];
    }
  }
  return out;
};

/** a + s b. */
export const addScaled = (a: ComplexMatrix, b: ComplexMatrix, s: Complex): ComplexMatrix => {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new RangeError(`addScaled: shapes ${a.rows}x${a.cols} and ${b.rows}x${b.cols} differ`);
  }
  const out = copyMatrix(a);
  for (let i = 0; i < out.re.length; i++) {
    out.re[i] += s.re * b.re[i] - s.im * b.im[i];
    out.im[i] += s.re * b.im[i] + s.im * b.re[i];
  }
  return out;
};

export const scaleMatrix = (a: ComplexMatrix, s: Complex): ComplexMatrix =>
  addScaled(complexMatrix(a.rows, a.cols), a, s);

/** Inverse by Gauss-Jordan elimination with partial pivoting; throws on a singular matrix. */
export const inverse = (a: ComplexMatrix): ComplexMatrix => {
  if (a.rows !== a.cols) throw new RangeError(`inverse: matrix must be square, got ${a.rows}x${a.cols}`);
  const n = a.rows;
  const m = copyMatrix(a);
  const inv = complexIdentity(n);
  const swapRows = (x: ComplexMatrix, r1: number, r2: number): void => {
    for (let j = 0; j < n; j++) {
      const tr = x.re[r1 * n + j];
      const ti = x.im[r1 * n + j];
      x.re[r1 * n + j] = x.re[r2 * n + j];
      x.im[r1 * n + j] = x.im[r2 * n + j];
      x.re[r2 * n + j] = tr;
      x.im[r2 * n + j] = ti;
    }
  };
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) {
      if (Math.hypot(m.re[r * n + col], m.im[r * n + col]) > Math.hypot(m.re[pivot * n + col], m.im[pivot * n + col])) {
        pivot = r;
      }
    }
    const pr = m.re[pivot * n + col];
    const pi = m.im[pivot * n + col];
    const p2 = pr * pr + pi * pi;
    if (p2 === 0 || !Number.isFinite(p2)) throw new RangeError(`inverse: matrix is singular (column ${col})`);
    swapRows(m, col, pivot);
    swapRows(inv, col, pivot);
    // Scale the pivot row by 1/pivot.
    const sr = pr / p2;
    const si = -pi / p2;
    for (const x of [m, inv]) {
      for (let j = 0; j < n; j++) {
        const xr = x.re[col * n + j];
        const xi = x.im[col * n + j];
        x.re[col * n + j] = xr * sr - xi * si;
        x.im[col * n + j] = xr * si + xi * sr;
      }
    }
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const fr = m.re[r * n + col];
      const fi = m.im[r * n + col];
      if (fr === 0 && fi === 0) continue;
      for (const x of [m, inv]) {
        for (let j = 0; j < n; j++) {
          const xr = x.re[col * n + j];
          const xi = x.im[col * n + j];
          x.re[r * n + j] -= fr * xr - fi * xi;
          x.im[r * n + j] -= fr * xi + fi * xr;
        }
      }
    }
  }
  return inv;
};

/** A^k for an integer k >= 0 by repeated squaring. */
export const matrixPower = (a: ComplexMatrix, k: number): ComplexMatrix => {
  if (a.rows !== a.cols) throw new RangeError(`matrixPower: matrix must be square, got ${a.rows}x${a.cols}`);
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`matrixPower: exponent must be an integer >= 0, got ${k}`);
  let result = complexIdentity(a.rows);
  let base = a;
  for (let e = k; e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) result = matmul(result, base);
    if (e > 1) base = matmul(base, base);
  }
  return result;
};

/** Maximum absolute row sum (the induced 1-norm of the transpose; any consistent norm will do for expm). */
const infinityNorm = (a: ComplexMatrix): number => {
  let best = 0;
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    for (let j = 0; j < a.cols; j++) s += Math.hypot(a.re[i * a.cols + j], a.im[i * a.cols + j]);
    best = Math.max(best, s);
  }
  return best;
};

/**
 * The matrix exponential exp(A) by scaling and squaring: exp(A) = (exp(A / 2^s))^(2^s)
 * with ||A / 2^s|| <= 1/2 and the Taylor series summed until its terms stop mattering.
 */
export const expm = (a: ComplexMatrix): ComplexMatrix => {
  if (a.rows !== a.cols) throw new RangeError(`expm: matrix must be square, got ${a.rows}x${a.cols}`);
  const norm = infinityNorm(a);
  if (!Number.isFinite(norm)) throw new RangeError('expm: matrix has non-finite entries');
  const squarings = norm > 0.5 ? Math.ceil(Math.log2(norm / 0.5)) : 0;
  const scaled = scaleMatrix(a, { re: 2 ** -squarings, im: 0 });
  let sum = complexIdentity(a.rows);
  let term = complexIdentity(a.rows);
  for (let k = 1; k <= 40; k++) {
    term = scaleMatrix(matmul(term, scaled), { re: 1 / k, im: 0 });
    sum = addScaled(sum, term, { re: 1, im: 0 });
    if (infinityNorm(term) < 1e-18 * infinityNorm(sum)) break;
  }
  for (let s = 0; s < squarings; s++) sum = matmul(sum, sum);
  return sum;
};

/** Block-diagonal matrix with the given (not necessarily square) blocks along the diagonal. */
export const blockDiagonal = (blocks: readonly ComplexMatrix[]): ComplexMatrix => {
  const rows = blocks.reduce((s, b) => s + b.rows, 0);
  const cols = blocks.reduce((s, b) => s + b.cols, 0);
  const out = complexMatrix(rows, cols);
  let r0 = 0;
  let c0 = 0;
  for (const b of blocks) {
    for (let i = 0; i < b.rows; i++) {
      for (let j = 0; j < b.cols; j++) {
        out.re[(r0 + i) * cols + c0 + j] = b.re[i * b.cols + j];
        out.im[(r0 + i) * cols + c0 + j] = b.im[i * b.cols + j];
      }
    }
    r0 += b.rows;
    c0 += b.cols;
  }
  return out;
};

/** The first `count` columns of m (copied). */
export const leadingColumns = (m: ComplexMatrix, count: number): ComplexMatrix => {
  if (count > m.cols) throw new RangeError(`leadingColumns: asked for ${count} of ${m.cols} columns`);
  const out = complexMatrix(m.rows, count);
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < count; j++) {
      out.re[i * count + j] = m.re[i * m.cols + j];
      out.im[i * count + j] = m.im[i * m.cols + j];
    }
  }
  return out;
};

/** max_ij |a_ij - b_ij|; throws if the shapes differ. */
export const maxAbsDiffMatrix = (a: ComplexMatrix, b: ComplexMatrix): number => {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new RangeError(`maxAbsDiffMatrix: shapes ${a.rows}x${a.cols} and ${b.rows}x${b.cols} differ`);
  }
  let m = 0;
  for (let i = 0; i < a.re.length; i++) m = Math.max(m, Math.hypot(a.re[i] - b.re[i], a.im[i] - b.im[i]));
  return m;
};

export const frobeniusNorm = (a: ComplexMatrix): number => {
  let s = 0;
  for (let i = 0; i < a.re.length; i++) s += a.re[i] * a.re[i] + a.im[i] * a.im[i];
  return Math.sqrt(s);
};
