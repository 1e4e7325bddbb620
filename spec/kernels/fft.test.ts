/**
 * FFT templates against the O(n^2) DFT in float64: power-of-two (Stockham,
 * radix 4 and 2) and other lengths (Bluestein), batched, forward and
 * inverse, real input, truncated output, fused epilogue.
 */
import { it } from 'vitest';
import { bufferOf, operandOf } from '../../kernels/operand';
import { PlanBuilder } from '../../kernels/plan';
import { fft } from '../../kernels/templates/fft';
import { describeEachBackend, expectClose, randomArray } from './helpers';
import { fftTolerance, naiveDFT } from './reference';

describeEachBackend('fft', (rt) => {
  const cases: { n: number; batch: number; radix?: 2 | 4 }[] = [
    { n: 1, batch: 1 }, { n: 2, batch: 3 }, { n: 3, batch: 1 }, { n: 7, batch: 2 }, { n: 12, batch: 1 },
    { n: 16, batch: 2 }, { n: 32, batch: 1, radix: 2 }, { n: 100, batch: 1 }, { n: 1000, batch: 1 }, { n: 1024, batch: 2 },
  ];
  for (const { n, batch, radix } of cases) {
    it(`forward n=${n} batch=${batch}${radix ? ` radix ${radix}` : ''}`, async () => {
      const x = randomArray(batch * n * 2, n + 100);
      const builder = new PlanBuilder('fft');
      const X = fft(builder, { input: operandOf(builder.input('x', x.length), [batch, n], 'c64'), radix });
      const got = await rt().run(builder.build(bufferOf(X)), [x]);
      expectClose(got, naiveDFT(x, batch, n), fftTolerance(n));
    });
  }

  for (const n of [1, 8, 7, 100]) {
    it(`inverse n=${n} against the inverse DFT`, async () => {
      const x = randomArray(n * 2, n + 200);
      const builder = new PlanBuilder('ifft');
      const Y = fft(builder, { input: operandOf(builder.input('x', x.length), [n], 'c64'), inverse: true });
      const got = await rt().run(builder.build(bufferOf(Y)), [x]);
      expectClose(got, naiveDFT(x, 1, n, true), fftTolerance(n));
    });
  }

  for (const n of [6, 64]) {
    it(`real input n=${n}, first ${n / 2 + 1} bins, |X|^2 epilogue`, async () => {
      const x = randomArray(2 * n, n + 300);
      const builder = new PlanBuilder('power');
      const P = fft(builder, {
        input: operandOf(builder.input('x', x.length), [2, n], 'f32'),
        outputLength: n / 2 + 1,
        epilogue: { dtype: 'f32', bindings: [], apply: (v) => `${v.re} * ${v.re} + ${v.im} * ${v.im}` },
      });
      const got = await rt().run(builder.build(bufferOf(P)), [x]);
      const full = naiveDFT(x, 2, n, false, true);
      const want: number[] = [];
      for (let b = 0; b < 2; b++) {
        for (let k = 0; k <= n / 2; k++) {
          const [re, im] = [full[(b * n + k) * 2], full[(b * n + k) * 2 + 1]];
          want.push(re * re + im * im);
        }
      }
      const tol = fftTolerance(n);
      expectClose(got, want, { atol: tol.atol * 2 * Math.sqrt(n), rtol: 1e-4 });
    });
  }
});
