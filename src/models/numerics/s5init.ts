// S5 layer initialisation (S5 s5/train.py, s5/ssm.py, s5/ssm_init.py):
// block-diagonal HiPPO-N eigenbasis with conjugate-symmetric halving, and the
// parameters Lambda, B~ = Vinv B0, C~ (three variants), D and log_step.
//
// Shapes (P = full latent size, J = blocks, bs = P / J, Ph = P/2 with conjSym
// else P, Pf = P the fan-in size, H = model width). Complex matrices are
// row-major (see ./complexMatrix):
//   Lambda: Ph;  V: P x Ph;  Vinv: Ph x P;  B~: Ph x H;
//   C~: H x Ph (H x 2Ph when bidirectional, [C~1 | C~2]);  D: H;  logStep: Ph.
// Random draws happen in this order: B0, C (C1 then C2), D, logStep.

import { type ComplexVector, complexVector } from './complex';
import {
  type ComplexMatrix,
  adjoint,
  blockDiagonal,
  complexMatrix,
  complexMatrixFromReal,
  leadingColumns,
  matmul,
} from './complexMatrix';
import { makeDPLRHippo } from './dplr';
import { realMatrix } from './realMatrix';
import {
  type Sampler,
  logUniformTimescales,
  normalScaled,
  truncatedNormalScaled,
} from './sampler';

export type S5CInit = 'trunc_standard_normal' | 'lecun_normal' | 'complex_normal';

export interface S5Eigenbasis {
  /** Eigenvalues tiled over the J blocks (length Ph). */
  readonly Lambda: ComplexVector;
  /** blockdiag(V_h, ..., V_h), P x Ph. */
  readonly V: ComplexMatrix;
  /** blockdiag(V_h^H, ..., V_h^H), Ph x P. */
  readonly Vinv: ComplexMatrix;
}

export interface S5InitOptions {
  /** Model width (number of input/output features). */
  readonly H: number;
  /** Full latent size (`ssm_size_base`). */
  readonly P: number;
  /** Number of diagonal blocks J (`blocks`); P must be divisible by J. */
  readonly blocks: number;
  readonly cInit: S5CInit;
  /** Keep only the negative-imaginary half of each block (default true). */
  readonly conjSym?: boolean;
  readonly bidirectional?: boolean;
  /** log_step ~ U[log dtMin, log dtMax); defaults 0.001 and 0.1. */
  readonly dtMin?: number;
  readonly dtMax?: number;
  /** A precomputed s5Eigenbasis(P, blocks, conjSym), to avoid recomputing it per layer. */
  readonly basis?: S5Eigenbasis;
}

export interface S5Params {
  readonly LambdaRe: Float64Array;
  readonly LambdaIm: Float64Array;
  /** B~ = Vinv B0, Ph x H. */
  readonly B: ComplexMatrix;
  /** C~, H x Ph (H x 2Ph when bidirectional). */
  readonly C: ComplexMatrix;
  readonly D: Float64Array;
  /** One log timescale per state, length Ph. */
  readonly logStep: Float64Array;
  readonly basis: S5Eigenbasis;
}

const positiveInteger = (x: number, name: string): void => {
  if (!Number.isInteger(x) || x < 1) throw new RangeError(`S5 init: ${name} must be a positive integer, got ${x}`);
};

/** The block-diagonal eigenbasis of S5 (section 1.2): J copies of the size-P/J HiPPO-N eigenpairs. */
export const s5Eigenbasis = (P: number, blocks: number, conjSym = true): S5Eigenbasis => {
  positiveInteger(P, 'P');
  positiveInteger(blocks, 'blocks');
  if (P % blocks !== 0) throw new RangeError(`S5 init: P = ${P} is not divisible by blocks = ${blocks}`);
  const bs = P / blocks;
  if (conjSym && bs % 2 !== 0) {
    throw new RangeError(`S5 init: block size P/blocks = ${bs} must be even for conjugate-symmetric halving`);
  }
  const kept = conjSym ? bs / 2 : bs;
  const { Lambda: blockLambda, V: blockV } = makeDPLRHippo(bs);
  // Eigenvalues are ascending in imaginary part, so the first bs/2 are the negative-imaginary half.
  const Vh = leadingColumns(blockV, kept);
  const Lambda = complexVector(kept * blocks);
  for (let j = 0; j < blocks; j++) {
    Lambda.re.set(blockLambda.re.subarray(0, kept), j * kept);
    Lambda.im.set(blockLambda.im.subarray(0, kept), j * kept);
  }
  const copies = (m: ComplexMatrix): ComplexMatrix[] => Array.from({ length: blocks }, () => m);
  return { Lambda, V: blockDiagonal(copies(Vh)), Vinv: blockDiagonal(copies(adjoint(Vh))) };
};

