/**
 * Running kernel-IR kernels in tests: on the evaluator (every kernel split into a few random
 * unit ranges, so a template whose units are not independent fails) or, once available, on the
 * WebAssembly backend. Buffers are given with their data; the results are the buffers after
 * all kernels ran.
 */
import { evaluateKernel } from '../../kernels/ir/evaluate';
import type { BufferDecl, FmaMode, KFunction, Kernel } from '../../kernels/ir/types';

export interface TestBuffer extends BufferDecl {
  readonly data: Float32Array | Int32Array;
}

/** A deterministic generator for chunk boundaries. */
function splits(units: number, seed: number): number[] {
  const cuts = new Set<number>([0, units]);
  let s = seed;
  for (let i = 0; i < 3; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    cuts.add(s % (units + 1));
  }
  return [...cuts].sort((a, b) => a - b);
}

/** Runs `kernels` in order on copies of the buffers with the evaluator (`fma` rounding as given); returns the buffers. */
export function runOnEvaluator(
  buffers: readonly TestBuffer[],
  kernels: readonly Kernel[],
  functions: ReadonlyMap<string, KFunction> = new Map(),
  seed = 1,
  fma: FmaMode = 'separate',
): Map<string, Float32Array | Int32Array> {
  const mem = new Map<string, Float32Array | Int32Array>(buffers.map((b) => [b.id, b.data.slice()]));
  kernels.forEach((k, i) => {
    const cuts = splits(k.units, seed + i);
    for (let c = 0; c + 1 < cuts.length; c++) evaluateKernel(k, mem, functions, cuts[c], cuts[c + 1], fma);
  });
  return mem;
}

let runtime: Promise<import('../../kernels/wasm/runtime').WasmRuntime> | undefined;

/** The process's wasm runtime for tests (created once). */
export async function wasmRuntime(): Promise<import('../../kernels/wasm/runtime').WasmRuntime> {
  if (!runtime) runtime = import('../../kernels/wasm/runtime').then((m) => m.WasmRuntime.create());
  return runtime;
}

/**
 * Runs `kernels` in order on the WebAssembly backend (rendered, compiled and split across the
 * pool's threads like a jitted program); returns copies of all buffers afterwards. `fma`
 * renders as relaxed SIMD's multiply-add where the engine has it, unless `relaxedSimd` is false.
 */
export async function runOnWasm(
  buffers: readonly TestBuffer[],
  kernels: readonly Kernel[],
  functions: ReadonlyMap<string, KFunction> = new Map(),
  opts: { readonly relaxedSimd?: boolean } = {},
): Promise<Map<string, Float32Array | Int32Array>> {
  const rt = await wasmRuntime();
  const decls = buffers.map((b) => ({ id: b.id, size: b.size, storage: b.storage, kind: b.kind === 'temp' ? ('temp' as const) : ('input' as const) }));
  const program = await rt.load({ name: 'test', buffers: decls, kernels }, functions, new Set(buffers.map((b) => b.id)), opts);
  try {
    for (const b of buffers) program.write(b.id, b.data);
    program.run();
    return new Map(buffers.map((b) => [b.id, program.view(b.id).slice()]));
  } finally {
    program.release();
  }
}

/**
 * A template context for tests and benchmarks of one template: scratch buffers are recorded in
 * `scratch` (declare them beside the inputs), constants in `constants`.
 */
export function recordingContext(name: string, threads: number, fusedMultiplyAdd = false): { ctx: import('../../kernels/cpu/template').TemplateContext; scratch: BufferDecl[]; constants: TestBuffer[] } {
  const scratch: BufferDecl[] = [];
  const constants: TestBuffer[] = [];
  const ctx = {
    name,
    threads,
    fusedMultiplyAdd,
    scratch: (size: number, storage: BufferDecl['storage']) => {
      const id = `scratch${scratch.length}`;
      scratch.push({ id, size, storage, kind: 'temp' });
      return id;
    },
    constant: (data: Float32Array | Int32Array) => {
      const id = `const${constants.length}`;
      constants.push({ id, size: data.length, storage: data instanceof Int32Array ? 'i32' : 'f32', kind: 'constant', data });
      return id;
    },
  };
  return { ctx, scratch, constants };
}
