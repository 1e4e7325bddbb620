/**
 * gpu.js backend management: which backends exist in this process, why the
 * others do not, and how to create a `GPU` instance bound to one of them.
 *
 *  - `cpu`        plain JavaScript; always available.
 *  - `webasm`     WebAssembly with f32x4 SIMD; worker threads engage for
 *                 kernels run under the async contract (every kernel here is).
 *  - `webgpu`     WGSL compute shaders: in a browser through the page's
 *                 `navigator.gpu`; under Node through Dawn (npm `webgpu`), which
 *                 supplies `navigator.gpu` once installed on `globalThis`.
 *                 Without a GPU this needs Mesa's lavapipe Vulkan driver
 *                 (Mesa >= 24; see .ci/install-gpu-backends.sh).
 *  - `headlessgl` GLSL through headless-gl (npm `gl`, a native addon; Node only).
 *                 It needs an X display at run time (`xvfb-run -a`).
 *  - `webgl2`, `webgl` GLSL through the page's WebGL2 / WebGL 1 (browser only).
 *
 * What differs between Node and a browser comes from `#platform` (kernels/platform).
 *
 * Environment:
 *  - SSMJIT_BACKENDS=cpu,webasm         restrict to these backends.
 *  - SSMJIT_REQUIRE_BACKENDS=webgpu,... make unavailability a hard error.
 */
import { platform } from '#platform';
import { GPU, WebAssemblyKernel } from 'gpu.js';
import * as gpujs from 'gpu.js';
import { BACKEND_DESCRIPTORS } from './capabilities';
import { envVar } from './platform/env';

/** The gpu.js backends (kernel IR rendered by kernels/gpujs/render.ts, run by kernels/runtime.ts). */
export type GpuJsBackend = 'cpu' | 'webasm' | 'webgpu' | 'headlessgl' | 'webgl2' | 'webgl';
/** Every backend: gpu.js's, and `wasm`, the project's own CPU backend (kernels/wasm). */
export type BackendName = 'wasm' | GpuJsBackend;

export const ALL_BACKENDS: readonly BackendName[] = ['wasm', 'cpu', 'webasm', 'webgpu', 'headlessgl', 'webgl2', 'webgl'];
export const GPUJS_BACKENDS: readonly GpuJsBackend[] = ['cpu', 'webasm', 'webgpu', 'headlessgl', 'webgl2', 'webgl'];
/** Backends whose kernels are gpu.js source (the others lower to the kernel IR). */
export const isGpuJsBackend = (b: BackendName): b is GpuJsBackend => BACKEND_DESCRIPTORS[b].codegen === 'gpujs';

export interface BackendStatus {
  readonly name: BackendName;
  readonly available: boolean;
  /** Why the backend is unavailable, or what it runs on when it is. */
  readonly reason: string;
}

/** gpu.js exports the shared WebGPU device holder; its typings omit it. */
interface WebGPUContextHolder {
  destroy(): Promise<void>;
}

export function isBackendName(value: string): value is BackendName {
  return (ALL_BACKENDS as readonly string[]).includes(value);
}

/** Parses a comma-separated backend list from an environment variable. */
export function parseBackendList(variable: string, value: string | undefined): BackendName[] | null {
  if (value === undefined || value.trim() === '') return null;
  const names = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const name of names) {
    if (!isBackendName(name)) {
      throw new Error(`${variable}: unknown backend '${name}' (known: ${ALL_BACKENDS.join(', ')})`);
    }
  }
  return names as BackendName[];
}

// ---------------------------------------------------------------- webgpu

/**
 * Makes `navigator.gpu` available: Dawn's (npm `webgpu`) under Node, the page's own in a
 * browser. Resolves to null on success, or the reason it is not available.
 */
export const installWebGPU = (): Promise<string | null> => platform.installWebGPU();

const inBrowser = platform.kind === 'browser';

async function probeWebGPU(): Promise<BackendStatus> {
  const failure = await installWebGPU();
  if (failure) return { name: 'webgpu', available: false, reason: failure };
  const nav = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator;
  let adapter: { info?: { vendor?: string; architecture?: string; description?: string } } | null;
  try {
    adapter = (await nav!.gpu!.requestAdapter()) as typeof adapter;
  } catch (e) {
    return { name: 'webgpu', available: false, reason: `requestAdapter failed: ${(e as Error).message}` };
  }
  if (!adapter) {
    return {
      name: 'webgpu',
      available: false,
      reason: inBrowser
        ? 'navigator.gpu found no adapter (this browser offers WebGPU but no GPU it accepts; in Chromium ' +
          'without a GPU start it with --enable-unsafe-swiftshader)'
        : 'navigator.gpu found no adapter (no Vulkan driver Dawn accepts; ' +
          'without a GPU install Mesa >= 24 lavapipe: .ci/install-gpu-backends.sh)',
    };
  }
  if (!(await GPU.isWebGPUAvailable())) {
    return { name: 'webgpu', available: false, reason: 'gpu.js could not acquire a WebGPU device' };
  }
  const info = adapter.info;
  const label = [info?.vendor, info?.architecture, info?.description].filter((s) => s).join(' ');
  return { name: 'webgpu', available: true, reason: `${inBrowser ? 'browser WebGPU adapter' : 'Dawn adapter'} ${label || '(unnamed)'}` };
}

