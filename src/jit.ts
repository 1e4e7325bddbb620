/**
 * jit: compiles a function over pytrees of tensors to fused gpu.js kernels. The function is
 * traced once per input signature (shapes, dtypes, tree structure, static arguments); the IR
 * goes through the pass pipeline (simplify, CSE, DCE), is scheduled for fusion and lowered to a
 * kernel plan, and the executable is cached. A call returns a Promise (GPU readback is
 * asynchronous). `lower(...)` exposes the optimised IR, the kernels and their sources, and the
 * buffer plan. grad(jit(f)) is jit(grad(f)); inside other transformations use `.fun`.
 *
 * Where outputs live: on wasm they are always device tensors in the shared memory. On the
 * gpu.js backends with device memory (webgpu, WebGL) they are read back to the host, packed
 * into one readback, unless `deviceOutputs` keeps each on the device. Device tensors passed to
 * a later call on the same backend are bound without a copy; passed elsewhere they are read
 * back first.
 */
import { Executable } from '../compiler/jit/executable';
import { ResidentValue } from '../compiler/jit/residentValue';
import { hasEmptyValues, lowerIR, type LoweredProgram } from '../compiler/jit/lower';
import { evalIR } from '../compiler/interpreter/index';
import type { IR } from '../compiler/ir';
import { printIR } from '../compiler/printer';
import { type PassTrace, runPasses } from '../compiler/passes/pipeline';
import { kernelSource } from '../kernels/plan';
import { type BackendName, isGpuJsBackend } from '../kernels/backends';
import { backendRuntime, resolveBackend, wasmRuntime } from './backend';
import { lowerToKernels, type CpuLowered } from '../compiler/jit/cpu/lower';
import { CpuExecutable } from '../compiler/jit/cpu/executable';
import { placeBuffers } from '../kernels/wasm/runtime';
import { describeBackend } from '../kernels/capabilities';
import { printKernel, printProgram } from '../kernels/ir/printer';
import { MATH_FUNCTIONS } from '../kernels/ir/math';
import type { Listing } from '../kernels/ir/types';
import { flatten, unflatten } from './pytree';
import { concreteTensor, deviceTensor, Tensor } from './tensor';
import { DeviceArray } from '../compiler/jit/cpu/deviceArray';
import type { NDArray } from '../compiler/ndarray';
import { avalOf, isArgLeaf, type ShapeSpec, traceTree } from './trace';

export interface JitOptions {
  /** Positional arguments that are static (part of the cache key, not traced). */
  readonly staticArgnums?: readonly number[];
  /** Backend to compile for; defaults to the global setting (setBackend). */
  readonly backend?: BackendName;
  /** Called with the IR text after every pass. */
  readonly dump?: (pass: string, text: string) => void;
  /**
   * Keep the outputs in the device memory of a gpu.js backend that has one (webgpu, headlessgl,
   * webgl2, webgl) as device tensors, read back only when their values are asked for; on webgpu
   * that read is asynchronous: `await tensor.fetch()` or `await T.deviceGet(tree)` first. The
   * wasm backend's outputs always stay in its shared memory; gpu.js's cpu and webasm backends
   * have no device memory, and there the option changes nothing.
   */
  readonly deviceOutputs?: boolean;
}

export interface KernelInfo {
  readonly name: string;
  /** A materialised fusion of elementwise/view equations, the output-packing kernel, or a template instance. */
  readonly kind: 'map' | 'pack' | 'template';
  /** The backend's source: gpu.js kernel function, or the kernel IR (wasm renders it to WebAssembly). */
  readonly source: string;
  readonly output: readonly number[];
  /** The kernel IR it was rendered from (the jit's kernels always have one; the optional type serves the template library's kernels). */
  readonly ir?: string;
  /** The program equations it computes, in `ir`'s variable names, each with the user's source line where known. */
  readonly computes: readonly string[];
  /** The template's own name for the kernel (`sum_out`, `matmul_packB`, `matmul_tiles`); absent for fused maps. */
  readonly template?: string;
}

export interface BufferInfo {
  readonly id: string;
  readonly kind: string;
  readonly floats: number;
  /** Index of the kernel writing it (-1 for inputs and constants) and of its last reader. */
  readonly defined: number;
  readonly lastUse: number;
}

