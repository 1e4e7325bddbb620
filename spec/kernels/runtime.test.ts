/**
 * Plan execution: multi-kernel chains whose intermediates are 2-D and 3-D
 * kernel grids, under every run strategy (resident device handles, gpu.js
 * createPipeline, per-kernel readback), device-resident results fed into a
 * second plan, and the input checks. The plans are kernel-IR kernels of the
 * jit's builders (matmul, FFT) and one-line maps, assembled by IrPlan.
 */
import { expect, it } from 'vitest';
import { Block, START, add, f32, load, math, mul, type Expr } from '../../kernels/ir/build';
import type { Kernel } from '../../kernels/ir/types';
import { OUTPUT } from '../../kernels/gpujs/render';
import { type RunStrategy } from '../../kernels/runtime';
import { affine } from '../../compiler/jit/cpu/indexing';
import { IrPlan, bufferReader } from '../../compiler/jit/gpuPlan';
import { transform } from '../../compiler/jit/gpuFft';
import { matmulKernel } from '../../compiler/jit/gpuMatmul';
import { describeEachBackend, expectClose, inputTensor, randomArray } from './helpers';
import { naiveDFT } from './reference';

/** A kernel writing f(x) for every float x of buffer `input` (of `units` floats). */
function mapKernel(name: string, input: string, units: number, f: (x: Expr) => Expr): Kernel {
  const block = new Block();
  block.store(OUTPUT, START, f(block.bind(load(input, START))));
  return { name, units, unitCost: 1, body: block.stmts };
}

/** A real product A [M, K] B [K, N] of inputs a and b in `plan`; returns its buffer (grid [N, M]). */
function product(plan: IrPlan, M: number, K: number, N: number): string {
  const a = inputTensor(plan, 'a', [M, K]), b = inputTensor(plan, 'b', [K, N]);
  const { kernel, dims } = matmulKernel({
    name: 'matmul', aShape: [M, K], bShape: [K, N], transposeB: false, complexA: false, complexB: false, unroll: 2,
    read: (block, i, axes) => (i === 0 ? a(block, axes) : b(block, axes)),
  });
  return plan.launch(kernel, dims);
}

/** exp(A B) for A [M, K], B [K, N] in float64. */
function expOfProduct(a: Float32Array, b: Float32Array, M: number, K: number, N: number): Float64Array {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += a[i * K + k] * b[k * N + j];
    out[i * N + j] = Math.exp(s);
  }
  return out;
}