// ------------------------------------------------------- webgl2, webgl

/** The renderer a fresh WebGL context of this page reports (WEBGL_debug_renderer_info when exposed). */
function webglRenderer(kind: 'webgl2' | 'webgl'): string | null {
  const doc = (globalThis as { document?: { createElement(tag: string): { getContext(k: string): unknown } } }).document;
  const off = (globalThis as { OffscreenCanvas?: new (w: number, h: number) => { getContext(k: string): unknown } }).OffscreenCanvas;
  const canvas = doc ? doc.createElement('canvas') : off ? new off(1, 1) : undefined;
  const gl = canvas?.getContext(kind) as
    | { getExtension(n: string): { UNMASKED_RENDERER_WEBGL: number } | null; getParameter(p: number): unknown; RENDERER: number }
    | null
    | undefined;
  if (!gl) return null;
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  return String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
}

function probeWebGL(name: 'webgl2' | 'webgl'): BackendStatus {
  const api = name === 'webgl2' ? 'WebGL2' : 'WebGL';
  if (!inBrowser) {
    return {
      name,
      available: false,
      reason: `${api} is the browser's; under Node the GLSL path runs on 'headlessgl'`,
    };
  }
  const supported = name === 'webgl2' ? GPU.isWebGL2Supported : GPU.isWebGLSupported;
  const renderer = webglRenderer(name);
  if (!supported || renderer === null) {
    return { name, available: false, reason: `this browser gave no ${api} context (disabled, or no GPU process)` };
  }
  if (!GPU.isSinglePrecisionSupported) {
    return { name, available: false, reason: `${api} here lacks float textures (single precision)` };
  }
  return { name, available: true, reason: `${api} on ${renderer}` };
}

// ------------------------------------------------------------ headlessgl

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Creates (and destroys) a 1x1 headless-gl context, retrying a few times:
 * under load a fresh Xvfb occasionally refuses the first connection.
 */
async function tryGLContext(createContext: (w: number, h: number) => unknown): Promise<unknown> {
  const attempts = platform.display() ? 4 : 1;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const context = createContext(1, 1);
    if (context) return context;
    if (attempt < attempts) await sleep(250 * attempt);
  }
  return null;
}

async function probeHeadlessGL(): Promise<BackendStatus> {
  const createContext = platform.loadHeadlessGL();
  if (typeof createContext !== 'function') return { name: 'headlessgl', available: false, reason: createContext.unavailable };
  let context: unknown = null;
  try {
    context = await tryGLContext(createContext);
  } catch (e) {
    return { name: 'headlessgl', available: false, reason: `gl context creation threw: ${(e as Error).message}` };
  }
  if (!context) {
    const display = platform.display();
    return {
      name: 'headlessgl',
      available: false,
      reason: display
        ? `headless-gl could not create a context on DISPLAY=${display} (4 attempts)`
        : 'headless-gl needs an X display (DISPLAY is unset); run under `xvfb-run -a`',
    };
  }
  const ctx = context as { getExtension(name: string): { destroy?(): void } | null };
  ctx.getExtension('STACKGL_destroy_context')?.destroy?.();
  if (!GPU.isHeadlessGLSupported) {
    return { name: 'headlessgl', available: false, reason: 'gpu.js rejected the headless-gl context' };
  }
  if (!GPU.isSinglePrecisionSupported) {
    return { name: 'headlessgl', available: false, reason: 'headless-gl lacks float textures (OES_texture_float)' };
  }
  return { name: 'headlessgl', available: true, reason: `headless-gl on DISPLAY=${platform.display()}` };
}

// --------------------------------------------------------------- webasm