export interface Lowered {
  readonly ir: IR;
  readonly passes: readonly PassTrace[];
  readonly kernels: readonly KernelInfo[];
  readonly buffers: readonly BufferInfo[];
  /** Peak floats held by intermediate buffers at once (inputs and constants excluded). */
  readonly peakIntermediateFloats: number;
  readonly program?: LoweredProgram;
  /** The kernel-IR program (the wasm backend). */
  readonly kernelProgram?: CpuLowered;
  /**
   * Host-to-device and device-to-host floats of one call whose arguments are all host values
   * and whose outputs are all read (wasm, and the gpu.js backends with device memory); a call
   * moves less where arguments are already resident or device outputs are not read. The
   * counters of what did move: `transfers` of compiler/jit/cpu/deviceArray.ts (wasm) and
   * `KernelRuntime.transfers` (gpu.js), printed under SSMJIT_PROFILE=1.
   */
  readonly transfers?: { readonly in: number; readonly out: number };
  readonly fallback?: string;
  toString(): string;
}

interface Compiled {
  readonly lowered: Lowered;
  readonly outDef: ReturnType<typeof traceTree>['outDef'];
  readonly run: (args: Tensor[]) => Promise<Tensor[]>;
}

export interface Jitted<A extends unknown[], R> {
  (...args: A): Promise<R>;
  lower(...args: { [K in keyof A]: unknown }): Promise<Lowered>;
  readonly fun: (...args: A) => R;
  /** The options it was compiled with (grad(jit(f, opts)) is jit(grad(f), opts)). */
  readonly options: JitOptions;
  readonly cacheSize: number;
}

export const isJitted = (f: unknown): f is Jitted<unknown[], unknown> => typeof f === 'function' && 'fun' in f && 'lower' in f;

function bufferPlan(program: LoweredProgram): { buffers: BufferInfo[]; peak: number } {
  const { plan } = program;
  const lastUse = new Map<string, number>();
  plan.steps.forEach((s, i) => s.args.forEach((a) => lastUse.set(a.id, i)));
  const fixed = [...plan.inputs, ...plan.constants.map((c) => c.buffer)].map((b) => ({
    id: b.id,
    kind: b.kind,
    floats: b.dims.reduce((x, y) => x * y, 1),
    defined: -1,
    lastUse: lastUse.get(b.id) ?? -1,
  }));
  const steps = plan.steps.map((s, i) => ({ id: s.result.id, kind: 'intermediate', floats: s.result.dims.reduce((x, y) => x * y, 1), defined: i, lastUse: lastUse.get(s.result.id) ?? plan.steps.length }));
  let peak = 0;
  for (let i = 0; i < plan.steps.length; i++) {
    const live = steps.filter((b) => b.defined <= i && b.lastUse >= i).reduce((s, b) => s + b.floats, 0);
    peak = Math.max(peak, live);
  }
  return { buffers: [...fixed, ...steps], peak };
}

/**
 * A kernel's description whose texts (source, kernel IR, equations with their source lines) are
 * made when first read: a compile does not pay for printing what nobody looks at.
 */
function kernelInfo(
  base: Pick<KernelInfo, 'name' | 'kind' | 'output' | 'template'>,
  texts: { readonly source: () => string; readonly ir?: () => string; readonly computes?: Listing },
): KernelInfo {
  const info = { ...base } as KernelInfo;
  const lazy = (key: string, make: () => unknown): void => {
    let value: unknown;
    let made = false;
    Object.defineProperty(info, key, {
      enumerable: true,
      get: () => {
        if (!made) {
          value = make();
          made = true;
        }
        return value;
      },
    });
  };
  lazy('source', texts.source);
  if (texts.ir) lazy('ir', texts.ir);
  lazy('computes', () => texts.computes?.() ?? []);
  return info;
}

/** A gpu.js kernel in `lower()` text: its kernel IR (every kernel the jit makes has one; spec/jit/kernelIr.test.ts). */
function showGpuJsKernel(k: KernelInfo): string {
  return k.ir ?? k.source;
}

