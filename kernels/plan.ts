/**
 * Kernel plans: a static DAG of gpu.js kernel launches over named buffers.
 *
 * A jit call on a gpu.js backend runs one `KernelPlan` (one or more `KernelSpec` launches).
 * Buffers are plan inputs (supplied per run), constants (tables computed on
 * the host once, e.g. FFT twiddles) or step results (device intermediates).
 * Every buffer is float32; its `dims` are the gpu.js output geometry
 * `[x]`, `[x, y]` or `[x, y, z]` (row-major flat length = x*y*z). Inputs and
 * constants are 1-D unless an input is declared with the grid of the device
 * tensor it will receive. A kernel indexes a multi-dimensional buffer as
 * `p[z][y][x]`, which the gpu.js renderer of the kernel IR (gpujs/render.ts) handles.
 */
import type { Kernel, Listing } from './ir/types';
import { assertCallerIdentifier, product } from './source';

export type Dims = readonly [number] | readonly [number, number] | readonly [number, number, number];

export type BufferKind = 'input' | 'constant' | 'step';

export interface BufferRef {
  readonly id: string;
  readonly kind: BufferKind;
  readonly dims: Dims;
}

export function bufferLength(buffer: BufferRef): number {
  return product(buffer.dims);
}

/** One gpu.js kernel: `function (params...) { body }` over an output grid. */
export interface KernelSpec {
  readonly name: string;
  readonly params: readonly string[];
  readonly body: string;
  readonly output: Dims;
  /** What the kernel is: a fused map, the output packing, or a template's kernel. */
  readonly kind?: KernelKind;
  /** The kernel IR the body was rendered from. */
  readonly ir?: Kernel;
  /** The program equations the kernel computes (printed by `lower()` and the profile). */
  readonly computes?: Listing;
  /** The template's own name of the kernel (`sum_out`, `matmul_packB`), where a lowering renamed it after what it computes. */
  readonly template?: string;
}

export type KernelKind = 'map' | 'pack' | 'template';

/** What a launch records besides its source. */
export interface LaunchInfo {
  readonly kind?: KernelKind;
  readonly ir?: Kernel;
  readonly computes?: Listing;
}

/** A kernel parameter bound to the plan buffer it reads. */
export interface Binding {
  readonly param: string;
  readonly buffer: BufferRef;
}

export interface PlanStep {
  readonly kernel: KernelSpec;
  /** args[i] is bound to kernel.params[i]. */
  readonly args: readonly BufferRef[];
  readonly result: BufferRef;
}

export interface PlanConstant {
  readonly buffer: BufferRef;
  readonly data: Float32Array;
}

export interface KernelPlan {
  readonly name: string;
  readonly inputs: readonly BufferRef[];
  readonly constants: readonly PlanConstant[];
  readonly steps: readonly PlanStep[];
  readonly output: BufferRef;
  /**
   * Step results a run keeps and returns one by one (`KernelRuntime.runResidentAll`), e.g. a
   * program's outputs kept on the device as separate values; absent: just `output`.
   */
  readonly results?: readonly BufferRef[];
}

export function kernelSource(spec: KernelSpec): string {
  return `function (${spec.params.join(', ')}) {\n${spec.body}\n}`;
}

function assertDims(dims: Dims, where: string): void {
  if (dims.length < 1 || dims.length > 3 || dims.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new Error(`${where}: output dims [${dims.join(', ')}] must be 1 to 3 positive integers`);
  }
}

/**
 * Merges bindings into a kernel parameter list; the same parameter may be
 * bound twice only to the same buffer.
 */
export function mergeBindings(where: string, ...groups: readonly (readonly Binding[])[]): Binding[] {
  const byParam = new Map<string, Binding>();
  for (const group of groups) {
    for (const b of group) {
      const seen = byParam.get(b.param);
      if (seen && seen.buffer.id !== b.buffer.id) {
        throw new Error(`${where}: kernel parameter '${b.param}' bound to both '${seen.buffer.id}' and '${b.buffer.id}'`);
      }
      byParam.set(b.param, b);
    }
  }
  return [...byParam.values()];
}

/** A buffer id from a kernel name (names may hold shapes and spaces: `exp_mul[8,1024]`). */
function bufferIdOf(name: string): string {
  const id = name.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return /^[A-Za-z]/.test(id) ? id : `k${id}`;
}