describeEachBackend('runtime', (rt) => {
  const [M, K, N] = [5, 6, 7];
  const a = randomArray(M * K, 81, -0.5, 0.5), b = randomArray(K * N, 82, -0.5, 0.5);
  const chain = () => {
    const plan = new IrPlan('mm-exp');
    const C = product(plan, M, K, N);
    return plan.build(plan.launch(mapKernel('exp', C, M * N, (x) => math('exp', x))));
  };

  for (const strategy of ['resident', 'pipeline', 'readback'] as RunStrategy[]) {
    it(`matmul (2-D grid) then exp, strategy ${strategy}`, async () => {
      const plan = chain();
      expect(plan.steps[0].result.dims).toEqual([N, M]);
      const want = expOfProduct(a, b, M, K, N);
      expectClose(await rt().run(plan, [a, b], strategy), want, { atol: 1e-5, rtol: 1e-5 });
      // a second run reuses the compiled kernels (and, for 'pipeline', the built pipeline)
      expectClose(await rt().run(plan, [a, b], strategy), want, { atol: 1e-5, rtol: 1e-5 });
    });
  }

  it('batched complex matmul (3-D grid) feeding an FFT along its last axis', async () => {
    const [B, m, k, n] = [3, 2, 4, 8];
    const x = randomArray(B * m * k * 2, 83), y = randomArray(B * k * n * 2, 84);
    const plan = new IrPlan('mm-fft');
    const X = inputTensor(plan, 'x', [B, m, k], true), Y = inputTensor(plan, 'y', [B, k, n], true);
    const mm = matmulKernel({
      name: 'matmul', aShape: [B, m, k], bShape: [B, k, n], transposeB: false, complexA: true, complexB: true, unroll: 1,
      read: (block, i, axes) => (i === 0 ? X(block, axes) : Y(block, axes)),
    });
    const C = plan.launch(mm.kernel, mm.dims);
    expect(plan.dims(C)).toEqual([2 * n, m, B]);
    const read = bufferReader(C, [B, m, n], true);
    const F = transform({ name: 'fft', batchShape: [B, m], n, inverse: false, input: (block, batch, q) => read(block, [...batch, affine(q)]) as { re: Expr; im: Expr } }, plan.fftSink);
    const got = await rt().run(plan.build(F), [x, y]);
    const prod = new Float64Array(B * m * n * 2);
    for (let z = 0; z < B; z++) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      let sr = 0, si = 0;
      for (let q = 0; q < k; q++) {
        const [ar, ai] = [x[((z * m + i) * k + q) * 2], x[((z * m + i) * k + q) * 2 + 1]];
        const [br, bi] = [y[((z * k + q) * n + j) * 2], y[((z * k + q) * n + j) * 2 + 1]];
        sr += ar * br - ai * bi; si += ar * bi + ai * br;
      }
      prod[((z * m + i) * n + j) * 2] = sr; prod[((z * m + i) * n + j) * 2 + 1] = si;
    }
    expectClose(got, naiveDFT(prod, B * m, n), { atol: 1e-4, rtol: 1e-4 });
  });

  it('a device-resident result feeds a second plan and is released after', async () => {
    const n = 10;
    const x = randomArray(n, 85);
    const first = new IrPlan('square');
    const resident = await rt().runResident(first.build(first.launch(mapKernel('square', first.input('x', n), n, (v) => mul(v, v)))), [x]);
    const second = new IrPlan('plus-one');
    const got = await rt().run(second.build(second.launch(mapKernel('plus_one', second.input('s', n), n, (v) => add(v, f32(1))))), [resident]);
    expectClose(got, Array.from(x, (v) => v * v + 1), { atol: 1e-6 });
    expectClose(await resident.read(), Array.from(x, (v) => v * v), { atol: 1e-6 });
    resident.release();
    await expect(resident.read()).rejects.toThrow(/used after release/);
  });

  it('names the input whose length is wrong', async () => {
    await expect(rt().run(chain(), [a, new Float32Array(3)])).rejects.toThrow(/input 'b' needs 42 floats, got 3/);
    await expect(rt().run(chain(), [a])).rejects.toThrow(/expected 2 inputs \(a, b\), got 1/);
  });
});

describeEachBackend('runtime with multi-dimensional plan inputs', (rt) => {
  for (const strategy of ['resident', 'pipeline', 'readback'] as RunStrategy[]) {
    it(`a 2-D matmul result (device or host) feeds a plan declared with its grid, strategy ${strategy}`, async () => {
      const [M, K, N] = [3, 4, 5];
      const a = randomArray(M * K, 91), b = randomArray(K * N, 92);
      const first = new IrPlan('mm');
      const mm = first.build(product(first, M, K, N));
      const resident = await rt().runResident(mm, [a, b]);
      expect(resident.dims).toEqual([N, M]);
      const second = new IrPlan('double');
      const plan = second.build(second.launch(mapKernel('double', second.input('c', resident.dims), M * N, (v) => mul(v, f32(2)))));
      const host = await resident.read();
      const want = Array.from(host, (v) => 2 * v);
      expectClose(await rt().run(plan, [resident], strategy), want, { atol: 1e-6 });
      expectClose(await rt().run(plan, [host], strategy), want, { atol: 1e-6 });
      resident.release();
    });
  }
});
