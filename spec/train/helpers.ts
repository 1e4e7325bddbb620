/**
 * Small fixtures for the training specs: a learnable toy classification task (the sign of a
 * noisy level decides the class), a tiny S5 model config and run config, with L <= 32.
 */
import type { Dataset } from '../../src/data/dataset';
import { seededRandom } from '../../src/data/rng';
import { modelConfig } from '../../src/models/config';
import type { RunConfig } from '../../src/train/config';
import type { TaskData } from '../../src/train/tasks';

/** n sequences of length L with 1 channel: x_t = ±0.5 + 0.3·noise, the class is the sign. */
export function toyDataset(name: string, n: number, L: number, seed: number): Dataset {
  const random = seededRandom(seed);
  const data = new Float32Array(n * L);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = random.next() < 0.5 ? 0 : 1;
    for (let t = 0; t < L; t++) data[i * L + t] = (labels[i] === 1 ? 0.5 : -0.5) + 0.3 * (random.next() - 0.5);
  }
  return { name, size: n, seqLen: L, inputs: { kind: 'float', data, channels: 1 }, targets: { kind: 'classes', labels, numClasses: 2 } };
}

export function toyTask(L = 8, nTrain = 24, nVal = 8, nTest = 8): TaskData {
  return { train: toyDataset('toy/train', nTrain, L, 1), val: toyDataset('toy/val', nVal, L, 2), test: toyDataset('toy/test', nTest, L, 3) };
}

export function tinyRunConfig(overrides: Partial<RunConfig['optim']> = {}, execution: RunConfig['execution'] = 'eager'): RunConfig {
  return {
    task: { name: 'csv', channels: 1, valFraction: 0.1, seqLen: 2 },
    model: modelConfig({ ssm: { kind: 's5', P: 4, blocks: 1 }, dInput: 1, head: { kind: 'classification', nClasses: 2 }, nLayers: 1, dModel: 4 }),
    optim: {
      lr: 0.01, ssmLr: 0.005, weightDecay: 0.01, optConfig: 'standard', dtGlobal: false, epochs: 2, batchSize: 8,
      warmupEpochs: 1, decay: 'cosine', lrMin: 0, clipNorm: 0, s5Quirks: false, ...overrides,
    },
    seed: 7,
    execution,
  };
}