/** Incrementally assembles a KernelPlan. */
export class PlanBuilder {
  private readonly inputs: BufferRef[] = [];
  private readonly constants: PlanConstant[] = [];
  private readonly steps: PlanStep[] = [];
  private readonly ids = new Set<string>();
  private stepCounter = 0;

  constructor(readonly name: string) {}

  private claim(id: string, where: string): void {
    if (this.ids.has(id)) throw new Error(`plan '${this.name}': ${where}: buffer id '${id}' already used`);
    this.ids.add(id);
  }

  /**
   * A buffer supplied at run time: a flat Float32Array of `size` floats, or,
   * given kernel-grid dims, a DeviceTensor produced by another plan with
   * those dims (its consumers then index the grid directly).
   */
  input(id: string, size: number | Dims): BufferRef {
    assertCallerIdentifier(id, `plan '${this.name}' input`);
    const dims: Dims = typeof size === 'number' ? [size] : size;
    assertDims(dims, `plan '${this.name}' input '${id}'`);
    this.claim(id, 'input');
    const ref: BufferRef = { id, kind: 'input', dims };
    this.inputs.push(ref);
    return ref;
  }

  /** A host-computed table; a second request under the same id must carry equal data. */
  constant(id: string, data: Float32Array): BufferRef {
    const existing = this.constants.find((c) => c.buffer.id === id);
    if (existing) {
      if (existing.data.length !== data.length || existing.data.some((v, i) => v !== data[i] && !(v !== v && data[i] !== data[i]))) {
        throw new Error(`plan '${this.name}': constant '${id}' requested twice with different data`);
      }
      return existing.buffer;
    }
    this.claim(id, 'constant');
    const ref: BufferRef = { id, kind: 'constant', dims: [data.length] };
    this.constants.push({ buffer: ref, data });
    return ref;
  }

  /** Adds a launch of `body` over `output`, reading `bindings`; returns its result buffer. */
  launch(name: string, bindings: readonly Binding[], body: string, output: Dims, info: LaunchInfo = {}): BufferRef {
    assertDims(output, `plan '${this.name}' kernel '${name}'`);
    const merged = mergeBindings(`plan '${this.name}' kernel '${name}'`, bindings);
    for (const b of merged) {
      if (!this.ids.has(b.buffer.id)) {
        throw new Error(`plan '${this.name}' kernel '${name}': reads buffer '${b.buffer.id}' that is not part of this plan`);
      }
    }
    const id = `${bufferIdOf(name)}_${this.stepCounter++}`;
    this.claim(id, `kernel '${name}'`);
    const result: BufferRef = { id, kind: 'step', dims: output };
    const kernel: KernelSpec = { name, params: merged.map((b) => b.param), body, output, ...info };
    this.steps.push({ kernel, args: merged.map((b) => b.buffer), result });
    return result;
  }

  /** Launches so far (the index the next one will have). */
  get stepCount(): number {
    return this.steps.length;
  }

  /** Renames and describes the kernels launched from step `from` on (their buffers keep their ids). */
  describe(from: number, info: (spec: KernelSpec, index: number, count: number) => Partial<Pick<KernelSpec, 'name' | 'computes' | 'template'>>): void {
    const count = this.steps.length - from;
    for (let i = from; i < this.steps.length; i++) {
      const step = this.steps[i];
      const patch = info(step.kernel, i - from, count);
      const ir = step.kernel.ir && { ...step.kernel.ir, name: patch.name ?? step.kernel.ir.name, computes: patch.computes ?? step.kernel.ir.computes };
      this.steps[i] = { ...step, kernel: { ...step.kernel, ...patch, ...(ir ? { ir } : {}) } };
    }
  }

  build(output: BufferRef, results?: readonly BufferRef[]): KernelPlan {
    for (const r of [output, ...(results ?? [])]) {
      if (r.kind !== 'step' || !this.steps.some((s) => s.result.id === r.id)) {
        throw new Error(`plan '${this.name}': output '${r.id}' must be the result of one of its kernels`);
      }
    }
    return {
      name: this.name,
      inputs: [...this.inputs],
      constants: [...this.constants],
      steps: [...this.steps],
      output,
      ...(results ? { results: [...results] } : {}),
    };
  }
}
