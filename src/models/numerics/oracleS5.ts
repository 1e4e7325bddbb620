// The S5 SSM evaluated by its plain sequential recurrence in float64 (S5
// s5/ssm.py apply_ssm), the reference for scan-based implementations:
//   x_k  = Lambda_bar (.) x_{k-1} + B_bar u_k,        x_{-1} = 0
//   x2_k = Lambda_bar (.) x2_{k+1} + B_bar u_k,       x2_L = 0     (bidirectional; includes u_k)
//   y_k  = f Re(C1 x_k [+ C2 x2_k]) + D (.) u_k,      f = 2 with conjSym, else 1
// u and y are L x H real matrices; C = [C1 | C2] is H x Ph (H x 2Ph bidirectional).

import { type ComplexVector } from './complex';
import { type ComplexMatrix } from './complexMatrix';
import { type Discretization, discretizeDiagonal, s5Lambda, s5StepSizes } from './discretize';
import { type RealMatrix, realMatrix } from './realMatrix';
import type { S5Params } from './s5init';

export interface S5OracleInput {
  /** Continuous-time eigenvalues (after any clipping), length Ph. */
  readonly Lambda: ComplexVector;
  /** B~, Ph x H. */
  readonly B: ComplexMatrix;
  /** C~, H x Ph, or H x 2Ph when bidirectional. */
  readonly C: ComplexMatrix;
  readonly D: Float64Array;
  /** Step sizes, one per state (length Ph). */
  readonly Delta: Float64Array;
  readonly discretization: Discretization;
  readonly conjSym: boolean;
  readonly bidirectional: boolean;
}

export interface S5ForwardOptions {
  readonly discretization: Discretization;
  readonly conjSym: boolean;
  readonly bidirectional: boolean;
  readonly clipEigs?: boolean;
  readonly stepRescale?: number;
}

/** The oracle input for initialised (or trained) S5 parameters. */
export const s5OracleInput = (params: S5Params, options: S5ForwardOptions): S5OracleInput => ({
  Lambda: s5Lambda(params.LambdaRe, params.LambdaIm, options.clipEigs ?? false),
  B: params.B,
  C: params.C,
  D: params.D,
  Delta: s5StepSizes(params.logStep, options.stepRescale ?? 1),
  discretization: options.discretization,
  conjSym: options.conjSym,
  bidirectional: options.bidirectional,
});

/** The states of one scan direction: states[k] = (re, im) of x_k, each length Ph. */
const scanStates = (
  LambdaBar: ComplexVector,
  BbarRe: Float64Array,
  BbarIm: Float64Array,
  u: RealMatrix,
  reverse: boolean,
): { re: Float64Array; im: Float64Array }[] => {
  const Ph = LambdaBar.re.length;
  const H = u.cols;
  const L = u.rows;
  const states: { re: Float64Array; im: Float64Array }[] = new Array(L);
  let xr = new Float64Array(Ph);
  let xi = new Float64Array(Ph);
  for (let step = 0; step < L; step++) {
    const k = reverse ? L - 1 - step : step;
    const nr = new Float64Array(Ph);
    const ni = new Float64Array(Ph);
    for (let n = 0; n < Ph; n++) {
      let br = 0;
      let bi = 0;
      for (let h = 0; h < H; h++) {
        br += BbarRe[n * H + h] * u.data[k * H + h];
        bi += BbarIm[n * H + h] * u.data[k * H + h];
      }
      nr[n] = LambdaBar.re[n] * xr[n] - LambdaBar.im[n] * xi[n] + br;
      ni[n] = LambdaBar.re[n] * xi[n] + LambdaBar.im[n] * xr[n] + bi;
    }
    states[k] = { re: nr, im: ni };
    xr = nr;
    xi = ni;
  }
  return states;
};

export const s5RecurrenceOracle = (input: S5OracleInput, u: RealMatrix): RealMatrix => {
  const { Lambda, B, C, D, Delta, discretization, conjSym, bidirectional } = input;
  const Ph = Lambda.re.length;
  const H = u.cols;
  const L = u.rows;
  if (B.rows !== Ph || B.cols !== H) throw new RangeError(`s5RecurrenceOracle: B is ${B.rows}x${B.cols}, expected ${Ph}x${H}`);
  const cCols = bidirectional ? 2 * Ph : Ph;
  if (C.rows !== H || C.cols !== cCols) throw new RangeError(`s5RecurrenceOracle: C is ${C.rows}x${C.cols}, expected ${H}x${cCols}`);
  if (D.length !== H) throw new RangeError(`s5RecurrenceOracle: D has length ${D.length}, expected ${H}`);
  if (Delta.length !== Ph) throw new RangeError(`s5RecurrenceOracle: Delta has length ${Delta.length}, expected ${Ph}`);

  const { LambdaBar, gain } = discretizeDiagonal(Lambda, Delta, discretization);
  const BbarRe = new Float64Array(Ph * H);
  const BbarIm = new Float64Array(Ph * H);
  for (let n = 0; n < Ph; n++) {
    for (let h = 0; h < H; h++) {
      BbarRe[n * H + h] = gain.re[n] * B.re[n * H + h] - gain.im[n] * B.im[n * H + h];
      BbarIm[n * H + h] = gain.re[n] * B.im[n * H + h] + gain.im[n] * B.re[n * H + h];
    }
  }
  const forward = scanStates(LambdaBar, BbarRe, BbarIm, u, false);
  const backward = bidirectional ? scanStates(LambdaBar, BbarRe, BbarIm, u, true) : undefined;
  const factor = conjSym ? 2 : 1;
  const y = realMatrix(L, H);
  for (let k = 0; k < L; k++) {
    for (let h = 0; h < H; h++) {
      // Re(c x) = c_re x_re - c_im x_im.
      let acc = 0;
      for (let n = 0; n < Ph; n++) {
        acc += C.re[h * cCols + n] * forward[k].re[n] - C.im[h * cCols + n] * forward[k].im[n];
        if (backward) {
          acc += C.re[h * cCols + Ph + n] * backward[k].re[n] - C.im[h * cCols + Ph + n] * backward[k].im[n];
        }
      }
      y.data[k * H + h] = factor * acc + D[h] * u.data[k * H + h];
    }
  }
  return y;
};
