// Symmetric and Hermitian eigensolvers in float64, by cyclic Jacobi rotations.
//
// * eighSymmetric(M): real symmetric M = Q diag(values) Q^T.
// * eighHermitian(H): complex Hermitian H = X + iY is solved through its real
//   symmetric 2N x 2N embedding [[X, -Y], [Y, X]]. Every eigenvalue of H
//   appears twice there: with [a; b] (standing for x = a + ib) the embedding
//   also holds [-b; a] (standing for i x), the same complex line. N orthonormal
//   complex eigenvectors are extracted from the 2N real ones by pivoted
//   Gram-Schmidt in C^N (always taking the candidate with the largest
//   remaining norm), which also copes with repeated eigenvalues of H without
//   any clustering tolerance. Each eigenvalue is the Rayleigh quotient of its
//   vector.
// * eighSkewSymmetric(K): the spectrum of H = -iK for K real skew-symmetric, as
//   used for HiPPO-N (the embedding is then [[0, K], [-K, 0]]).
// Eigenvalues are returned ascending; eigenvectors are the columns of the
// returned matrix. Complex eigenvectors are given a fixed phase: the entry of
// largest magnitude is made real and positive.

import type { ComplexMatrix } from './complexMatrix';
import { complexMatrix } from './complexMatrix';
import { type RealMatrix, realMatrix } from './realMatrix';

export interface SymmetricEigen {
  /** Ascending eigenvalues. */
  readonly values: Float64Array;
  /** Orthonormal eigenvectors as columns, in the order of `values`. */
  readonly vectors: RealMatrix;
}

export interface HermitianEigen {
  /** Ascending (real) eigenvalues. */
  readonly values: Float64Array;
  /** Unitary matrix whose columns are the eigenvectors, in the order of `values`. */
  readonly vectors: ComplexMatrix;
}

const MAX_SWEEPS = 60;
const SYMMETRY_TOLERANCE = 1e-10;
const RELATIVE_SKIP = 1e-16;

/** Applies the rotation to entries r in [from, to) of rows p and q of the symmetric matrix a, keeping it symmetric. */
const rotateRows = (a: Float64Array, n: number, p: number, q: number, c: number, s: number, from: number, to: number): void => {
  const rowP = p * n;
  const rowQ = q * n;
  for (let r = from; r < to; r++) {
    const x = a[rowP + r];
    const y = a[rowQ + r];
    const nx = c * x - s * y;
    const ny = s * x + c * y;
    a[rowP + r] = nx;
    a[rowQ + r] = ny;
    a[r * n + p] = nx;
    a[r * n + q] = ny;
  }
};

/**
 * Diagonalises the symmetric n x n row-major matrix `a` in place by cyclic
 * Jacobi sweeps. Returns the rows of Q^T (row p = eigenvector for a[p,p]).
 */
const cyclicJacobi = (a: Float64Array, n: number): Float64Array => {
  const qt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) qt[i * n + i] = 1;
  let frob2 = 0;
  for (let i = 0; i < a.length; i++) frob2 += a[i] * a[i];
  // Off-diagonal entries at this level no longer affect any eigenvalue in float64.
  const negligible = 1e-18 * Math.sqrt(frob2);
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotations = 0;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        const absApq = Math.abs(apq);
        if (absApq <= negligible) continue;
        const app = a[p * n + p];
        const aqq = a[q * n + q];
        // Relatively negligible: below the rounding level of both diagonal entries.
        if (absApq <= RELATIVE_SKIP * Math.sqrt(Math.abs(app) * Math.abs(aqq))) continue;
        // Rotation angle that annihilates a[p,q] (the smaller of the two roots).
        const theta = (aqq - app) / (2 * apq);
        const t = Math.abs(theta) > 1e150 ? 1 / (2 * theta) : Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        a[p * n + p] = app - t * apq;
        a[q * n + q] = aqq + t * apq;
        a[p * n + q] = 0;
        a[q * n + p] = 0;
        // Rows p and q, mirrored into columns p and q (entries (p,q), (p,p), (q,q) are set above).
        rotateRows(a, n, p, q, c, s, 0, p);
        rotateRows(a, n, p, q, c, s, p + 1, q);
        rotateRows(a, n, p, q, c, s, q + 1, n);
        for (let r = 0; r < n; r++) {
          const x = qt[p * n + r];
          const y = qt[q * n + r];
          qt[p * n + r] = c * x - s * y;
          qt[q * n + r] = s * x + c * y;
        }
        rotations++;
      }
    }
    if (rotations === 0) return qt;
  }
  throw new Error(`cyclicJacobi: no convergence after ${MAX_SWEEPS} sweeps (n = ${n})`);
};

