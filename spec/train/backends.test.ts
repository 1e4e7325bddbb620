/**
 * The compiled training step on every available backend against the interpreter: a small
 * model of the smnist preset's kind (bidirectional S5 with BatchNorm, two layers, AdamW with the
 * SSM group) takes several optimizer steps jitted and eagerly from the same start; the loss of
 * every step and the parameters at the end must agree. A backend whose update goes wrong on a
 * later step (an argument mix-up between cached kernels, a stale buffer) shows up here as a
 * loss that leaves the interpreter's path, which single-call kernel specs cannot see.
 */
import { expect, it } from 'vitest';
import { setBackend } from '../../src/backend';
import * as T from '../../src/index';
import { modelConfig } from '../../src/models/config';
import { fit, freshSnapshot } from '../../src/train/loop';
import { setupRun } from '../../src/train/setup';
import type { RunConfig } from '../../src/train/config';
import { describeEachBackend } from '../jit/backends';
import { toyTask } from './helpers';

const STEPS = 6;

function presetLikeConfig(execution: RunConfig['execution']): RunConfig {
  return {
    task: { name: 'csv', channels: 1, valFraction: 0.1, seqLen: 16 },
    model: modelConfig({
      ssm: { kind: 's5', P: 4, blocks: 1, bidirectional: true },
      dInput: 1,
      head: { kind: 'classification', nClasses: 2 },
      nLayers: 2,
      dModel: 4,
    }),
    optim: {
      lr: 0.015, ssmLr: 0.006, weightDecay: 0.01, optConfig: 'standard', dtGlobal: false, epochs: 2, batchSize: 8,
      warmupEpochs: 0, decay: 'cosine', lrMin: 0, clipNorm: 0, s5Quirks: false,
    },
    seed: 11,
    execution,
  };
}

async function losses(execution: RunConfig['execution']): Promise<{ losses: number[]; params: T.Tensor[] }> {
  const config = presetLikeConfig(execution);
  const setup = setupRun(config);
  const seen: number[] = [];
  const result = await fit(config, setup, toyTask(16, 24, 8, 8), freshSnapshot(config, setup), {
    progress: false,
    onStep: (s) => seen.push(s.loss),
  });
  expect(seen).toHaveLength(STEPS);
  return { losses: seen, params: T.tree.flatten(result.snapshot.carry.params)[0] as T.Tensor[] };
}

const reference = losses('eager');

describeEachBackend('jitted training steps', (backend) => {
  it(`follow the interpreter's losses and parameters for ${STEPS} steps`, async () => {
    const eager = await reference;
    setBackend(backend);
    const jitted = await losses('jit').finally(() => setBackend('auto'));
    jitted.losses.forEach((loss, i) => {
      expect(Number.isFinite(loss), `step ${i + 1} loss ${loss}`).toBe(true);
      expect(Math.abs(loss - eager.losses[i]), `step ${i + 1}: jit ${loss}, interpreter ${eager.losses[i]}`).toBeLessThan(2e-3 * Math.max(1, Math.abs(eager.losses[i])));
    });
    jitted.params.forEach((leaf, i) => {
      const a = leaf.data64();
      const e = eager.params[i].data64();
      const scale = Math.max(1, ...Array.from(e, Math.abs));
      for (let j = 0; j < e.length; j++) {
        expect(Math.abs(a[j] - e[j]), `parameter leaf ${i} element ${j}: jit ${a[j]}, interpreter ${e[j]}`).toBeLessThan(2e-3 * scale);
      }
    });
  });
});
