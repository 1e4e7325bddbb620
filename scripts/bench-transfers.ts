/**
 * Host<->device traffic and kernel launches of one training step of the default sMNIST run
 * (`ssmjit train --task smnist`: its preset, S5, batch 16, sequence 784) on every backend that
 * keeps values in device memory (wasm's shared memory; webgpu and headlessgl), counted by the
 * runtimes themselves (compiler/jit/cpu/deviceArray.ts `transfers` on wasm,
 * `KernelRuntime.transfers` on gpu.js): the step as the training loop runs it (its outputs
 * kept on the device: only the batch and the learning rates go in, the loss and the
 * correct-count come out, and each replaced state is released), and, on gpu.js, the step
 * compiled without device outputs (every argument uploaded and every output read each call).
 *
 * Part of `npm run bench` (scripts/bench.ts; BENCH_TRANSFERS=0 leaves it out, BENCH_BACKENDS
 * chooses the backends, and headlessgl needs a display: `xvfb-run -a npm run bench`).
 */
import { isLeft } from 'fp-ts/lib/Either.js';
import * as T from '../src/index';
import { backendRuntime } from '../src/backend';
import type { BackendName, GpuJsBackend } from '../kernels/backends';
import { describeBackend } from '../kernels/capabilities';
import { transfers as wasmTransfers } from '../compiler/jit/cpu/deviceArray';
import { parseFlags } from '../src/cli/argv';
import { TRAIN_TABLE, explicitFlags, freshFlags, withPreset } from '../src/cli/commands/trainFlags';
import { runConfigOf, taskSettingsOf } from '../src/cli/commands/train';
import { loadTask } from '../src/train/tasks';
import { setupRun } from '../src/train/setup';
import { batches } from '../src/data/batching';
import { batchTensors } from '../src/train/batchTensors';
import { ratesOf } from '../src/train/optimizer';
import { type TrainCarry, stepBatch, trainStepFunction } from '../src/train/step';

/** Whether `backend` keeps jit outputs in device memory (wasm always; gpu.js with deviceOutputs). */
export const hasDeviceMemory = (backend: BackendName): boolean => backend === 'wasm' || describeBackend(backend).residency === 'device';

interface Counts {
  toDevice: number;
  toHost: number;
  kernels: number;
  /** Kernels compiled (gpu.js; wasm compiles whole programs at the first call). */
  compiled: number;
}

async function counter(backend: BackendName): Promise<() => Counts> {
  if (backend === 'wasm') return () => ({ ...wasmTransfers, compiled: 0 });
  const rt = await backendRuntime(backend as GpuJsBackend);
  return () => ({ ...rt.transfers, compiled: rt.kernelCounts.compiled });
}

const bytes = (floats: number): string => `${(floats * 4).toLocaleString('en-US')} B`;

/**
 * One line per backend and mode: bytes to the device and to the host, kernel launches and
 * milliseconds per step, the mean over `steps` steps after two unmeasured ones (the first
 * compiles and uploads the parameters; on gpu.js the second compiles the kernels again for
 * device-resident arguments, gpu.js specialising a kernel by argument kind).
 */
export async function benchTransfers(backends: readonly BackendName[], steps = 3): Promise<string[]> {
  const args = ['--task', 'smnist'];
  const parsed = parseFlags(args, TRAIN_TABLE);
  if (isLeft(parsed)) throw parsed.left;
  const flags = withPreset(freshFlags(parsed.right), explicitFlags(args, TRAIN_TABLE));
  const data = loadTask(taskSettingsOf(flags), flags.seed);
  const config = runConfigOf(flags, data);
  const setup = setupRun(config);
  const batchList = [...batches(data.train, { batchSize: config.optim.batchSize, dropLast: true })].slice(0, steps + 2);
  const fn = trainStepFunction(setup.model, setup.optimizer, { clipNorm: config.optim.clipNorm });
  const lines = [`Host<->device traffic per default sMNIST training step (ssmjit train --task smnist: S5, batch ${config.optim.batchSize}, sequence ${data.train.seqLen}; 4 bytes a float)`];
  for (const backend of backends) {
    if (!hasDeviceMemory(backend)) continue;
    const count = await counter(backend);
    // wasm outputs are always on the device; gpu.js ones with deviceOutputs
    for (const deviceOutputs of backend === 'wasm' || process.env.BENCH_TRANSFERS !== 'all' ? [true] : [true, false]) {
      const step = T.jit(fn, { backend, deviceOutputs });
      let carry: TrainCarry = setup.initial;
      const run = async (i: number) => {
        const result = await step(carry, stepBatch(batchTensors(batchList[i])), ratesOf(config.optim.lr, config.optim.ssmLr));
        await T.deviceGet([result.loss, result.correct]);
        T.releaseDevice([result.loss, result.correct, result.gradNorm]);
        if (carry !== setup.initial) T.releaseDevice(carry);
        carry = result.carry;
      };
      try {
        await run(0);
        await run(1);
        const before = count();
        const t0 = performance.now();
        for (let i = 2; i < steps + 2; i++) await run(i);
        const ms = (performance.now() - t0) / steps;
        const after = count();
        const per = (k: keyof Counts) => (after[k] - before[k]) / steps;
        const mode = (deviceOutputs ? 'outputs kept on the device (the training loop)' : 'outputs read back each call').padEnd(47);
        lines.push(`  ${backend.padEnd(10)} ${mode}: ${bytes(per('toDevice')).padStart(12)} in, ${bytes(per('toHost')).padStart(12)} out, ${per('kernels')} kernel launches, ${ms.toFixed(0)} ms per step` +
          (after.compiled > before.compiled ? ` (${after.compiled - before.compiled} kernels compiled meanwhile)` : ''));
        if (backend !== 'wasm' && deviceOutputs) {
          // what the same step moves without device outputs, from its lowered program (not run)
          const plain = await T.jit(fn, { backend }).lower(setup.initial, stepBatch(batchTensors(batchList[0])), ratesOf(0, 0));
          if (plain.transfers) lines.push(`  ${backend.padEnd(10)} ${'without device outputs (lowered, not run)'.padEnd(47)}: ${bytes(plain.transfers.in).padStart(12)} in, ${bytes(plain.transfers.out).padStart(12)} out, ${plain.kernels.length} kernels`);
        }
      } catch (e) {
        lines.push(`  ${backend.padEnd(10)} failed: ${(e as Error).message.split('\n')[0]}`);
      } finally {
        if (carry !== setup.initial) T.releaseDevice(carry);
      }
    }
  }
  return lines;
}
