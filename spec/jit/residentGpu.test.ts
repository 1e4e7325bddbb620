/**
 * Values that stay in a gpu.js backend's device memory between calls (webgpu storage buffers,
 * WebGL textures): with `deviceOutputs` a jitted function's outputs are device tensors; passed
 * back in, they are bound to the kernels as they are (the runtime's transfer counters see only
 * the batch go in and the loss come out); read, they equal the interpreter's values; passed to
 * another backend, they are read back first; released or dropped, their memory is given back.
 * The training loop keeps its parameters and optimizer state there: per step only the batch,
 * the two learning rates and the loss and correct-count cross.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { backendRuntime, setBackend } from '../../src/backend';
import { describeBackend } from '../../kernels/capabilities';
import { type GpuJsBackend, probeBackend } from '../../kernels/backends';
import { modelConfig } from '../../src/models/config';
import { fit, freshSnapshot } from '../../src/train/loop';
import { setupRun } from '../../src/train/setup';
import type { RunConfig } from '../../src/train/config';
import { evaluate, compileEvalStep } from '../../src/train/evaluate';
import { restoreTree, snapshotOf } from '../../src/train/snapshot';
import { openCheckpoint } from '../../src/train/checkpointing';
import { loadCheckpoint } from '../../src/io/checkpoint';
import { describeEachBackend } from './backends';
import { arg, randomArgs } from './inputs';
import { toyTask } from '../train/helpers';
import { runWithGc } from '../support/gcChild';

const F = (x: Tensor): Tensor<'f32'> => x as Tensor<'f32'>;
const wasmAvailable = (await probeBackend('wasm')).available;

const close = (got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void => {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    expect(Math.abs(got[i] - want[i]), `${what}[${i}]: got ${got[i]}, want ${want[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(want[i])));
  }
};

function runConfig(): RunConfig {
  return {
    task: { name: 'csv', channels: 1, valFraction: 0.1, seqLen: 16 },
    model: modelConfig({ ssm: { kind: 's5', P: 4, blocks: 1 }, dInput: 1, head: { kind: 'classification', nClasses: 2 }, nLayers: 1, dModel: 4 }),
    optim: {
      lr: 0.01, ssmLr: 0.005, weightDecay: 0.01, optConfig: 'standard', dtGlobal: false, epochs: 1, batchSize: 8,
      warmupEpochs: 0, decay: 'cosine', lrMin: 0, clipNorm: 0, s5Quirks: false,
    },
    seed: 5,
    execution: 'jit',
  };
}

describeEachBackend('resident values on gpu.js backends', (backend) => {
  const onDevice = describeBackend(backend).residency === 'device';
  const runtime = () => backendRuntime(backend as GpuJsBackend);

  it.skipIf(!onDevice)('a jitted step keeps its parameters on the device: only the batch goes in, only the loss comes out', async () => {
    const [w0, x, y] = randomArgs(5, [arg([8, 4]), arg([16, 8]), arg([16, 4])]) as Tensor<'f32'>[];
    const loss = (w: Tensor<'f32'>, xb: Tensor<'f32'>, yb: Tensor<'f32'>) => T.mean(T.square(T.sub(T.matmul(xb, w), yb)));
    const step = (w: Tensor<'f32'>, xb: Tensor<'f32'>, yb: Tensor<'f32'>) => {
      const [l, g] = T.valueAndGrad(loss)(w, xb, yb) as [Tensor<'f32'>, Tensor<'f32'>];
      return [T.sub(w, T.mul(g, 0.1)), l] as const;
    };
    const jitted = T.jit(step, { backend, deviceOutputs: true });
    await jitted(w0, x, y); // compile, and upload the constants once
    const rt = await runtime();
    const before = { ...rt.transfers };
    let w: Tensor<'f32'> = w0;
    let wRef: Tensor<'f32'> = w0;
    const losses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const [next, l] = await jitted(w, x, y);
      expect(next.impl.kind).toBe('device');
      w = next;
      losses.push((await l.fetch()).data[0]);
      wRef = step(wRef, x, y)[0];
    }
    // Per step: x and y (128 + 64 floats) in, and w (32 floats) on the first step only; the
    // loss (1 float) out.
    expect(rt.transfers.toDevice - before.toDevice).toBe(32 + 20 * (128 + 64));
    expect(rt.transfers.toHost - before.toHost).toBe(20);
    expect(rt.transfers.runs - before.runs).toBe(20);
    // every kernel of the lowered program, once per call
    expect(rt.transfers.kernels - before.kernels).toBe(20 * (await jitted.lower(w0, x, y)).kernels.length);
    close((await w.fetch()).data, wRef.data64(), 1e-4, 'w after 20 steps');
    expect(rt.transfers.toHost - before.toHost).toBe(20 + 32);
    expect(losses[19]).toBeLessThan(losses[0]);
    const lowered = await jitted.lower(w0, x, y);
    expect(lowered.transfers).toEqual({ in: 32 + 128 + 64, out: 32 + 1 });
  });

  it.skipIf(!onDevice)('an argument the device never reads (a PRNG key used for host random bits, or nothing) is not copied there', async () => {
    const [x] = randomArgs(12, [arg([6])]);
    const f = (v: Tensor, key: Tensor, unused: Tensor) => T.add(F(v), T.random.uniform(key as T.random.Key, [6]));
    const jitted = T.jit(f, { backend, deviceOutputs: true });
    const key = T.random.key(4);
    const unused = T.zeros([100]);
    await jitted(x, key, unused);
    const rt = await runtime();
    const before = rt.transfers.toDevice;
    const out = await jitted(x, key, unused);
    // x and the 6 random floats drawn on the host; neither the key nor the 100 unused floats
    expect(rt.transfers.toDevice - before).toBe(6 + 6);
    expect((await jitted.lower(x, key, unused)).transfers?.in).toBe(6 + 6);
    close((await out.fetch()).data, f(x, key, unused).data64(), 1e-6, 'x + uniform(key)');
  });

  it.skipIf(!onDevice)('device outputs of every kind fed back in give the interpreter\'s values', async () => {
    const [a, c, k] = randomArgs(8, [arg([3, 5]), arg([4], 'c64', 'small'), arg([5], 'i32', { index: 4 })]);
    const f = (x: Tensor, z: Tensor, i: Tensor) => ({
      y: T.tanh(T.add(F(x), 0.5)),
      same: x, // an output that is an argument
      t: T.transpose(F(x)), // a strided view of an argument
      z: T.mul(z as Tensor<'c64'>, z as Tensor<'c64'>) as Tensor,
      i: T.add(i as Tensor<'i32'>, T.scalar(1, 'i32')) as Tensor,
      s: T.sum(F(x)),
      lit: T.scalar(3),
    });
    const jitted = T.jit(f, { backend, deviceOutputs: true });
    let got = await jitted(a, c, k);
    let want = f(a, c, k);
    for (let round = 0; round < 3; round++) {
      for (const name of ['y', 'same', 't', 'z', 'i', 's', 'lit'] as const) {
        expect(got[name].shape, name).toEqual(want[name].shape);
        expect(got[name].dtype, name).toBe(want[name].dtype);
        close((await got[name].fetch()).data, want[name].data64(), 1e-5, `round ${round} ${name}`);
      }
      expect(got.y.impl.kind).toBe('device');
      expect(got.lit.impl.kind).toBe('concrete');
      const next = await jitted(got.y, got.z, got.i);
      want = f(want.y, want.z, want.i);
      got = next;
    }
  });

  it.skipIf(!onDevice || !wasmAvailable)('a device value passed to a function compiled for another backend is read back first', async () => {
    const [x] = randomArgs(6, [arg([5, 3])]);
    const onGpu = await T.jit((v: Tensor) => T.exp(F(v)), { backend, deviceOutputs: true })(x);
    const rt = await runtime();
    const read = rt.transfers.toHost;
    const onWasm = await T.jit((v: Tensor) => T.mul(F(v), 2), { backend: 'wasm' })(onGpu);
    expect(rt.transfers.toHost - read).toBe(15);
    const want = T.mul(T.exp(F(x)), 2).data64();
    close(onWasm.data64(), want, 1e-5, 'exp on the device, then x2 on wasm');
    // and back again: a wasm device array handed to the gpu.js backend is uploaded
    const back = await T.jit((v: Tensor) => T.sub(F(v), 1), { backend, deviceOutputs: true })(onWasm);
    close((await back.fetch()).data, want.map((v) => v - 1), 1e-5, 'then -1 on the device');
  });

  it.skipIf(!onDevice)('webgpu values are read with an await; a synchronous read says so', async () => {
    const [x] = randomArgs(9, [arg([4])]);
    const out = await T.jit((v: Tensor) => T.neg(F(v)), { backend, deviceOutputs: true })(x);
    if (describeBackend(backend).syncReads) {
      close(out.data64(), x.data64().map((v) => -v), 0, 'a synchronous read');
    } else {
      expect(() => out.value()).toThrow(/lives in webgpu device memory.*await tensor\.fetch\(\)/);
      expect(String(out)).toBe('Tensor<f32>[4] (in device memory: await tensor.fetch() to read its values)');
      await T.deviceGet({ out });
      close(out.data64(), x.data64().map((v) => -v), 0, 'a read after deviceGet');
    }
  });

  it.skipIf(!onDevice)('released values give their device memory back; a released value is not used again', async () => {
    const rt = await runtime();
    const f = T.jit((v: Tensor) => T.add(F(v), 1), { backend, deviceOutputs: true });
    let x: Tensor = T.zeros([1000]);
    x = await f(x);
    const live = rt.live.tensors;
    for (let i = 0; i < 30; i++) {
      const next = await f(x);
      T.releaseDevice(x);
      x = next;
    }
    expect(rt.live.tensors).toBe(live);
    expect((await x.fetch()).data[7]).toBe(31);
    const dead = await f(x);
    T.releaseDevice(dead);
    await expect(f(dead)).rejects.toThrow(new RegExp(`a ${backend} device tensor of \\[1000\\] floats was used after release\\(\\)`));
  });

  it.skipIf(!onDevice)('dropped device values are freed when garbage collected (a child process with --expose-gc)', async () => {
    const entry = `
      import * as T from './src/index';
      import { backendRuntime } from './src/backend';
      const f = T.jit((x) => T.add(x, 1), { backend: '${backend}', deviceOutputs: true });
      let x = T.zeros([1 << 16]);
      const rt = await backendRuntime('${backend}');
      let peak = 0;
      for (let i = 0; i < 100; i++) {
        x = await f(x);
        if (i % 10 === 0) { globalThis.gc(); await new Promise((r) => setTimeout(r, 0)); }
        peak = Math.max(peak, rt.live.tensors);
      }
      globalThis.gc();
      await new Promise((r) => setTimeout(r, 0));
      const value = (await x.fetch()).data[123];
      console.log(JSON.stringify({ value, peak, end: rt.live.tensors }));
      process.exit(0);
    `;
    const { value, peak, end } = await runWithGc<{ value: number; peak: number; end: number }>(entry, 120_000);
    expect(value).toBe(100);
    // 100 outputs were made; without the finalizers they would all stay live.
    expect(peak).toBeLessThan(30);
    expect(end).toBeLessThan(8);
  }, 150_000);

  it.skipIf(!onDevice)('the training loop moves only the batch, the rates, the loss and the correct-count per step; checkpoints and evaluation read the parameters', async () => {
    const config = runConfig();
    const setup = setupRun(config);
    const data = toyTask(16, 32, 8, 8);
    const rt = await runtime();
    const marks: { toDevice: number; toHost: number; live: number }[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'ssmjit-resident-fit-'));
    setBackend(backend);
    try {
      const result = await fit(config, setup, data, freshSnapshot(config, setup), {
        dir, progress: false, plotTitle: false, onStep: () => marks.push({ ...rt.transfers, live: rt.live.tensors }),
      });
      expect(marks).toHaveLength(4);
      const { batchSize } = config.optim;
      // inputs [8, 16, 1], labels [8] (i32 as float), weights [8], lr and ssmLr
      const batchFloats = batchSize * 16 + batchSize + batchSize + 2;
      for (let i = 1; i < marks.length; i++) {
        expect(marks[i].toDevice - marks[i - 1].toDevice, `floats in at step ${i + 1}`).toBe(batchFloats);
        expect(marks[i].toHost - marks[i - 1].toHost, `floats out at step ${i + 1}`).toBe(2);
        // each step's state replaces the previous one on the device instead of piling up (the
        // count is the runtime's, so values of earlier tests may be collected meanwhile: never more)
        expect(marks[i].live, `device tensors alive after step ${i + 1}`).toBeLessThanOrEqual(marks[i - 1].live);
      }
      // The checkpoint holds what the run returned, and an eager run from the same start agrees.
      const restored = T.tree.flatten(restoreTree(loadCheckpoint(dir, 'last').tensors, 'params', setup.initial.params, 'last'))[0] as Tensor[];
      const params = T.tree.flatten(result.snapshot.carry.params)[0] as Tensor[];
      const eagerConfig = { ...config, execution: 'eager' as const };
      const eagerSetup = setupRun(eagerConfig);
      setBackend('auto');
      const eager = await fit(eagerConfig, eagerSetup, data, freshSnapshot(eagerConfig, eagerSetup), { progress: false, plotTitle: false });
      const eagerParams = T.tree.flatten(eager.snapshot.carry.params)[0] as Tensor[];
      expect(restored.length).toBe(params.length);
      params.forEach((leaf, i) => close(leaf.data64(), eagerParams[i].data64(), 2e-3, `parameter leaf ${i}`));
      restored.forEach((leaf, i) => close(leaf.data64(), params[i].data64(), 0, `checkpointed parameter leaf ${i}`));
      // Evaluation on the device with the run's (device-resident until read) parameters equals
      // the interpreter's evaluation of the eager run's parameters.
      setBackend(backend);
      const onDevice = await evaluate(compileEvalStep(setup.model, 'jit'), result.snapshot.carry.params, result.snapshot.carry.modelState, data.val, 8);
      const reference = await evaluate(compileEvalStep(eagerSetup.model, 'eager'), eager.snapshot.carry.params, eager.snapshot.carry.modelState, data.val, 8);
      expect(Math.abs(onDevice.loss - reference.loss)).toBeLessThan(2e-3);
      // A run stopped after 2 steps and resumed from its checkpoint ends where the uninterrupted
      // run did: the stopped run's parameters reached the checkpoint intact.
      const stopped = join(dir, 'stopped');
      const halfConfig = { ...config, optim: { ...config.optim, maxSteps: 2 } };
      await fit(halfConfig, setup, data, freshSnapshot(halfConfig, setup), { dir: stopped, progress: false, plotTitle: false });
      const resumed = await fit(config, setup, data, { ...snapshotOf(openCheckpoint(join(stopped, 'last')), setup.initial), config }, { progress: false, plotTitle: false });
      expect(resumed.snapshot.step).toBe(4);
      const resumedParams = T.tree.flatten(resumed.snapshot.carry.params)[0] as Tensor[];
      resumedParams.forEach((leaf, i) => close(leaf.data64(), params[i].data64(), 1e-6, `resumed parameter leaf ${i}`));
    } finally {
      setBackend('auto');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