/**
 * An H x Pf complex matrix whose real/imag pairs come from `draws` laid out like a
 * (..., Pf, 2) array: entry (h, i) = draws[(h*Pf + i)*2] + i draws[(h*Pf + i)*2 + 1].
 */
const pairsToComplexMatrix = (draws: Float64Array, rows: number, cols: number): ComplexMatrix => {
  const m = complexMatrix(rows, cols);
  for (let k = 0; k < rows * cols; k++) {
    m.re[k] = draws[2 * k];
    m.im[k] = draws[2 * k + 1];
  }
  return m;
};

/** One C~ (H x Ph) for the V-projected variants: C (H x Pf) drawn per cInit, then C V. */
const projectedC = (sampler: Sampler, cInit: 'trunc_standard_normal' | 'lecun_normal', H: number, basis: S5Eigenbasis): ComplexMatrix => {
  const Pf = basis.V.rows;
  let C: ComplexMatrix;
  if (cInit === 'trunc_standard_normal') {
    // Each row separately from lecun_normal on shape (1, Pf, 2): fan-in Pf.
    C = complexMatrix(H, Pf);
    for (let h = 0; h < H; h++) {
      const row = pairsToComplexMatrix(truncatedNormalScaled(sampler, 2 * Pf, 1 / Math.sqrt(Pf)), 1, Pf);
      C.re.set(row.re, h * Pf);
      C.im.set(row.im, h * Pf);
    }
  } else {
    // lecun_normal on shape (H, Pf, 2): fan-in Pf * H.
    C = pairsToComplexMatrix(truncatedNormalScaled(sampler, 2 * H * Pf, 1 / Math.sqrt(Pf * H)), H, Pf);
  }
  return matmul(C, basis.V);
};

const concatColumns = (a: ComplexMatrix, b: ComplexMatrix): ComplexMatrix => {
  const out = complexMatrix(a.rows, a.cols + b.cols);
  for (let i = 0; i < a.rows; i++) {
    out.re.set(a.re.subarray(i * a.cols, (i + 1) * a.cols), i * out.cols);
    out.im.set(a.im.subarray(i * a.cols, (i + 1) * a.cols), i * out.cols);
    out.re.set(b.re.subarray(i * b.cols, (i + 1) * b.cols), i * out.cols + a.cols);
    out.im.set(b.im.subarray(i * b.cols, (i + 1) * b.cols), i * out.cols + a.cols);
  }
  return out;
};

export const initS5 = (options: S5InitOptions, sampler: Sampler): S5Params => {
  const { H, P, blocks, cInit } = options;
  const conjSym = options.conjSym ?? true;
  const bidirectional = options.bidirectional ?? false;
  positiveInteger(H, 'H');
  const basis = options.basis ?? s5Eigenbasis(P, blocks, conjSym);
  const Ph = basis.Lambda.re.length;
  const Pf = basis.V.rows;
  if (Pf !== P || Ph !== (conjSym ? P / 2 : P)) {
    throw new RangeError(`S5 init: the given basis (V is ${basis.V.rows}x${basis.V.cols}) does not match P = ${P}, conjSym = ${conjSym}`);
  }

  // B0 ~ lecun_normal on (Pf, H): fan-in Pf.
  const B0 = realMatrix(Pf, H);
  B0.data.set(truncatedNormalScaled(sampler, Pf * H, 1 / Math.sqrt(Pf)));
  const B = matmul(basis.Vinv, complexMatrixFromReal(B0));

  let C: ComplexMatrix;
  if (cInit === 'complex_normal') {
    const width = bidirectional ? 2 * Ph : Ph;
    C = pairsToComplexMatrix(normalScaled(sampler, 2 * H * width, Math.SQRT1_2), H, width);
  } else if (cInit === 'trunc_standard_normal' || cInit === 'lecun_normal') {
    C = projectedC(sampler, cInit, H, basis);
    if (bidirectional) C = concatColumns(C, projectedC(sampler, cInit, H, basis));
  } else {
    throw new RangeError(`S5 init: unknown cInit '${String(cInit)}'`);
  }

  const D = normalScaled(sampler, H, 1);
  const logStep = logUniformTimescales(sampler, Ph, options.dtMin ?? 0.001, options.dtMax ?? 0.1);
  return {
    LambdaRe: Float64Array.from(basis.Lambda.re),
    LambdaIm: Float64Array.from(basis.Lambda.im),
    B,
    C,
    D,
    logStep,
    basis,
  };
};
