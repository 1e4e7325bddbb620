/**
 * Values that stay in the wasm backend's shared memory between calls: a jitted function's
 * outputs are device arrays; passed back in, they are copied memory to memory (no float64
 * round trip through the host); read, they equal the interpreter's values; released, their
 * memory goes back to the heap at once and they are not used again; dropped, their memory is
 * reclaimed, once.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { transfers } from '../../compiler/jit/cpu/deviceArray';
import { probeBackend } from '../../kernels/backends';
import { arg, randomArgs } from '../jit/inputs';
import { runWithGc } from '../support/gcChild';
import { wasmRuntime } from '../../src/backend';
import { m0, momentumStep, w0 } from './momentumProblem';

const F = (x: Tensor): Tensor<'f32'> => x as Tensor<'f32'>;
const cpuAvailable = (await probeBackend('cpu')).available;

describe('resident values on wasm', () => {
  it('a training loop keeps its parameters in the shared memory: only the batch crosses to the device, only the loss to the host', async () => {
    const [w0, x, y] = randomArgs(5, [arg([8, 4]), arg([16, 8]), arg([16, 4])]) as Tensor<'f32'>[];
    const loss = (w: Tensor<'f32'>, xb: Tensor<'f32'>, yb: Tensor<'f32'>) => T.mean(T.square(T.sub(T.matmul(xb, w), yb)));
    const step = (w: Tensor<'f32'>, xb: Tensor<'f32'>, yb: Tensor<'f32'>) => {
      const [l, g] = T.valueAndGrad(loss)(w, xb, yb) as [Tensor<'f32'>, Tensor<'f32'>];
      return [T.sub(w, T.mul(g, 0.1)), l] as const;
    };
    const jitted = T.jit(step, { backend: 'wasm' });
    let w: Tensor<'f32'> = w0;
    let wRef: Tensor<'f32'> = w0;
    await jitted(w, x, y); // compile
    const before = { ...transfers };
    const losses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const [next, l] = await jitted(w, x, y);
      expect(next.impl.kind).toBe('device');
      w = next;
      losses.push(l.item() as number);
      wRef = step(wRef, x, y)[0];
    }
    // Per step: the batch (x, y: 128 + 64 floats) and, on the first step only, w (32 floats)
    // in; the loss (1 float) out.
    expect(transfers.toDevice - before.toDevice).toBe(32 + 20 * (128 + 64));
    expect(transfers.toHost - before.toHost).toBe(20);
    // every kernel of the lowered program, once per call
    expect(transfers.kernels - before.kernels).toBe(20 * (await jitted.lower(w0, x, y)).kernels.length);
    const got = w.data();
    const want = wRef.data();
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-4 * (1 + Math.abs(want[i])));
    expect(losses[19]).toBeLessThan(losses[0]);
  });

  it('an argument no kernel reads is not copied in', async () => {
    const [x] = randomArgs(7, [arg([4, 3])]);
    const unused = T.zeros([100]);
    const jitted = T.jit((v: Tensor, _u: Tensor) => T.exp(F(v)), { backend: 'wasm' });
    await jitted(x, unused);
    const before = { ...transfers };
    const out = await jitted(x, unused);
    expect(transfers.toDevice - before.toDevice).toBe(12);
    expect((await jitted.lower(x, unused)).transfers?.in).toBe(12);
    const want = T.exp(F(x)).data();
    out.data().forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-6 * (1 + Math.abs(want[i]))));
  });

  it.skipIf(!cpuAvailable)('a device value passed to a function compiled for another backend is read back first', async () => {
    const [x] = randomArgs(6, [arg([5, 3])]);
    const onWasm = await T.jit((v: Tensor) => T.exp(F(v)), { backend: 'wasm' })(x);
    const onCpu = await T.jit((v: Tensor) => T.mul(F(v), 2), { backend: 'cpu' })(onWasm);
    const want = T.mul(T.exp(F(x)), 2).data();
    onCpu.data().forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-5 * (1 + Math.abs(want[i]))));
  });

  it('dropped device values give their memory back (a child process with --expose-gc)', async () => {
    const entry = `
      import * as T from './src/index';
      import { wasmRuntime } from './src/backend';
      const f = T.jit((x) => T.add(x, 1), { backend: 'wasm' });
      let x = T.zeros([1 << 18]);
      const heap = (await wasmRuntime()).heap;
      let peak = 0;
      for (let i = 0; i < 200; i++) {
        x = await f(x);
        if (i % 10 === 0) { globalThis.gc(); await new Promise((r) => setTimeout(r, 0)); }
        peak = Math.max(peak, heap.bytesInUse);
      }
      globalThis.gc();
      await new Promise((r) => setTimeout(r, 0));
      console.log(JSON.stringify({ value: x.data()[123], peak, end: heap.bytesInUse }));
      process.exit(0);
    `;
    const { value, peak, end } = await runWithGc<{ value: number; peak: number; end: number }>(entry, 60_000);
    expect(value).toBe(200);
    // 200 outputs of 1 MiB were made; without reclaiming, 200 MiB would stay in use.
    expect(peak).toBeLessThan(40 * 2 ** 20);
    expect(end).toBeLessThan(8 * 2 ** 20);
  }, 90_000);

  it('released values give their memory back at once: a 30-step loop that releases stays at the same heap use, and ends where the interpreter does (a child process, so no other value is collected meanwhile)', async () => {
    const entry = `
      import * as T from './src/index';
      import { wasmRuntime } from './src/backend';
      import { m0, momentumStep, w0 } from './spec/wasm/momentumProblem';
      const jitted = T.jit(momentumStep, { backend: 'wasm' });
      const heap = (await wasmRuntime()).heap;
      let w = w0;
      let m = m0();
      await jitted.lower(w, m); // loads the program: its buffers are allocated once, here
      const base = heap.bytesInUse;
      const inUse = [];
      for (let i = 0; i < 30; i++) {
        const [w1, m1, l] = await jitted(w, m);
        if (!Number.isFinite(l.item())) throw new Error('loss ' + l.item());
        T.releaseDevice([w, m, l]);
        w = w1;
        m = m1;
        inUse.push(heap.bytesInUse - base);
      }
      console.log(JSON.stringify({ inUse, w: Array.from(w.data()) }));
      process.exit(0);
    `;
    const { inUse, w } = await runWithGc<{ inUse: number[]; w: number[] }>(entry, 60_000);
    // live after each step: the new w and m, 1024 bytes each (regions are rounded up to 16)
    expect(inUse).toEqual(new Array(30).fill(2 * 32 * 8 * 4));
    let wRef = w0;
    let mRef = m0();
    for (let i = 0; i < 30; i++) [wRef, mRef] = momentumStep(wRef, mRef);
    const want = wRef.data();
    for (let i = 0; i < want.length; i++) expect(Math.abs(w[i] - want[i])).toBeLessThan(1e-4 * (1 + Math.abs(want[i])));
  }, 90_000);

  it('the training loop\'s releases take effect on wasm: the heap\'s bytes in use are the same after every step (a child process)', async () => {
    const entry = `
      import { setBackend, wasmRuntime } from './src/backend';
      import { fit, freshSnapshot } from './src/train/loop';
      import { setupRun } from './src/train/setup';
      import { tinyRunConfig, toyTask } from './spec/train/helpers';
      setBackend('wasm');
      const config = tinyRunConfig({ epochs: 1, batchSize: 4 }, 'jit');
      const setup = setupRun(config);
      const heap = (await wasmRuntime()).heap;
      const inUse = [];
      const result = await fit(config, setup, toyTask(8, 32, 8, 8), freshSnapshot(config, setup), {
        progress: false, plotTitle: false, onStep: () => inUse.push(heap.bytesInUse),
      });
      console.log(JSON.stringify({ inUse, steps: result.snapshot.step }));
      process.exit(0);
    `;
    const { inUse, steps } = await runWithGc<{ inUse: number[]; steps: number }>(entry, 60_000);
    expect(steps).toBe(8);
    // from the first step on, each step's state replaces the previous one
    expect(inUse).toEqual(new Array(8).fill(inUse[0]));
  }, 90_000);

  it('a released value is not used again: reading it or passing it to a jitted function says what was released; a second release does nothing', async () => {
    const f = T.jit((v: Tensor) => T.add(F(v), 1), { backend: 'wasm' });
    const heap = (await wasmRuntime()).heap;
    const dead = await f(T.zeros([3, 5]));
    const read = await f(T.zeros([7]));
    expect(read.data()[0]).toBe(1); // read before its release: the host copy stays
    const before = heap.bytesInUse;
    T.releaseDevice({ dead, read });
    // 60 and 28 bytes, each rounded up to 16
    expect(before - heap.bytesInUse).toBe(64 + 32);
    T.releaseDevice([dead, read, dead]);
    expect(before - heap.bytesInUse).toBe(64 + 32);
    expect(() => dead.data()).toThrow(/wasm device array f32\[3,5\] was used after release\(\)/);
    expect(String(dead)).toBe('Tensor<f32>[3,5] (released from device memory before its values were read)');
    expect(String(read)).toBe('Tensor<f32>[7] [1, 1, 1, 1, 1, 1, 1]');
    await expect(f(dead)).rejects.toThrow(/f32\[3,5\] was used after release\(\)/);
    await expect(f(read)).rejects.toThrow(/f32\[7\] was used after release\(\)/);
    expect(Array.from(read.data())).toEqual(new Array(7).fill(1));
  });

  it('a released value\'s finaliser does not free its region again (a child process with --expose-gc)', async () => {
    // x's region is released and handed out again (to y); x is then collected. Were its
    // finaliser still registered, it would free y's region (y's values would be overwritten by
    // the next output and the heap's count would drop) or throw on a region no longer live.
    const entry = `
      import * as T from './src/index';
      import { wasmRuntime } from './src/backend';
      const f = T.jit((v) => T.add(v, 1), { backend: 'wasm' });
      const heap = (await wasmRuntime()).heap;
      let x = await f(T.zeros([1024]));
      T.releaseDevice(x);
      const y = await f(T.ones([1024]));
      const held = heap.bytesInUse;
      x = undefined;
      for (let i = 0; i < 3; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 10)); }
      const after = heap.bytesInUse;
      const z = await f(T.full([1024], 5));
      console.log(JSON.stringify({ held, after, y: Array.from(y.data()).every((v) => v === 2), z: z.data()[0] }));
      process.exit(0);
    `;
    const { held, after, y, z } = await runWithGc<{ held: number; after: number; y: boolean; z: number }>(entry, 60_000);
    expect(after).toBe(held);
    expect(y).toBe(true);
    expect(z).toBe(6);
  }, 90_000);
});
