/**
 * The jit's FFTs (compiler/jit/gpuFft.ts) against the O(n^2) DFT in float64 on every gpu.js
 * backend: power-of-two lengths (Stockham; an odd log2 n starts with a radix-2 stage), other
 * lengths (Bluestein: primes, composites, 1000), batched over one or two axes, forward and
 * inverse, real input read through the reader, and a last stage that writes fewer bins and a
 * finished real value (|X|^2).
 */
import { expect, it } from 'vitest';
import { add, constant, mul } from '../../kernels/ir/build';
import { affine } from '../../compiler/jit/cpu/indexing';
import { IrPlan } from '../../compiler/jit/gpuPlan';
import { type LineReader, transform } from '../../compiler/jit/gpuFft';
import { describeEachBackend, expectClose, inputTensor, randomArray } from './helpers';
import { fftTolerance, naiveDFT } from './reference';

/** A reader of complex lines [...batch, n] of input 'x'. */
function lines(plan: IrPlan, shape: readonly number[], complex: boolean): LineReader {
  const read = inputTensor(plan, 'x', shape, complex);
  return (block, batch, k) => {
    const v = read(block, [...batch, affine(k)]);
    return { re: v.re, im: v.im ?? constant('f32', 0) };
  };
}

describeEachBackend('fft', (rt) => {
  const cases: { n: number; batch: readonly number[] }[] = [
    { n: 1, batch: [1] }, { n: 2, batch: [3] }, { n: 3, batch: [1] }, { n: 4, batch: [2] }, { n: 7, batch: [2] }, { n: 8, batch: [1] },
    { n: 12, batch: [1] }, { n: 16, batch: [2] }, { n: 32, batch: [1] }, { n: 97, batch: [1] }, { n: 100, batch: [1] },
    { n: 1000, batch: [1] }, { n: 1024, batch: [2] }, { n: 6, batch: [2, 3] },
  ];
  for (const { n, batch } of cases) {
    it(`forward n=${n} batch [${batch}]`, async () => {
      const lines_ = batch.reduce((p, d) => p * d, 1);
      const x = randomArray(lines_ * n * 2, n + 100);
      const plan = new IrPlan('fft');
      const out = transform({ name: 'fft', batchShape: batch, n, inverse: false, input: lines(plan, [...batch, n], true) }, plan.fftSink);
      const got = await rt().run(plan.build(out), [x]);
      expectClose(got, naiveDFT(x, lines_, n), fftTolerance(n));
    });
  }

  it('a power of two with odd log2 starts with one radix-2 stage, then radix 4', () => {
    const stages = (n: number): string[] => {
      const plan = new IrPlan('fft');
      const out = transform({ name: 'fft', batchShape: [], n, inverse: false, input: lines(plan, [n], true) }, plan.fftSink);
      return plan.build(out).steps.map((s) => s.kernel.name);
    };
    expect(stages(32)).toEqual(['fft_r2s0', 'fft_r4s1', 'fft_r4s2']);
    expect(stages(64)).toEqual(['fft_r4s0', 'fft_r4s1', 'fft_r4s2']);
  });

  for (const n of [1, 8, 7, 100]) {
    it(`inverse n=${n} against the inverse DFT`, async () => {
      const x = randomArray(n * 2, n + 200);
      const plan = new IrPlan('ifft');
      const out = transform({ name: 'ifft', batchShape: [], n, inverse: true, input: lines(plan, [n], true) }, plan.fftSink);
      const got = await rt().run(plan.build(out), [x]);
      expectClose(got, naiveDFT(x, 1, n, true), fftTolerance(n));
    });
  }

  for (const n of [6, 64]) {
    it(`real input n=${n}, first ${n / 2 + 1} bins, finished as |X|^2`, async () => {
      const x = randomArray(2 * n, n + 300);
      const plan = new IrPlan('power');
      const out = transform({
        name: 'power', batchShape: [2], n, inverse: false, input: lines(plan, [2, n], false),
        outputLength: n / 2 + 1, width: 1,
        finish: (_block, v) => ({ re: add(mul(v.re, v.re), mul(v.im, v.im)), im: constant('f32', 0) }),
      }, plan.fftSink);
      const got = await rt().run(plan.build(out), [x]);
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
