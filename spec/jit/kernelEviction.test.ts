/**
 * A gpu.js runtime that keeps a bounded number of compiled kernels (kernels/runtime.ts
 * `liveKernels`; in a browser gpu.js's webasm kernels are bounded so, since each owns a
 * WebAssembly memory and a renderer runs out of them): a program of many kernels run on a
 * runtime that may hold only three gives, bit for bit, what an unbounded runtime gives, on the
 * first call and again after the evicted kernels were rebuilt, and never holds more than three.
 * The unbounded runtime's results are checked against the interpreter by every other jit spec;
 * here the first output is compared with the interpreter too.
 */
import { expect, it } from 'vitest';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { KernelRuntime } from '../../kernels/runtime';
import type { GpuJsBackend } from '../../kernels/backends';
import { describeBackend } from '../../kernels/capabilities';
import { describeEachBackend } from './backends';

type F = Tensor<'f32'>;
const x = T.tensor(Float32Array.from({ length: 6 * 8 }, (_, i) => Math.sin(i)), 'f32', [6, 8]);
const w = T.tensor(Float32Array.from({ length: 8 * 4 }, (_, i) => Math.cos(i)), 'f32', [8, 4]);

/** Maps, a matmul, reductions, a scan and an FFT: a dozen kernels or more. */
function many(a: F, b: F): Tensor[] {
  const h = T.tanh(T.matmul(a, b));
  const spectrum = T.fft(T.linearRecurrence(T.mul(T.cast('c64')(a), 0.5), T.cast('c64')(a), { axis: 0 }));
  return [T.sum(T.exp(h), { axis: -1 }), T.max(h, { axis: 0 }), T.cumsum(a, { axis: -1 }), T.real(spectrum), T.irfft(T.rfft(a), 8)];
}

describeEachBackend('a runtime holding at most three compiled kernels', (backend) => {
  it('computes what an unbounded runtime computes, evicting and rebuilding kernels', async (ctx) => {
    if (backend === 'wasm' || describeBackend(backend).residency === 'device') {
      ctx.skip(`${backend}: the bound is for gpu.js backends whose values live on the host (cpu, webasm)`);
      return;
    }
    const lowered = await T.jit(many, { backend }).lower(x, w);
    const program = lowered.program!;
    expect(program.hostEqns).toHaveLength(0);
    const args = [x, w];
    const inputs = () => program.planInputs.map((p) => Float32Array.from(p.kind === 'arg' ? args[p.index].value().data : []));
    const distinct = new Set(program.plan.steps.map((s) => s.kernel)).size;
    expect(distinct).toBeGreaterThan(6);

    const free = await KernelRuntime.create(backend as GpuJsBackend);
    const bounded = await KernelRuntime.create(backend as GpuJsBackend, { liveKernels: 3 });
    try {
      const expected = await free.run(program.plan, inputs());
      for (const call of [1, 2]) {
        const got = await bounded.run(program.plan, inputs());
        expect(Array.from(got), `call ${call}`).toEqual(Array.from(expected));
        expect(bounded.liveKernelCount).toBeLessThanOrEqual(3);
      }
      expect(bounded.kernelCounts.evicted).toBeGreaterThanOrEqual(2 * distinct - 3);
      expect(bounded.kernelCounts.compiled).toBe(bounded.kernelCounts.evicted + bounded.liveKernelCount);
      // the first output against the interpreter (eager evaluation)
      const slot = program.outputs[0];
      const eager = many(x, w)[0].value().data;
      const mine = Array.from(expected.subarray(slot.offset, slot.offset + eager.length));
      mine.forEach((v, i) => expect(Math.abs(v - eager[i])).toBeLessThan(1e-5 * (1 + Math.abs(eager[i]))));
    } finally {
      await free.destroy();
      await bounded.destroy();
    }
  });

  it('refuses a bound where destroying a kernel could free values in use', async (ctx) => {
    if (backend === 'wasm' || describeBackend(backend).residency !== 'device') {
      ctx.skip(`${backend}: values live on the host`);
      return;
    }
    await expect(KernelRuntime.create(backend as GpuJsBackend, { liveKernels: 3 })).rejects.toThrow(/liveKernels cannot bound/);
  });
});
