/**
 * rfft / irfft against the O(n^2) DFT: even lengths (half-length complex
 * transform) and odd lengths (Bluestein), batched, with numpy's treatment
 * of the imaginary parts of X_0 and X_{n/2} in irfft.
 */
import { it } from 'vitest';
import { bufferOf, operandOf } from '../../kernels/operand';
import { PlanBuilder } from '../../kernels/plan';
import { irfft, rfft } from '../../kernels/templates/fft-real';
import { describeEachBackend, expectClose, randomArray } from './helpers';
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

describeEachBackend('real fft', (rt) => {
  for (const [n, batch] of [[1, 1], [2, 2], [3, 1], [7, 2], [12, 1], [16, 3], [100, 1], [1000, 1]]) {
    it(`rfft n=${n} batch=${batch}`, async () => {
      const x = randomArray(batch * n, n + 500);
      const builder = new PlanBuilder('rfft');
      const X = rfft(builder, { input: operandOf(builder.input('x', x.length), [batch, n], 'f32') });
      const got = await rt().run(builder.build(bufferOf(X)), [x]);
      const full = naiveDFT(x, batch, n, false, true);
      const bins = Math.floor(n / 2) + 1;
      const want: number[] = [];
      for (let b = 0; b < batch; b++) for (let k = 0; k < bins; k++) want.push(full[(b * n + k) * 2], full[(b * n + k) * 2 + 1]);
      expectClose(got, want, fftTolerance(n));
    });

    it(`irfft n=${n} batch=${batch}`, async () => {
      const bins = Math.floor(n / 2) + 1;
      const X = randomArray(batch * bins * 2, n + 600);
      const builder = new PlanBuilder('irfft');
      const x = irfft(builder, { input: operandOf(builder.input('X', X.length), [batch, bins], 'c64'), n });
      const got = await rt().run(builder.build(bufferOf(x)), [X]);
      expectClose(got, naiveIrfft(X, batch, n), fftTolerance(n));
    });
  }

  it('irfft(rfft(x)) recovers x (n=24) with a fused scaling epilogue', async () => {
    const n = 24;
    const x = randomArray(n, 700);
    const builder = new PlanBuilder('roundtrip');
    const X = rfft(builder, { input: operandOf(builder.input('x', n), [n], 'f32') });
    const y = irfft(builder, { input: X, n, epilogue: { dtype: 'f32', bindings: [], apply: (v) => `${v.re} * 3.0` } });
    const got = await rt().run(builder.build(bufferOf(y)), [x]);
    expectClose(got, Array.from(x, (v) => 3 * v), { atol: 1e-5 });
  });
});
