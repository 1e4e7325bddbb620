/**
 * Trains a small S5 on sequential MNIST (784 x 1 pixel sequences from the `mnist` package)
 * through the library API rather than the `ssmjit` command: build the run config, load the
 * task, initialise the model and optimizer, and run the loop with metrics, plot and checkpoints
 * in runs/example-smnist/. Prints the test accuracy at the best validation epoch.
 *
 *   npx esbuild examples/train_smnist.ts --bundle --platform=node --format=esm \
 *     --external:gpu.js --external:gl --external:webgpu --outfile=dist/examples/train_smnist.mjs
 *   node dist/examples/train_smnist.mjs [max-steps] [--no-jit]
 *
 * The same run from the command line: `ssmjit train --task smnist --model s5` (its preset is
 * the configuration below).
 */
import { rmSync } from 'node:fs';
import { modelConfig } from '../src/models/config';
import { paramCount } from '../src/models/seqModel';
import type { RunConfig } from '../src/train/config';
import { fit, freshSnapshot } from '../src/train/loop';
import { setupRun } from '../src/train/setup';
import { dataShape, loadTask } from '../src/train/tasks';

const args = process.argv.slice(2);
const maxSteps = args.find((a) => /^\d+$/.test(a));
const execution: RunConfig['execution'] = args.includes('--no-jit') ? 'eager' : 'jit';

const task: RunConfig['task'] = { name: 'smnist', channels: 1, valFraction: 0.1, seqLen: 2 };
const data = loadTask(task, 1919);
const config: RunConfig = {
  task,
  model: modelConfig({ ...dataShape(data.train), ssm: { kind: 's5', P: 16, blocks: 1, bidirectional: true }, nLayers: 1, dModel: 16 }),
  optim: {
    lr: 0.015,
    ssmLr: 0.006,
    weightDecay: 0.01,
    optConfig: 'standard',
    dtGlobal: false,
    epochs: 4,
    batchSize: 16,
    warmupEpochs: 0,
    decay: 'cosine',
    lrMin: 0,
    clipNorm: 0,
    s5Quirks: false,
    ...(maxSteps !== undefined ? { maxSteps: Number(maxSteps) } : {}),
  },
  seed: 1919,
  execution,
};

const setup = setupRun(config);
console.log(`S5 with ${paramCount(setup.initial.params)} parameters; ${data.train.size} / ${data.val.size} / ${data.test?.size} examples of length ${data.train.seqLen}`);
const dir = 'runs/example-smnist';
rmSync(dir, { recursive: true, force: true });
const result = await fit(config, setup, data, freshSnapshot(config, setup), { dir, logEvery: 10 });
const { history } = result.snapshot;
if (result.reason === 'diverged') console.log(result.message);
if (history.testAtBest?.accuracy !== undefined) {
  console.log(`test accuracy ${(100 * history.testAtBest.accuracy).toFixed(2)}% at epoch ${history.bestEpoch} (validation ${(100 * (history.bestValAccuracy ?? 0)).toFixed(2)}%)`);
}
console.log(`${result.snapshot.step} steps, ${result.secondsPerStep?.toFixed(3)} s/step; metrics, plot and checkpoints in ${dir}/`);
process.exit(0);