const ascendingOrder = (values: ArrayLike<number>): number[] =>
  Array.from({ length: values.length }, (_, i) => i).sort((i, j) => values[i] - values[j]);

/** Eigen-decomposition of a real symmetric matrix (its symmetric part (M + M^T)/2 is used). */
export const eighSymmetric = (m: RealMatrix): SymmetricEigen => {
  if (m.rows !== m.cols) throw new RangeError(`eighSymmetric: matrix must be square, got ${m.rows}x${m.cols}`);
  const n = m.rows;
  let scale = 0;
  for (const x of m.data) scale = Math.max(scale, Math.abs(x));
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const mij = m.data[i * n + j];
      const mji = m.data[j * n + i];
      if (!Number.isFinite(mij)) throw new RangeError(`eighSymmetric: entry (${i}, ${j}) is not finite`);
      if (Math.abs(mij - mji) > SYMMETRY_TOLERANCE * scale) {
        throw new RangeError(`eighSymmetric: matrix is not symmetric at (${i}, ${j}): ${mij} vs ${mji}`);
      }
      a[i * n + j] = 0.5 * (mij + mji);
    }
  }
  const qt = cyclicJacobi(a, n);
  const order = ascendingOrder(Array.from({ length: n }, (_, i) => a[i * n + i]));
  const values = Float64Array.from(order, (k) => a[k * n + k]);
  const vectors = realMatrix(n, n);
  order.forEach((k, col) => {
    for (let r = 0; r < n; r++) vectors.data[r * n + col] = qt[k * n + r];
  });
  return { values, vectors };
};

/** Multiplies x (split re/im) by the unit phase that makes its largest-magnitude entry real and positive. */
const fixPhase = (re: Float64Array, im: Float64Array): void => {
  let best = 0;
  for (let i = 1; i < re.length; i++) if (Math.hypot(re[i], im[i]) > Math.hypot(re[best], im[best])) best = i;
  const mag = Math.hypot(re[best], im[best]);
  if (mag === 0) return;
  const cr = re[best] / mag;
  const ci = -im[best] / mag;
  for (let i = 0; i < re.length; i++) {
    const xr = re[i];
    const xi = im[i];
    re[i] = xr * cr - xi * ci;
    im[i] = xr * ci + xi * cr;
  }
  re[best] = mag;
  im[best] = 0;
};

/**
 * From the 2N real eigenvectors of the embedding (rows of qt, each [a; b] standing for
 * a + ib), picks N orthonormal complex vectors by pivoted modified Gram-Schmidt.
 */
const complexBasisFromEmbedding = (qt: Float64Array, N: number): { re: Float64Array; im: Float64Array }[] => {
  const m = 2 * N;
  const candidates = Array.from({ length: m }, (_, j) => ({
    re: qt.slice(j * m, j * m + N),
    im: qt.slice(j * m + N, (j + 1) * m),
    norm2: 1,
    used: false,
  }));
  const basis: { re: Float64Array; im: Float64Array }[] = [];
  for (let step = 0; step < N; step++) {
    let pick = -1;
    for (let j = 0; j < m; j++) {
      if (!candidates[j].used && (pick < 0 || candidates[j].norm2 > candidates[pick].norm2)) pick = j;
    }
    const chosen = candidates[pick];
    // The candidates form a tight frame with bound 2, so some residual keeps norm^2 >= (N - step) / N.
    if (chosen.norm2 < 0.5 / N) {
      throw new Error(`eighHermitian: embedding eigenvectors do not span C^${N} (residual ${chosen.norm2} at step ${step})`);
    }
    chosen.used = true;
    const scale = 1 / Math.sqrt(chosen.norm2);
    const x = { re: chosen.re.map((v) => v * scale), im: chosen.im.map((v) => v * scale) };
    basis.push(x);
    for (const cand of candidates) {
      if (cand.used) continue;
      // coef = x^H c
      let cr = 0;
      let ci = 0;
      for (let i = 0; i < N; i++) {
        cr += x.re[i] * cand.re[i] + x.im[i] * cand.im[i];
        ci += x.re[i] * cand.im[i] - x.im[i] * cand.re[i];
      }
      let norm2 = 0;
      for (let i = 0; i < N; i++) {
        cand.re[i] -= cr * x.re[i] - ci * x.im[i];
        cand.im[i] -= cr * x.im[i] + ci * x.re[i];
        norm2 += cand.re[i] * cand.re[i] + cand.im[i] * cand.im[i];
      }
      cand.norm2 = norm2;
    }
  }
  return basis;
};

