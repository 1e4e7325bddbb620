/**
 * Plan execution: multi-kernel chains whose intermediates are 2-D and 3-D
 * kernel grids, under every run strategy (resident device handles, gpu.js
 * createPipeline, per-kernel readback), device-resident results fed into a
 * second plan, and the input checks.
 */
import { expect, it } from 'vitest';
import { bufferOf, operandOf } from '../../kernels/operand';
import { PlanBuilder } from '../../kernels/plan';
import { type RunStrategy } from '../../kernels/runtime';
import { mapOperands } from '../../kernels/templates/elementwise';
import { fft } from '../../kernels/templates/fft';
import { matmul } from '../../kernels/templates/matmul';
import { describeEachBackend, expectClose, randomArray } from './helpers';
import { naiveDFT } from './reference';

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
    const builder = new PlanBuilder('mm-exp');
    const C = matmul(builder, { a: operandOf(builder.input('a', M * K), [M, K], 'f32'), b: operandOf(builder.input('b', K * N), [K, N], 'f32') });
    const E = mapOperands(builder, { inputs: [C], dtype: 'f32', expr: ([c]) => ({ re: `Math.exp(${c.re})`, im: '0.0' }) });
    return builder.build(bufferOf(E));
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
    const builder = new PlanBuilder('mm-fft');
    const C = matmul(builder, {
      a: operandOf(builder.input('x', x.length), [B, m, k], 'c64'),
      b: operandOf(builder.input('y', y.length), [B, k, n], 'c64'),
    });
    const F = fft(builder, { input: C });
    const got = await rt().run(builder.build(bufferOf(F)), [x, y]);
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
    const first = new PlanBuilder('square');
    const sq = mapOperands(first, { inputs: [operandOf(first.input('x', n), [n], 'f32')], dtype: 'f32', expr: ([v]) => ({ re: `${v.re} * ${v.re}`, im: '0.0' }) });
    const resident = await rt().runResident(first.build(bufferOf(sq)), [x]);
    const second = new PlanBuilder('plus-one');
    const p1 = mapOperands(second, { inputs: [operandOf(second.input('s', n), [n], 'f32')], dtype: 'f32', expr: ([v]) => ({ re: `${v.re} + 1.0`, im: '0.0' }) });
    const got = await rt().run(second.build(bufferOf(p1)), [resident]);
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
      const first = new PlanBuilder('mm');
      const C = matmul(first, { a: operandOf(first.input('a', M * K), [M, K], 'f32'), b: operandOf(first.input('b', K * N), [K, N], 'f32') });
      const mm = first.build(bufferOf(C));
      const resident = await rt().runResident(mm, [a, b]);
      expect(resident.dims).toEqual([N, M]);
      const second = new PlanBuilder('double');
      const D = mapOperands(second, {
        inputs: [operandOf(second.input('c', resident.dims), [M, N], 'f32')], dtype: 'f32', expr: ([v]) => ({ re: `${v.re} * 2.0`, im: '0.0' }),
      });
      const plan = second.build(bufferOf(D));
      const host = await resident.read();
      const want = Array.from(host, (v) => 2 * v);
      expectClose(await rt().run(plan, [resident], strategy), want, { atol: 1e-6 });
      expectClose(await rt().run(plan, [host], strategy), want, { atol: 1e-6 });
      resident.release();
    });
  }
});
