// Discretisation of continuous-time linear state-space systems x' = A x + B u
// with step Delta, in two forms:
//   * diagonal (elementwise over the states), as used by S5 and S4D:
//       ZOH:      Lambda_bar = exp(Lambda Delta),  gain = (Lambda_bar - 1) / Lambda
//       bilinear: g = 1 / (1 - Delta Lambda / 2), Lambda_bar = g (1 + Delta Lambda / 2), gain = g Delta
//     with B_bar = gain * B row by row;
//   * dense (any complex A), with Delta a scalar or one step per state (Delta = diag(steps)):
//       ZOH:      [[A_bar, B_bar], [0, I]] = exp([[Delta A, Delta B], [0, 0]])
//       bilinear: A_bar = (I - Delta A / 2)^-1 (I + Delta A / 2), B_bar = (I - Delta A / 2)^-1 Delta B.
// Also the S5 eigenvalue clipping and step sizes.

import { type ComplexVector, cadd, cdiv, cexp, cmul, complexVector, csub, getC, setC } from './complex';
import {
  type ComplexMatrix,
  addScaled,
  complexIdentity,
  complexMatrix,
  expm,
  inverse,
  matmul,
} from './complexMatrix';

export type Discretization = 'zoh' | 'bilinear';

export interface DiagonalDiscretization {
  readonly LambdaBar: ComplexVector;
  /** B_bar[n, :] = gain[n] * B[n, :]. */
  readonly gain: ComplexVector;
}

export interface DenseDiscretization {
  readonly Abar: ComplexMatrix;
  readonly Bbar: ComplexMatrix;
}

const stepAt = (Delta: number | Float64Array, n: number): number => (typeof Delta === 'number' ? Delta : Delta[n]);

const checkSteps = (Delta: number | Float64Array, states: number, where: string): void => {
  if (typeof Delta !== 'number' && Delta.length !== states) {
    throw new RangeError(`${where}: ${Delta.length} step sizes given for ${states} states`);
  }
};

export const discretizeDiagonal = (
  Lambda: ComplexVector,
  Delta: number | Float64Array,
  method: Discretization,
): DiagonalDiscretization => {
  const n = Lambda.re.length;
  checkSteps(Delta, n, 'discretizeDiagonal');
  const LambdaBar = complexVector(n);
  const gain = complexVector(n);
  const one = { re: 1, im: 0 };
  for (let i = 0; i < n; i++) {
    const lambda = getC(Lambda, i);
    const dt = stepAt(Delta, i);
    if (method === 'zoh') {
      const lambdaBar = cexp({ re: lambda.re * dt, im: lambda.im * dt });
      setC(LambdaBar, i, lambdaBar);
      setC(gain, i, cdiv(csub(lambdaBar, one), lambda));
    } else if (method === 'bilinear') {
      const half = { re: (lambda.re * dt) / 2, im: (lambda.im * dt) / 2 };
      const g = cdiv(one, csub(one, half));
      setC(LambdaBar, i, cmul(g, cadd(one, half)));
      setC(gain, i, { re: g.re * dt, im: g.im * dt });
    } else {
      throw new RangeError(`discretizeDiagonal: unknown discretization '${String(method)}'`);
    }
  }
  return { LambdaBar, gain };
};

/** diag(Delta) M: row i scaled by the step of state i. */
const scaleRows = (m: ComplexMatrix, Delta: number | Float64Array): ComplexMatrix => {
  const out = complexMatrix(m.rows, m.cols);
  for (let i = 0; i < m.rows; i++) {
    const dt = stepAt(Delta, i);
    for (let j = 0; j < m.cols; j++) {
      out.re[i * m.cols + j] = dt * m.re[i * m.cols + j];
      out.im[i * m.cols + j] = dt * m.im[i * m.cols + j];
    }
  }
  return out;
};

export const discretizeDense = (
  A: ComplexMatrix,
  B: ComplexMatrix,
  Delta: number | Float64Array,
  method: Discretization,
): DenseDiscretization => {
  const n = A.rows;
  if (A.cols !== n) throw new RangeError(`discretizeDense: A must be square, got ${A.rows}x${A.cols}`);
  if (B.rows !== n) throw new RangeError(`discretizeDense: B has ${B.rows} rows but A is ${n}x${n}`);
  checkSteps(Delta, n, 'discretizeDense');
  const dA = scaleRows(A, Delta);
  const dB = scaleRows(B, Delta);
  if (method === 'zoh') {
    const m = B.cols;
    const size = n + m;
    const augmented = complexMatrix(size, size);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        augmented.re[i * size + j] = dA.re[i * n + j];
        augmented.im[i * size + j] = dA.im[i * n + j];
      }
      for (let j = 0; j < m; j++) {
        augmented.re[i * size + n + j] = dB.re[i * m + j];
        augmented.im[i * size + n + j] = dB.im[i * m + j];
      }
    }
    const e = expm(augmented);
    const Abar = complexMatrix(n, n);
    const Bbar = complexMatrix(n, m);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        Abar.re[i * n + j] = e.re[i * size + j];
        Abar.im[i * n + j] = e.im[i * size + j];
      }
      for (let j = 0; j < m; j++) {
        Bbar.re[i * m + j] = e.re[i * size + n + j];
        Bbar.im[i * m + j] = e.im[i * size + n + j];
      }
    }
    return { Abar, Bbar };
  }
  if (method === 'bilinear') {
    const I = complexIdentity(n);
    const leftInv = inverse(addScaled(I, dA, { re: -0.5, im: 0 }));
    return {
      Abar: matmul(leftInv, addScaled(I, dA, { re: 0.5, im: 0 })),
      Bbar: matmul(leftInv, dB),
    };
  }
  throw new RangeError(`discretizeDense: unknown discretization '${String(method)}'`);
};

/** The S5 eigenvalues Lambda_re + i Lambda_im, with Re clamped to <= -1e-4 when clipEigs. */
export const s5Lambda = (LambdaRe: Float64Array, LambdaIm: Float64Array, clipEigs = false): ComplexVector => {
  if (LambdaRe.length !== LambdaIm.length) {
    throw new RangeError(`s5Lambda: LambdaRe has length ${LambdaRe.length} but LambdaIm has ${LambdaIm.length}`);
  }
  const Lambda = complexVector(LambdaRe.length);
  for (let i = 0; i < LambdaRe.length; i++) {
    Lambda.re[i] = clipEigs ? Math.min(LambdaRe[i], -1e-4) : LambdaRe[i];
    Lambda.im[i] = LambdaIm[i];
  }
  return Lambda;
};

/** Delta = stepRescale * exp(logStep), elementwise. */
export const s5StepSizes = (logStep: Float64Array, stepRescale = 1): Float64Array =>
  logStep.map((x) => stepRescale * Math.exp(x));
