/**
 * `fitModel` (the `ssmjit train --model ./file.ts` path) on the gpu.js backends with device
 * memory, over examples/lru.ts on a toy classification task: its jitted step keeps parameters,
 * model state and optimizer state on the device, so per step only the batch (inputs, labels,
 * weights) goes in and the loss and the accuracy come out, and the device tensors alive stay
 * the same from step to step (each replaced state and each step's scalars are released); the
 * parameters equal those of the same run in eager execution (the interpreter, float32-rounded
 * per step) within tolerance, and the checkpoint `last` holds exactly the returned parameters.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import * as T from '../../src/index';
import { backendRuntime, setBackend } from '../../src/backend';
import { describeBackend } from '../../kernels/capabilities';
import type { GpuJsBackend } from '../../kernels/backends';
import { loadCheckpoint } from '../../src/io/checkpoint';
import { restoreTree } from '../../src/train/checkpointing';
import { loadModelFile } from '../../src/usermodel/load';
import { type UserTrainOptions, initUserModel, modelInfo, trainUserModel } from '../../src/usermodel/run';
import { describeEachBackend } from '../jit/backends';
import { toyTask } from '../train/helpers';

const B = 8;
const L = 16;

describeEachBackend('fitModel with device outputs', (backend) => {
  it.skipIf(describeBackend(backend).residency !== 'device')('examples/lru.ts: per step the batch goes in and the loss and accuracy come out; the parameters equal an eager run\'s; the checkpoint holds them', async () => {
    const loaded = await loadModelFile('examples/lru.ts');
    const data = toyTask(L, 4 * B, B, B);
    const dir = mkdtempSync(join(tmpdir(), 'ssmjit-resident-fitmodel-'));
    const rt = await backendRuntime(backend as GpuJsBackend);
    const marks: { toDevice: number; toHost: number; runs: number; live: number }[] = [];
    const options = (execution: 'jit' | 'eager'): UserTrainOptions => ({
      batchSize: B, epochs: 1, lr: 0.005, weightDecay: 0.01, clipNorm: 1, decay: 'constant', warmupEpochs: 0, lrMin: 0, seed: 3,
      execution, config: {}, logEvery: 1, progress: false,
    });
    setBackend(backend);
    try {
      // shouldStop is asked before every step: the counters between two asks are one step's
      const jitted = await trainUserModel(loaded, data, {
        ...options('jit'), dir, shouldStop: () => (marks.push({ ...rt.transfers, live: rt.live.tensors }), false),
      });
      expect(jitted.step).toBe(4);
      expect(marks).toHaveLength(4);
      // inputs f32[8, 16, 1], labels i32[8] and weights f32[8] in; loss and accuracy out
      const batchFloats = B * L + B + B;
      for (let i = 2; i < marks.length; i++) {
        expect(marks[i].toDevice - marks[i - 1].toDevice, `floats in at step ${i}`).toBe(batchFloats);
        expect(marks[i].toHost - marks[i - 1].toHost, `floats out at step ${i}`).toBe(2);
        expect(marks[i].runs - marks[i - 1].runs, `plan runs at step ${i}`).toBe(1);
        expect(marks[i].live, `device tensors alive before step ${i + 1}`).toBe(marks[i - 1].live);
      }

      const eager = await trainUserModel(loaded, data, options('eager'));
      const [got] = T.tree.flatten(jitted.params) as [T.Tensor[], unknown];
      const [want] = T.tree.flatten(eager.params) as [T.Tensor[], unknown];
      const [start] = T.tree.flatten(initUserModel(loaded, modelInfo(data.train), 3).params) as [T.Tensor[], unknown];
      expect(got.length).toBe(want.length);
      let moved = 0;
      got.forEach((leaf, i) => {
        const g = leaf.data64();
        const w = want[i].data64();
        const s = start[i].data64();
        for (let j = 0; j < w.length; j++) {
          expect(Math.abs(g[j] - w[j]), `parameter leaf ${i}[${j}]: ${g[j]} vs eager ${w[j]}`).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(w[j])));
          moved = Math.max(moved, Math.abs(w[j] - s[j]));
        }
      });
      // the tolerance is well below how far training moved the parameters
      expect(moved).toBeGreaterThan(1e-2);

      const restored = T.tree.flatten(restoreTree(loadCheckpoint(dir, 'last').tensors, 'params', jitted.params, 'last'))[0] as T.Tensor[];
      expect(restored.length).toBe(got.length);
      restored.forEach((leaf, i) => expect(Array.from(leaf.data64()), `checkpointed parameter leaf ${i}`).toEqual(Array.from(got[i].data64())));
    } finally {
      setBackend('auto');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
