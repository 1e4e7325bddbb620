/**
 * The Node side of the platform seam (see types.ts): Dawn's `navigator.gpu` from npm `webgpu`,
 * headless-gl loaded with `createRequire`, the `/dev/dri` probe, worker threads from
 * `node:worker_threads`, `process.on('exit')`, stderr, and V8's flag for wasm relaxed SIMD.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism as osParallelism, cpus } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { MessageChannel, Worker } from 'node:worker_threads';
import type { GLContextFactory, Platform, PoolThread, PoolThreadOptions } from './types';

const requireFromHere = createRequire(import.meta.url);
let webgpuInstall: Promise<string | null> | null = null;

/** Installs Dawn's `navigator.gpu` (and the GPU* constant globals such as GPUBufferUsage). */
function installWebGPU(): Promise<string | null> {
  if (webgpuInstall) return webgpuInstall;
  webgpuInstall = (async () => {
    const g = globalThis as { navigator?: { gpu?: unknown } };
    if (g.navigator?.gpu) return null;
    let dawn: { create(flags: string[]): unknown; globals: object };
    try {
      dawn = (await import('webgpu')) as unknown as typeof dawn;
    } catch (e) {
      return `npm package 'webgpu' could not be loaded: ${(e as Error).message}`;
    }
    Object.assign(globalThis, dawn.globals);
    const gpu = dawn.create([]);
    if (g.navigator) {
      Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
    } else {
      Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    }
    return null;
  })();
  return webgpuInstall;
}

function uninstallWebGPU(): void {
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (webgpuInstall && g.navigator && 'gpu' in g.navigator) delete g.navigator.gpu;
  webgpuInstall = null;
}

/**
 * False when this Linux machine has no GPU device file (no DRM render node, no NVIDIA device,
 * no WSL GPU): the only WebGPU adapter there is a software rasteriser.
 */
function mayHaveHardwareGPU(): boolean {
  if (process.platform !== 'linux') return true;
  if (existsSync('/dev/nvidia0') || existsSync('/dev/dxg')) return true;
  try {
    return readdirSync('/dev/dri').some((name) => name.startsWith('renderD'));
  } catch {
    return false;
  }
}

function loadHeadlessGL(): GLContextFactory | { readonly unavailable: string } {
  try {
    return requireFromHere('gl') as GLContextFactory;
  } catch (e) {
    const first = (e as Error).message.split('\n')[0];
    return {
      unavailable:
        `npm package 'gl' is not installed or its native addon is not built (${first}); ` +
        'install the system packages (.ci/install-gpu-backends.sh) then `npm rebuild gl`',
    };
  }
}

/** A worker thread running `code` (CommonJS, evaluated from the string), with a MessagePort for modules. */
function startPoolThread({ code, name, init, onDeath }: PoolThreadOptions): Promise<PoolThread> {
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(code, { eval: true, name, workerData: { ...init, port: port2 }, transferList: [port2] });
  port1.unref();
  return new Promise<void>((resolve, reject) => {
    const onMessage = () => done(resolve);
    const onError = (e: Error) => done(() => reject(e));
    const onExit = (c: number) => done(() => reject(new Error(`worker thread ${name} exited during start-up (code ${c})`)));
    const done = (then: () => void) => {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      then();
    };
    worker.once('message', onMessage).once('error', onError).once('exit', onExit);
  }).then(
    () => {
      worker.on('error', (e) => onDeath(`failed: ${String(e)}`, -1));
      worker.on('exit', (c) => onDeath(`exited (code ${c})`, c));
      worker.unref();
      return {
        send: (message: unknown) => port1.postMessage(message),
        terminate: async () => {
          const code = await worker.terminate();
          port1.close();
          return code;
        },
      };
    },
    async (e) => {
      await worker.terminate();
      port1.close();
      throw e;
    },
  );
}

/**
 * The wasm pool's worker thread program (CommonJS, evaluated from the string) around the pool's
 * job loop. A dying thread (process.exit, or an error escaping the loop) reports itself in the
 * exit hook, which Node runs on that thread.
 */
const poolWorkerProgram = (jobLoop: string): string => `'use strict';
const { workerData, receiveMessageOnPort, parentPort } = require('node:worker_threads');
const { control, index: k, port, memory, slots } = workerData;
const ASYNC_LOAD = false;
function takeModule() {
  const m = receiveMessageOnPort(port);
  if (m === undefined) throw new Error('worker ' + k + ': no module message for load');
  return m.message;
}
const exitThread = (code) => process.exit(code);
${jobLoop}
process.on('exit', died);
markAlive();
parentPort.postMessage('ready');
loop();
`;

export const platform: Platform = {
  kind: 'node',
  mayHaveHardwareGPU,
  installWebGPU,
  uninstallWebGPU,
  loadHeadlessGL,
  display: () => process.env.DISPLAY,
  availableParallelism: () => (typeof osParallelism === 'function' ? osParallelism() : cpus().length),
  poolWorkerProgram,
  startPoolThread,
  onExit: (fn) => void process.on('exit', fn),
  writeDiagnostic: (text) => void process.stderr.write(text),
  liveWasmMemories: Infinity,
  allowWasmRelaxedSimd: () => setFlagsFromString('--experimental-wasm-relaxed-simd'),
  noSharedMemory: 'no shared WebAssembly memory here',
};
