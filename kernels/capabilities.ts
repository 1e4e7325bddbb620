/**
 * What each backend can do, as data: the code generators and runtimes read these fields
 * instead of switching on backend names. One row per backend.
 */
import type { BackendName } from './backends';

export interface BackendDescriptor {
  /** Which lowering and runtime serve it: the kernel IR and WebAssembly, or gpu.js source. */
  readonly codegen: 'kernel-ir' | 'gpujs';
  /** Buffers one kernel may read (WebGPU: 8 storage buffers per stage, one is the output;
   * WebGL: 16 texture units, past which headless-gl returned zeros without an error). */
  readonly maxReads: number;
  /** Reads at computed coordinates are clamped into range (GLSL texture reads are safe as is
   * and reject Math.min/max in index expressions). */
  readonly clampReads: boolean;
  /** The gpu.js matmul kernel's measured strategy (compiler/jit/gpuMatmul.ts): B copied to [..., N, K] first (CPU caches),
   * and independent partial sums in the inner loop. */
  readonly matmul: { readonly packB: boolean; readonly unroll: number };
  /** Where kernel inputs and intermediates live: device handles (GPU memory), host arrays
   * (gpu.js's CPU backends copy per launch), or one shared WebAssembly memory. */
  readonly residency: 'device' | 'host' | 'shared-memory';
  /** A value kept on the device can be read back synchronously (WebGL's readPixels, the wasm
   * memory); WebGPU maps buffers only asynchronously, so its device values are read with an await. */
  readonly syncReads: boolean;
  /** i32 values are exact 32-bit integers in memory (else float32: exact to 2^24). */
  readonly exactIntegers: boolean;
  /** Every compiled kernel owns a WebAssembly memory (gpu.js webasm), so the number kept
   * compiled at once is bounded by the host's `liveWasmMemories`. */
  readonly memoryPerKernel: boolean;
}

export const BACKEND_DESCRIPTORS: { readonly [B in BackendName]: BackendDescriptor } = {
  wasm: { codegen: 'kernel-ir', maxReads: Infinity, clampReads: true, matmul: { packB: true, unroll: 4 }, residency: 'shared-memory', syncReads: true, exactIntegers: true, memoryPerKernel: false },
  cpu: { codegen: 'gpujs', maxReads: Infinity, clampReads: true, matmul: { packB: true, unroll: 4 }, residency: 'host', syncReads: true, exactIntegers: false, memoryPerKernel: false },
  webasm: { codegen: 'gpujs', maxReads: Infinity, clampReads: true, matmul: { packB: true, unroll: 4 }, residency: 'host', syncReads: true, exactIntegers: false, memoryPerKernel: true },
  webgpu: { codegen: 'gpujs', maxReads: 7, clampReads: true, matmul: { packB: false, unroll: 4 }, residency: 'device', syncReads: false, exactIntegers: false, memoryPerKernel: false },
  headlessgl: { codegen: 'gpujs', maxReads: 16, clampReads: false, matmul: { packB: false, unroll: 4 }, residency: 'device', syncReads: true, exactIntegers: false, memoryPerKernel: false },
  // The browser's WebGL runs the same GLSL path as headless-gl; the read limits are the texture
  // units every implementation guarantees a fragment shader: 16 in WebGL2, 8 in WebGL 1.
  webgl2: { codegen: 'gpujs', maxReads: 16, clampReads: false, matmul: { packB: false, unroll: 4 }, residency: 'device', syncReads: true, exactIntegers: false, memoryPerKernel: false },
  webgl: { codegen: 'gpujs', maxReads: 8, clampReads: false, matmul: { packB: false, unroll: 4 }, residency: 'device', syncReads: true, exactIntegers: false, memoryPerKernel: false },
};

export const describeBackend = (b: BackendName): BackendDescriptor => BACKEND_DESCRIPTORS[b];