function probeWebAssembly(): BackendStatus {
  if (!WebAssemblyKernel.isSupported) {
    return { name: 'webasm', available: false, reason: 'WebAssembly is not supported by this runtime' };
  }
  const k = WebAssemblyKernel as unknown as { isSIMDSupported: boolean; isThreadsSupported: boolean };
  const simd = k.isSIMDSupported ? 'SIMD' : 'no SIMD';
  const threads = k.isThreadsSupported ? 'threads' : 'no threads';
  return { name: 'webasm', available: true, reason: `WebAssembly (${simd}, ${threads})` };
}

// ----------------------------------------------------------------- wasm

async function probeWasm(): Promise<BackendStatus> {
  const { wasmFeatures } = await import('./wasm/features');
  if (!wasmFeatures.simd) return { name: 'wasm', available: false, reason: 'this engine has no WebAssembly SIMD' };
  const threads = wasmFeatures.threads ? 'threads over a shared memory' : `one thread (${platform.noSharedMemory})`;
  return { name: 'wasm', available: true, reason: `WebAssembly SIMD, ${threads}${wasmFeatures.relaxedSimd ? ', relaxed SIMD' : ''}` };
}

// -------------------------------------------------------------- detection

async function probe(name: BackendName): Promise<BackendStatus> {
  switch (name) {
    case 'wasm':
      return probeWasm();
    case 'cpu':
      return { name, available: true, reason: 'plain JavaScript' };
    case 'webasm':
      return probeWebAssembly();
    case 'webgpu':
      return probeWebGPU();
    case 'headlessgl':
      return probeHeadlessGL();
    case 'webgl2':
    case 'webgl':
      return probeWebGL(name);
    default:
      return { name, available: false, reason: `unknown backend '${String(name)}' (known: ${ALL_BACKENDS.join(', ')})` };
  }
}

const probes = new Map<BackendName, Promise<BackendStatus>>();

/**
 * One backend's status, probed once per process (cached); a backend excluded by
 * SSMJIT_BACKENDS is reported unavailable with that reason. Probing webgpu starts Dawn, which
 * prints its limit warnings on software adapters, so callers that need one backend ask for it
 * alone.
 */
export function probeBackend(name: BackendName): Promise<BackendStatus> {
  let status = probes.get(name);
  if (!status) {
    const allowed = parseBackendList('SSMJIT_BACKENDS', envVar('SSMJIT_BACKENDS'));
    status = allowed && !allowed.includes(name)
      ? Promise.resolve({ name, available: false, reason: `excluded by SSMJIT_BACKENDS=${envVar('SSMJIT_BACKENDS')}` })
      : probe(name);
    probes.set(name, status);
  }
  return status;
}

let detection: Promise<BackendStatus[]> | null = null;

/**
 * Probes every backend once per process (cached). Backends excluded by
 * SSMJIT_BACKENDS are reported unavailable with that reason. Throws when a
 * backend named in SSMJIT_REQUIRE_BACKENDS is unavailable.
 */
export function detectBackends(): Promise<BackendStatus[]> {
  if (detection) return detection;
  detection = (async () => {
    const required = parseBackendList('SSMJIT_REQUIRE_BACKENDS', envVar('SSMJIT_REQUIRE_BACKENDS')) ?? [];
    const statuses: BackendStatus[] = [];
    for (const name of ALL_BACKENDS) statuses.push(await probeBackend(name));
    const missing = statuses.filter((s) => required.includes(s.name) && !s.available);
    if (missing.length > 0) {
      const lines = missing.map((s) => `  ${s.name}: ${s.reason}`).join('\n');
      throw new Error(`SSMJIT_REQUIRE_BACKENDS=${envVar('SSMJIT_REQUIRE_BACKENDS')}: unavailable backends\n${lines}`);
    }
    return statuses;
  })();
  detection.catch(() => { detection = null; });
  return detection;
}

/** Names of the backends usable in this process, in ALL_BACKENDS order. */
export async function availableBackends(): Promise<BackendName[]> {
  return (await detectBackends()).filter((s) => s.available).map((s) => s.name);
}

/** A gpu.js instance whose kernels all run on `backend`. */
export async function createGPU(backend: GpuJsBackend): Promise<GPU> {
  const status = await probeBackend(backend);
  if (!status.available) {
    throw new Error(`backend '${backend}' is unavailable: ${status.reason}`);
  }
  return new GPU({ mode: backend });
}

/**
 * Releases process-wide backend resources (the shared WebGPU device and
 * Dawn's `navigator.gpu`, which otherwise keeps Node from exiting).
 */
export async function releaseBackends(): Promise<void> {
  const holder = (gpujs as unknown as { WebGPUContext?: WebGPUContextHolder }).WebGPUContext;
  if (holder) await holder.destroy();
  platform.uninstallWebGPU();
  detection = null;
  probes.clear();
}
