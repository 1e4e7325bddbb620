/**
 * The jit's rfft / irfft (compiler/jit/gpuFft.ts) against the O(n^2) DFT on every gpu.js
 * backend: even lengths (half-length complex transform, power of two or Bluestein) and odd
 * lengths (full-length Bluestein), batched, with numpy's treatment of the imaginary parts of
 * X_0 and X_{n/2} in irfft, and the two chained in one plan.
 */
import { it } from 'vitest';
import { constant } from '../../kernels/ir/build';
import { affine } from '../../compiler/jit/cpu/indexing';
import { type AxesReader, IrPlan, bufferReader } from '../../compiler/jit/gpuPlan';
import { type LineReader, inverseRealTransform, realTransform } from '../../compiler/jit/gpuFft';
import { describeEachBackend, expectClose, inputTensor, randomArray } from './helpers';
import { fftTolerance, naiveDFT } from './reference';

/** numpy-style irfft reference: Hermitian completion, imaginary DC (and Nyquist) dropped. */
function naiveIrfft(X: Float32Array, batch: number, n: number): Float64Array {
  const bins = Math.floor(n / 2) + 1;
  const full = new Float64Array(batch * n * 2);
  for (let b = 0; b < batch; b++) {
    for (let k = 0; k < n; k++) {
      const src = k < bins ? k : n - k;
      const re = X[(b * bins + src) * 2];
      let im = X[(b * bins + src) * 2 + 1];
      if (src === 0 || (n % 2 === 0 && src === n / 2)) im = 0;
      full[(b * n + k) * 2] = re;
      full[(b * n + k) * 2 + 1] = k < bins ? im : -im;
    }
  }
  const z = naiveDFT(full, batch, n, true);
  return Float64Array.from({ length: batch * n }, (_, i) => z[2 * i]);
}

/** Lines of `read` as the FFT builders read them. */
const lines = (read: AxesReader): LineReader => (block, batch, k) => {
  const v = read(block, [...batch, affine(k)]);
  return { re: v.re, im: v.im ?? constant('f32', 0) };
};

describeEachBackend('real fft', (rt) => {
  for (const [n, batch] of [[1, 1], [2, 2], [3, 1], [4, 1], [6, 2], [7, 2], [12, 1], [16, 3], [30, 1], [100, 1], [1000, 1]]) {
    it(`rfft n=${n} batch=${batch}`, async () => {
      const x = randomArray(batch * n, n + 500);
      const plan = new IrPlan('rfft');
      const out = realTransform('rfft', [batch], n, lines(inputTensor(plan, 'x', [batch, n])), plan.fftSink);
      const got = await rt().run(plan.build(out), [x]);
      const full = naiveDFT(x, batch, n, false, true);
      const bins = Math.floor(n / 2) + 1;
      const want: number[] = [];
      for (let b = 0; b < batch; b++) for (let k = 0; k < bins; k++) want.push(full[(b * n + k) * 2], full[(b * n + k) * 2 + 1]);
      expectClose(got, want, fftTolerance(n));
    });

    it(`irfft n=${n} batch=${batch}`, async () => {
      const bins = Math.floor(n / 2) + 1;
      const X = randomArray(batch * bins * 2, n + 600);
      const plan = new IrPlan('irfft');
      const out = inverseRealTransform('irfft', [batch], n, lines(inputTensor(plan, 'X', [batch, bins], true)), plan.fftSink);
      const got = await rt().run(plan.build(out), [X]);
      expectClose(got, naiveIrfft(X, batch, n), fftTolerance(n));
    });
  }

  for (const n of [24, 9]) {
    it(`irfft(rfft(x)) recovers x (n=${n}) in one plan`, async () => {
      const x = randomArray(2 * n, 700 + n);
      const plan = new IrPlan('roundtrip');
      const bins = Math.floor(n / 2) + 1;
      const X = realTransform('rfft', [2], n, lines(inputTensor(plan, 'x', [2, n])), plan.fftSink);
      const y = inverseRealTransform('irfft', [2], n, lines(bufferReader(X, [2, bins], true)), plan.fftSink);
      expectClose(await rt().run(plan.build(y), [x]), x, { atol: 1e-5 });
    });
  }
});
