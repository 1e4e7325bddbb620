/**
 * The backend setting: which gpu.js backend jit compiles for. `setBackend('auto')` (the
 * default) picks by a documented rule: webgpu when an adapter that is not a software
 * rasteriser answers, else webasm (WebAssembly with SIMD and threads), else cpu. It says which
 * it chose through `currentBackend()`. A named backend that is unavailable is an error naming
 * the reason.
 */
import { type BackendName, type BackendStatus, detectBackends } from '../kernels/backends';
import { KernelRuntime } from '../kernels/runtime';

let setting: BackendName | 'auto' = (process.env.SSMJIT_BACKEND as BackendName | 'auto' | undefined) ?? 'auto';
let chosen: BackendName | undefined;
let detected: Promise<BackendStatus[]> | undefined;
const runtimes = new Map<BackendName, Promise<KernelRuntime>>();

export function setBackend(name: BackendName | 'auto'): void {
  setting = name;
  chosen = undefined;
}

export const availableBackends = (): Promise<BackendStatus[]> => (detected ??= detectBackends());

export function currentBackend(): BackendName | undefined {
  return chosen;
}

/** The auto rule: a hardware webgpu adapter, else webasm, else cpu. */
export async function autoBackend(): Promise<BackendName> {
  const status = await availableBackends();
  const ok = (n: BackendName) => status.find((s) => s.name === n)?.available;
  const software = (s?: BackendStatus) => /llvmpipe|lavapipe|swiftshader|software/i.test(JSON.stringify(s ?? {}));
  if (ok('webgpu') && !software(status.find((s) => s.name === 'webgpu'))) return 'webgpu';
  return ok('webasm') ? 'webasm' : 'cpu';
}

export async function resolveBackend(explicit?: BackendName): Promise<BackendName> {
  const want = explicit ?? setting;
  if (want === 'auto') return (chosen ??= await autoBackend());
  const status = (await availableBackends()).find((s) => s.name === want);
  if (!status?.available) throw new Error(`backend '${want}' is not available: ${JSON.stringify(status ?? 'unknown backend')}`);
  if (!explicit) chosen = want;
  return want;
}

export function backendRuntime(name: BackendName): Promise<KernelRuntime> {
  let r = runtimes.get(name);
  if (!r) {
    r = KernelRuntime.create(name);
    runtimes.set(name, r);
  }
  return r;
}
