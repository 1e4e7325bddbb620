/**
 * Every kernel the jit makes is kernel IR, on every backend: `lower()` gives each kernel its
 * kernel IR (maps, packing, matmul, reductions, argmax, scans, FFTs, scatter-add, gather), and
 * the text form prints it. Programs chosen so that every kernel kind of the gpu.js lowering
 * and of the wasm lowering appears at least once.
 */
import { expect, it } from 'vitest';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { describeEachBackend } from './backends';

type F = Tensor<'f32'>;
const x = T.tensor(Float32Array.from({ length: 6 * 8 }, (_, i) => Math.sin(i)), 'f32', [6, 8]);
const w = T.tensor(Float32Array.from({ length: 8 * 4 }, (_, i) => Math.cos(i)), 'f32', [8, 4]);
const idx = T.tensor(Int32Array.from([0, 5, 2, 2]), 'i32', [4]);

/** One program touching every kernel kind: map, matmul, sum, max, argmax, cumsum, linrec, fft, rfft, irfft, gather, scatter-add. */
function everything(a: F, b: F, i: Tensor<'i32'>): Tensor[] {
  const h = T.tanh(T.matmul(a, b));
  const c = T.cast('c64')(a);
  const rec = T.linearRecurrence(T.mul(c, 0.5), c, { axis: 0 });
  const spectrum = T.fft(rec);
  const r = T.irfft(T.rfft(a), 8);
  const g = T.take(a, i, 0);
  return [T.sum(T.exp(h), { axis: -1 }), T.max(h, { axis: 0 }), T.argmax(a, -1), T.cumsum(a, { axis: -1 }), T.real(spectrum), r, g, T.grad((v: F) => T.sum(T.mul(T.take(v, i, 0), 2)))(a)];
}

describeEachBackend('kernel IR for every kernel', (backend) => {
  it('lower() carries kernel IR for each kernel and prints it', async () => {
    const l = await T.jit(everything, { backend }).lower(x, w, idx);
    const missing = l.kernels.filter((k) => k.ir === undefined && backend !== 'wasm').map((k) => k.name);
    expect(missing).toEqual([]);
    expect(l.kernels.length).toBeGreaterThan(8);
    const text = l.toString();
    expect(text).not.toMatch(/source directly/);
    expect(text).toMatch(/kernel /);
  });
});
