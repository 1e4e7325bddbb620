/**
 * The backend setting: which backend jit compiles for. `setBackend('auto')` (the default)
 * picks by a documented rule: webgpu when an adapter that is not a software rasteriser
 * answers, else (in a browser) webgl2 on a GPU that is not a software rasteriser, else wasm
 * (the project's WebAssembly backend: SIMD, worker threads, one shared memory), else gpu.js's
 * webasm, else cpu. It says which it chose through `currentBackend()`. Only the backends a
 * choice needs are probed, and on Linux under Node WebGPU only when a GPU device file exists.
 * A named backend that is unavailable is an error naming the reason. The initial setting is
 * SSMJIT_BACKEND (Node), else 'auto'.
 */
import { platform } from '#platform';
import { type BackendName, type BackendStatus, type GpuJsBackend, detectBackends, isBackendName, probeBackend } from '../kernels/backends';
import { envVar } from '../kernels/platform/env';
import { KernelRuntime } from '../kernels/runtime';
import type { WasmRuntime } from '../kernels/wasm/runtime';

let setting: BackendName | 'auto' | undefined;
/** The setting before any setBackend: SSMJIT_BACKEND when it names a backend, else 'auto'. */
function initialSetting(): BackendName | 'auto' {
  const fromEnv = envVar('SSMJIT_BACKEND');
  if (fromEnv === undefined || fromEnv === '' || fromEnv === 'auto') return 'auto';
  if (!isBackendName(fromEnv)) throw new Error(`SSMJIT_BACKEND: unknown backend '${fromEnv}'`);
  return fromEnv;
}
let chosen: BackendName | undefined;
const runtimes = new Map<GpuJsBackend, Promise<KernelRuntime>>();
let wasm: Promise<WasmRuntime> | undefined;

export function setBackend(name: BackendName | 'auto'): void {
  setting = name;
  chosen = undefined;
}

/** Every backend's status (detectBackends probes once per process). */
export const availableBackends = (): Promise<BackendStatus[]> => detectBackends();

export function currentBackend(): BackendName | undefined {
  return chosen;
}

const isSoftwareAdapter = (s: BackendStatus): boolean => /llvmpipe|lavapipe|swiftshader|software|basic render/i.test(s.reason);

/**
 * The auto rule: a hardware webgpu adapter, else (browser) hardware webgl2, else wasm (the
 * project's CPU backend), else webasm, else cpu. Under Node on Linux WebGPU is probed only when
 * a GPU device file exists (the only adapter otherwise is a software rasteriser, which the rule
 * would not pick, and starting Dawn prints warnings on every command).
 */
export async function autoBackend(): Promise<BackendName> {
  if (platform.mayHaveHardwareGPU()) {
    const webgpu = await probeBackend('webgpu');
    if (webgpu.available && !isSoftwareAdapter(webgpu)) return 'webgpu';
  }
  if (platform.kind === 'browser') {
    const webgl2 = await probeBackend('webgl2');
    if (webgl2.available && !isSoftwareAdapter(webgl2)) return 'webgl2';
  }
  if ((await probeBackend('wasm')).available) return 'wasm';
  return (await probeBackend('webasm')).available ? 'webasm' : 'cpu';
}

export async function resolveBackend(explicit?: BackendName): Promise<BackendName> {
  const want = explicit ?? (setting ??= initialSetting());
  if (want === 'auto') return (chosen ??= await autoBackend());
  const status = await probeBackend(want);
  if (!status.available) throw new Error(`backend '${want}' is not available: ${status.reason}`);
  if (!explicit) chosen = want;
  return want;
}

/** The process's wasm runtime (shared memory and worker threads), started on first use. */
export function wasmRuntime(): Promise<WasmRuntime> {
  if (!wasm) {
    wasm = import('../kernels/wasm/runtime').then((m) => m.WasmRuntime.create());
    wasm.catch(() => (wasm = undefined));
  }
  return wasm;
}

export function backendRuntime(name: GpuJsBackend): Promise<KernelRuntime> {
  let r = runtimes.get(name);
  if (!r) {
    r = KernelRuntime.create(name);
    runtimes.set(name, r);
  }
  return r;
}

/**
 * Destroys the cached gpu.js runtime of `name` (its compiled kernels and its gpu.js instance);
 * the next jit on that backend starts a fresh one (in a browser, this gives back at once the
 * WebAssembly memories that gpu.js's webasm kernels hold, at most 64 of them; see docs/browser.md).
 */
export async function releaseBackendRuntime(name: GpuJsBackend): Promise<void> {
  const r = runtimes.get(name);
  if (!r) return;
  runtimes.delete(name);
  await (await r).destroy();
}
