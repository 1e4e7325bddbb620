/**
 * The backend setting: which backend jit compiles for. `setBackend('auto')` (the default)
 * picks by a documented rule: webgpu when an adapter that is not a software rasteriser
 * answers, else wasm (the project's WebAssembly backend: SIMD, worker threads, one shared
 * memory), else gpu.js's webasm, else cpu. It says which
 * it chose through `currentBackend()`. Only the backends a choice needs are probed, and on Linux
 * WebGPU only when a GPU device file exists. A named backend that is unavailable is an error
 * naming the reason.
 */
import { existsSync, readdirSync } from 'node:fs';
import { type BackendName, type BackendStatus, type GpuJsBackend, detectBackends, probeBackend } from '../kernels/backends';
import { KernelRuntime } from '../kernels/runtime';
import type { WasmRuntime } from '../kernels/wasm/runtime';

let setting: BackendName | 'auto' = (process.env.SSMJIT_BACKEND as BackendName | 'auto' | undefined) ?? 'auto';
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

/**
 * False when this Linux machine has no GPU device file (no DRM render node, no NVIDIA device,
 * no WSL GPU): the only WebGPU adapter there is a software rasteriser, which the auto rule
 * would not pick, so it is not probed (starting Dawn prints warnings on every command).
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

const isSoftwareAdapter = (s: BackendStatus): boolean => /llvmpipe|lavapipe|swiftshader|software/i.test(s.reason);

/** The auto rule: a hardware webgpu adapter, else wasm (the project's CPU backend), else webasm, else cpu. */
export async function autoBackend(): Promise<BackendName> {
  if (mayHaveHardwareGPU()) {
    const webgpu = await probeBackend('webgpu');
    if (webgpu.available && !isSoftwareAdapter(webgpu)) return 'webgpu';
  }
  if ((await probeBackend('wasm')).available) return 'wasm';
  return (await probeBackend('webasm')).available ? 'webasm' : 'cpu';
}

export async function resolveBackend(explicit?: BackendName): Promise<BackendName> {
  const want = explicit ?? setting;
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
