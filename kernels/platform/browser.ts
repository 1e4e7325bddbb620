/**
 * The browser side of the platform seam (see types.ts): the page's own `navigator.gpu`, no
 * headless-gl (the page's WebGL serves the `webgl2` and `webgl` backends instead), Web Workers
 * started from a Blob URL, `navigator.hardwareConcurrency`, and the console for diagnostics.
 * Imports nothing from Node.
 */
import type { Platform, PoolThread, PoolThreadOptions } from './types';

interface BrowserGlobals {
  navigator?: { gpu?: unknown; hardwareConcurrency?: number };
  crossOriginIsolated?: boolean;
  isSecureContext?: boolean;
  Worker?: new (url: string, options?: { name?: string }) => BrowserWorker;
  Blob?: new (parts: string[], options?: { type?: string }) => object;
  URL: { createObjectURL(blob: object): string; revokeObjectURL(url: string): void };
}

interface BrowserWorker {
  postMessage(message: unknown): void;
  terminate(): void;
  addEventListener(type: 'message' | 'error', fn: (e: { data?: unknown; message?: string }) => void): void;
  removeEventListener(type: 'message' | 'error', fn: (e: { data?: unknown; message?: string }) => void): void;
}

const g = globalThis as unknown as BrowserGlobals;

async function installWebGPU(): Promise<string | null> {
  if (g.navigator?.gpu) return null;
  if (g.isSecureContext === false) {
    return 'this page is not a secure context (WebGPU needs https:// or http://localhost)';
  }
  return 'this browser has no WebGPU (navigator.gpu is undefined; in Chromium on Linux start it with --enable-unsafe-webgpu)';
}

/** A Web Worker running `code` (a classic script); the init message carries the shared memory. */
function startPoolThread({ code, name, init, onDeath }: PoolThreadOptions): Promise<PoolThread> {
  if (!g.Worker || !g.Blob) return Promise.reject(new Error('this page has no Web Workers'));
  const url = g.URL.createObjectURL(new g.Blob([code], { type: 'text/javascript' }));
  const worker = new g.Worker(url, { name });
  g.URL.revokeObjectURL(url);
  return new Promise<PoolThread>((resolve, reject) => {
    const onMessage = (e: { data?: unknown }) => {
      if (e.data !== 'ready') return;
      worker.removeEventListener('message', onMessage);
      worker.removeEventListener('error', onStartError);
      worker.addEventListener('error', (err) => onDeath(`failed: ${err.message ?? 'error'}`, -1));
      resolve({
        send: (message: unknown) => worker.postMessage(message),
        terminate: async () => worker.terminate(),
      });
    };
    const onStartError = (e: { message?: string }) => {
      worker.terminate();
      reject(new Error(`Web Worker ${name} failed during start-up: ${e.message ?? 'error'}`));
    };
    worker.addEventListener('message', onMessage);
    worker.addEventListener('error', onStartError);
    worker.postMessage({ init });
  });
}

/**
 * The wasm pool's Web Worker program (a classic script from a Blob URL) around the pool's job
 * loop. The first message carries the control block and the shared memory; later messages are
 * modules to load (the job loop returns to the event loop for them). A Web Worker has no exit
 * hook, so an error escaping the loop is caught here and reported as the thread's death.
 */
const poolWorkerProgram = (jobLoop: string): string => `'use strict';
let start;
self.onmessage = (event) => {
  if (event.data && event.data.init) start(event.data.init);
};
start = ({ control, index: k, memory, slots }) => {
  const ASYNC_LOAD = true;
  const takeModule = () => { throw new Error('worker ' + k + ': modules arrive as messages'); };
  let exiting = false;
  const exitThread = (code) => { exiting = true; died(code); self.close(); };
  ${jobLoop}
  const run = () => {
    try {
      loop();
    } catch (e) {
      report(e);
      died(1);
      self.close();
    }
  };
  self.onmessage = (event) => {
    if (exiting) return;
    try {
      loadModule(event.data);
    } catch (e) {
      report(e);
    }
    acknowledge();
    run();
  };
  markAlive();
  self.postMessage('ready');
  run();
};
`;

export const platform: Platform = {
  kind: 'browser',
  mayHaveHardwareGPU: () => true,
  installWebGPU,
  uninstallWebGPU: () => {},
  loadHeadlessGL: () => ({
    unavailable: "headless-gl is the Node backend; in a browser the page's WebGL serves the 'webgl2' and 'webgl' backends",
  }),
  display: () => undefined,
  availableParallelism: () => g.navigator?.hardwareConcurrency ?? 1,
  poolWorkerProgram,
  startPoolThread,
  onExit: () => {},
  writeDiagnostic: (text) => console.info(text),
  // Chromium 156 failed allocating the ~100th live memory of a page (a training step of gpu.js
  // webasm kernels); 64 leaves room for the page's other memories (the wasm backend's own).
  liveWasmMemories: 64,
  allowWasmRelaxedSimd: () => undefined,
  noSharedMemory:
    g.crossOriginIsolated === false
      ? 'the page is not cross-origin isolated, so there is no SharedArrayBuffer (serve it with the headers ' +
        'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)'
      : 'this browser has no shared WebAssembly memory',
};