/** Re(x^H H x) for unit x. */
const rayleighQuotient = (h: ComplexMatrix, x: { re: Float64Array; im: Float64Array }): number => {
  const N = h.rows;
  let sum = 0;
  for (let i = 0; i < N; i++) {
    let yr = 0;
    let yi = 0;
    for (let j = 0; j < N; j++) {
      const hr = h.re[i * N + j];
      const hi = h.im[i * N + j];
      yr += hr * x.re[j] - hi * x.im[j];
      yi += hr * x.im[j] + hi * x.re[j];
    }
    sum += x.re[i] * yr + x.im[i] * yi;
  }
  return sum;
};

/** Eigen-decomposition H = V diag(values) V^H of a complex Hermitian matrix (its Hermitian part is used). */
export const eighHermitian = (h: ComplexMatrix): HermitianEigen => {
  if (h.rows !== h.cols) throw new RangeError(`eighHermitian: matrix must be square, got ${h.rows}x${h.cols}`);
  const N = h.rows;
  let scale = 0;
  for (let i = 0; i < h.re.length; i++) scale = Math.max(scale, Math.hypot(h.re[i], h.im[i]));
  // Hermitian part X + iY with X = Re(H + H^H)/2 symmetric and Y = Im(H + H^H)/2 skew-symmetric.
  const herm = complexMatrix(N, N);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      const ij = i * N + j;
      const ji = j * N + i;
      if (!Number.isFinite(h.re[ij]) || !Number.isFinite(h.im[ij])) {
        throw new RangeError(`eighHermitian: entry (${i}, ${j}) is not finite`);
      }
      if (Math.hypot(h.re[ij] - h.re[ji], h.im[ij] + h.im[ji]) > SYMMETRY_TOLERANCE * scale) {
        throw new RangeError(`eighHermitian: matrix is not Hermitian at (${i}, ${j})`);
      }
      herm.re[ij] = 0.5 * (h.re[ij] + h.re[ji]);
      herm.im[ij] = 0.5 * (h.im[ij] - h.im[ji]);
    }
  }
  const m = 2 * N;
  const embedding = new Float64Array(m * m);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      const x = herm.re[i * N + j];
      const y = herm.im[i * N + j];
      embedding[i * m + j] = x;
      embedding[i * m + N + j] = -y;
      embedding[(N + i) * m + j] = y;
      embedding[(N + i) * m + N + j] = x;
    }
  }
  const qt = cyclicJacobi(embedding, m);
  const basis = complexBasisFromEmbedding(qt, N);
  const rayleigh = basis.map((x) => rayleighQuotient(herm, x));
  const order = ascendingOrder(rayleigh);
  const values = Float64Array.from(order, (k) => rayleigh[k]);
  const vectors = complexMatrix(N, N);
  order.forEach((k, col) => {
    const x = basis[k];
    fixPhase(x.re, x.im);
    for (let r = 0; r < N; r++) {
      vectors.re[r * N + col] = x.re[r];
      vectors.im[r * N + col] = x.im[r];
    }
  });
  return { values, vectors };
};

/** Eigen-decomposition of the Hermitian matrix H = -iK for a real skew-symmetric K. */
export const eighSkewSymmetric = (k: RealMatrix): HermitianEigen => {
  if (k.rows !== k.cols) throw new RangeError(`eighSkewSymmetric: matrix must be square, got ${k.rows}x${k.cols}`);
  const N = k.rows;
  let scale = 0;
  for (const x of k.data) scale = Math.max(scale, Math.abs(x));
  const h = complexMatrix(N, N);
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      const kij = k.data[i * N + j];
      if (Math.abs(kij + k.data[j * N + i]) > SYMMETRY_TOLERANCE * scale) {
        throw new RangeError(`eighSkewSymmetric: matrix is not skew-symmetric at (${i}, ${j})`);
      }
      h.im[i * N + j] = -kij;
    }
  }
  return eighHermitian(h);
};