function signatureKey(args: readonly unknown[], staticArgnums: readonly number[]): string {
  const dynamic = args.map((a, i) => (staticArgnums.includes(i) ? null : a));
  const [leaves, def] = flatten(dynamic, isArgLeaf);
  const avals = leaves.map((l) => avalOf(l as Tensor | ShapeSpec)).map((a) => `${a.dtype}[${a.shape.join(',')}]`);
  const statics = staticArgnums.map((i) => JSON.stringify(args[i]));
  return `${JSON.stringify(def)}|${avals.join(';')}|${statics.join(';')}`;
}

export function jit<A extends unknown[], R>(f: (...args: A) => R, opts: JitOptions = {}): Jitted<A, R> {
  if (typeof f !== 'function') throw new TypeError(`jit: argument f must be a function, got ${typeof f}`);
  const cache = new Map<string, Promise<Compiled>>();
  const staticArgnums = opts.staticArgnums ?? [];

  const compile = async (args: readonly unknown[]): Promise<Compiled> => {
    const withStatics = (...dyn: unknown[]) => f(...(args.map((a, i) => (staticArgnums.includes(i) ? a : dyn[i])) as A));
    const traced = traceTree(withStatics as never, args.map((a, i) => (staticArgnums.includes(i) ? null : a)));
    if (traced.consts.some((c) => c.isTracer)) throw new Error('jit: the function captured a traced value; call jit outside other transformations');
    const constVals = traced.consts.map((c) => c.value());
    const { ir, trace } = runPasses(traced.ir, { dump: opts.dump });
    const backend = await resolveBackend(opts.backend);
    if (hasEmptyValues(ir)) {
      const lowered: Lowered = {
        ir, passes: trace, kernels: [], buffers: [], peakIntermediateFloats: 0,
        fallback: 'a value has an empty shape; evaluated by the interpreter',
        toString: () => printIR(ir),
      };
      return { lowered, outDef: traced.outDef, run: async (xs) => evalIR(ir, constVals, await Promise.all(xs.map((x) => x.fetch()))).map((v) => concreteTensor(v)) };
    }
    if (!isGpuJsBackend(backend)) {
      const runtime = await wasmRuntime();
      const cpu = lowerToKernels(ir, constVals, { threads: runtime.threads, name: f.name || 'jit' });
      const exe = await CpuExecutable.create(cpu, runtime, MATH_FUNCTIONS, constVals);
      const kernels = cpu.program.kernels.map((k) => {
        const out = cpu.maps.get(k);
        const base = out ? { name: k.name, kind: 'map' as const, output: [out] } : { name: k.name, kind: 'template' as const, output: [k.units], template: k.template ?? k.name };
        return kernelInfo(base, { source: () => printKernel(k), computes: k.computes });
      });
      const keep = new Set(cpu.outputs.flatMap((o) => ('view' in o ? [o.view.buf] : [])));
      const { bytes } = placeBuffers(cpu.program.buffers.filter((b) => b.kind === 'temp'), cpu.program.kernels, keep);
      const lowered: Lowered = {
        ir,
        passes: trace,
        kernels,
        buffers: cpu.program.buffers.map((b) => ({ id: b.id, kind: b.kind === 'temp' ? 'intermediate' : b.kind, floats: b.size, defined: -1, lastUse: -1 })),
        peakIntermediateFloats: bytes / 4,
        kernelProgram: cpu,
        transfers: exe.transferFloats,
        toString: () => `${printIR(ir)}\n-- ${kernels.length} kernels on wasm: ${kernels.map((k) => k.name).join(', ')}\n${printProgram(cpu.program)}`,
      };
      const fromTensor = (x: Tensor) => (x.impl.kind === 'device' && x.impl.device instanceof DeviceArray ? x.impl.device : x.fetch());
      const toTensor = (v: NDArray | DeviceArray, i: number) => (v instanceof DeviceArray ? deviceTensor(v, ir.outAtoms[i].aval) : concreteTensor(v));
      return { lowered, outDef: traced.outDef, run: async (xs) => exe.run(await Promise.all(xs.map(fromTensor))).map(toTensor) };
    }
    const separateOutputs = opts.deviceOutputs === true && describeBackend(backend).residency === 'device';
    const program = lowerIR(ir, constVals, { clampReads: describeBackend(backend).clampReads, backend, separateOutputs });
    const runtime = await backendRuntime(backend);
    const exe = new Executable(program, runtime, constVals);
    const { buffers, peak } = bufferPlan(program);
    const kernels: KernelInfo[] = program.plan.steps.map((s) => {
      const base = { name: s.kernel.name, kind: s.kernel.kind ?? 'template', output: s.kernel.output, ...(s.kernel.template ? { template: s.kernel.template } : {}) };
      const ir = s.kernel.ir;
      return kernelInfo(base, { source: () => kernelSource(s.kernel), computes: s.kernel.computes, ...(ir ? { ir: () => printKernel(ir) } : {}) });
    });
    const lowered: Lowered = {
      ir,
      passes: trace,
      kernels,
      buffers,
      peakIntermediateFloats: peak,
      program,
      ...(describeBackend(backend).residency === 'device' ? { transfers: exe.transferFloats } : {}),
      toString: () => `${printIR(ir)}\n-- ${kernels.length} kernels on ${backend}: ${kernels.map((k) => k.name).join(', ')}\n${kernels.map(showGpuJsKernel).join('\n')}`,
    };
    const argOf = (x: Tensor) => (x.impl.kind === 'device' ? x.impl.device : x.value());
    const toTensor = (v: NDArray | ResidentValue, i: number) => (v instanceof ResidentValue ? deviceTensor(v, ir.outAtoms[i].aval) : concreteTensor(v));
    return { lowered, outDef: traced.outDef, run: async (xs) => (await exe.run(xs.map(argOf))).map(toTensor) };
  };

  const compiled = (args: readonly unknown[]): Promise<Compiled> => {
    const key = signatureKey(args, staticArgnums);
    let c = cache.get(key);
    if (!c) {
      c = compile(args);
      cache.set(key, c);
      c.catch(() => cache.delete(key));
    }
    return c;
  };

  const call = async (...args: A): Promise<R> => {
    const dynamic = args.map((a, i) => (staticArgnums.includes(i) ? null : a));
    const [leaves] = flatten(dynamic, isArgLeaf);
    if (leaves.some((l) => l instanceof Tensor && l.isTracer)) {
      throw new Error('jit: a jitted function was called on traced values; transform the function before jit (jit(grad(f))), or call .fun');
    }
    const c = await compiled(args);
    return unflatten<R>(c.outDef, await c.run(leaves as Tensor[]));
  };
  const jitted = Object.assign(call, {
    lower: async (...args: unknown[]) => (await compiled(args)).lowered,
    fun: f,
    options: opts,
  });
  Object.defineProperty(jitted, 'cacheSize', { get: () => cache.size });
  return jitted as unknown as Jitted<A, R>;
}

/**
 * Reads every device-resident leaf of `tree` back to the host (once; each keeps its host copy,
 * so value(), data() and printing are synchronous afterwards) and resolves with the same tree.
 * Needed before reading webgpu-resident values synchronously; elsewhere it only moves the reads
 * earlier. JAX's `device_get`.
 */
export async function deviceGet<X>(tree: X): Promise<X> {
  const [leaves] = flatten(tree);
  await Promise.all(leaves.map((l) => (l instanceof Tensor && l.impl.kind === 'device' ? l.fetch() : undefined)));
  return tree;
}

/**
 * Frees the device memory of every device-resident leaf of `tree` now, rather than when the
 * leaves are garbage collected (neither GPU memory nor the wasm backend's shared memory presses
 * on the garbage collector): webgpu/WebGL buffers are deleted, wasm regions go back to the
 * heap's allocator. The leaves must not be passed to a jitted function afterwards, nor read
 * unless they were read before (they keep that host copy); doing so throws. Releasing a leaf
 * twice does nothing; host values and tracers are left alone.
 */
export function releaseDevice(tree: unknown): void {
  const [leaves] = flatten(tree);
  for (const l of leaves) if (l instanceof Tensor && l.impl.kind === 'device') l.impl.device.release?.();
}
