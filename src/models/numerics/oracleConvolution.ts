// Direct (O(L^2)) convolutions in float64, the reference for FFT/scan-based
// implementations. Sequences are L x H real matrices (time-major, as in the
// models); per-channel kernels are H x Lk real matrices.
//   causalConvolution:          y_t[h] = sum_{j=0..t} K[h, j] u_{t-j}[h] + D[h] u_t[h]
//   bidirectionalConvolutionS4: adds sum_{s=1..L-1-t} K1[h, s-1] u_{t+s}[h]
//                               (S4's two-sided kernel: the anti-causal part excludes u_t)
//   mimoConvolution:            y_t = sum_{j=0..t} Kf_j u_{t-j} + sum_{j=0..L-1-t} Kb_j u_{t+j} + D (.) u_t
//                               with H x H matrices Kf_j, Kb_j (S5's backward scan includes u_t)
// Lags beyond the kernel length contribute nothing.

import { type RealMatrix, realMatrix } from './realMatrix';

const checkChannels = (K: RealMatrix, u: RealMatrix, D: Float64Array, where: string): void => {
  if (K.rows !== u.cols) throw new RangeError(`${where}: kernel has ${K.rows} channels but u has ${u.cols}`);
  if (D.length !== u.cols) throw new RangeError(`${where}: D has length ${D.length} but u has ${u.cols} channels`);
};

export const causalConvolution = (K: RealMatrix, u: RealMatrix, D: Float64Array): RealMatrix => {
  checkChannels(K, u, D, 'causalConvolution');
  const L = u.rows;
  const H = u.cols;
  const y = realMatrix(L, H);
  for (let t = 0; t < L; t++) {
    for (let h = 0; h < H; h++) {
      let acc = D[h] * u.data[t * H + h];
      for (let j = 0; j <= t && j < K.cols; j++) acc += K.data[h * K.cols + j] * u.data[(t - j) * H + h];
      y.data[t * H + h] = acc;
    }
  }
  return y;
};

export const bidirectionalConvolutionS4 = (
  Kforward: RealMatrix,
  Kbackward: RealMatrix,
  u: RealMatrix,
  D: Float64Array,
): RealMatrix => {
  checkChannels(Kbackward, u, D, 'bidirectionalConvolutionS4');
  const y = causalConvolution(Kforward, u, D);
  const L = u.rows;
  const H = u.cols;
  for (let t = 0; t < L; t++) {
    for (let h = 0; h < H; h++) {
      let acc = 0;
      for (let s = 1; t + s < L && s - 1 < Kbackward.cols; s++) acc += Kbackward.data[h * Kbackward.cols + s - 1] * u.data[(t + s) * H + h];
      y.data[t * H + h] += acc;
    }
  }
  return y;
};

const checkMimoKernel = (K: readonly RealMatrix[], H: number, where: string): void => {
  K.forEach((k, j) => {
    if (k.rows !== H || k.cols !== H) throw new RangeError(`${where}: kernel matrix at lag ${j} is ${k.rows}x${k.cols}, expected ${H}x${H}`);
  });
};

/** y_t += sum_j K_j u_{t + sign j} for the lags j the kernel covers. */
const accumulateMimo = (y: RealMatrix, K: readonly RealMatrix[], u: RealMatrix, sign: 1 | -1): void => {
  const L = u.rows;
  const H = u.cols;
  for (let t = 0; t < L; t++) {
    for (let j = 0; j < K.length; j++) {
      const s = t + sign * j;
      if (s < 0 || s >= L) break;
      const k = K[j].data;
      for (let out = 0; out < H; out++) {
        let acc = 0;
        for (let inp = 0; inp < H; inp++) acc += k[out * H + inp] * u.data[s * H + inp];
        y.data[t * H + out] += acc;
      }
    }
  }
};

export const mimoConvolution = (
  Kforward: readonly RealMatrix[],
  u: RealMatrix,
  D: Float64Array,
  Kbackward?: readonly RealMatrix[],
): RealMatrix => {
  const L = u.rows;
  const H = u.cols;
  if (D.length !== H) throw new RangeError(`mimoConvolution: D has length ${D.length} but u has ${H} channels`);
  checkMimoKernel(Kforward, H, 'mimoConvolution (forward)');
  if (Kbackward) checkMimoKernel(Kbackward, H, 'mimoConvolution (backward)');
  const y = realMatrix(L, H);
  for (let t = 0; t < L; t++) for (let h = 0; h < H; h++) y.data[t * H + h] = D[h] * u.data[t * H + h];
  accumulateMimo(y, Kforward, u, -1);
  if (Kbackward) accumulateMimo(y, Kbackward, u, 1);
  return y;
};
