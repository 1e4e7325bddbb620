/**
 * Kernel runtime: compiles the kernels of a `KernelPlan` on one backend
 * (cached by source and output grid) and executes the plan with one upload
 * of its inputs and one readback of its output.
 *
 * Execution strategies (`RunStrategy`):
 *  - 'resident'  kernels run with gpu.js `pipeline: true, immutable: true`;
 *                every intermediate stays a device handle (GL texture, WebGPU
 *                storage buffer; plain arrays on cpu/webasm, which have no
 *                device memory) and is deleted after its last use.
 *                `runResident` keeps the output on the device as a
 *                `DeviceTensor` that later plans accept as an input;
 *                `runResidentAll` keeps each of a plan's `results`.
 *  - 'pipeline'  the plan is replayed through `gpu.createPipeline`, which
 *                fuses it on webasm (one wasm memory, worker-pool barriers)
 *                and on webgpu (one command encoder, one submit); generic
 *                step-by-step execution elsewhere.
 *  - 'readback'  every kernel returns host arrays (the unfused baseline).
 *
 * Every kernel runs under the async contract (`asyncMode: true`), which is
 * also what lets webasm kernels split across worker threads.
 *
 * Host<->device traffic is counted here, in one place (`KernelRuntime.transfers`): floats of
 * host arrays handed to kernels and of constants uploaded, and floats read back from device
 * values. Only backends whose values live in device memory count; gpu.js's cpu and webasm
 * backends run on host arrays.
 */
import { type GPU, type IKernelRunShortcut, type IPipelineRunShortcut, Input } from 'gpu.js';
import { type GpuJsBackend, createGPU } from './backends';
import { describeBackend } from './capabilities';
import { type BufferRef, type Dims, type KernelPlan, type KernelSpec, bufferLength, kernelSource } from './plan';
import { platform } from '#platform';
import { profiling, recordKernelTime } from './profile';
import { product } from './source';

export type RunStrategy = 'resident' | 'pipeline' | 'readback';

/** What gpu.js returns from a kernel: typed arrays, arrays of rows, or device handles. */
type KernelValue = unknown;

interface DeviceHandle {
  toArray(): unknown;
  delete(): void;
}

function isDeviceHandle(v: unknown): v is DeviceHandle {
  return typeof v === 'object' && v !== null && typeof (v as DeviceHandle).toArray === 'function'
    && typeof (v as DeviceHandle).delete === 'function';
}

/** Flattens a gpu.js result of grid `dims` into one row-major Float32Array. */
export function flattenResult(value: unknown, dims: Dims): Float32Array {
  const length = product(dims);
  if (value instanceof Float32Array) {
    return value.length === length ? value : value.slice(0, length);
  }
  const rows: Float32Array[] = [];
  const collect = (v: unknown, depth: number): void => {
    if (depth === 0) {
      rows.push(v as Float32Array);
      return;
    }
    for (const item of v as unknown[]) collect(item, depth - 1);
  };
  if (!Array.isArray(value)) throw new Error(`kernel result of dims [${dims.join(', ')}] is not an array`);
  collect(value, dims.length - 1);
  const first = rows[0];
  const contiguous = rows.every((r, i) => r.buffer === first.buffer && r.byteOffset === first.byteOffset + i * dims[0] * 4);
  if (contiguous && rows.length * dims[0] === length) {
    return new Float32Array(first.buffer, first.byteOffset, length);
  }
  const out = new Float32Array(length);
  rows.forEach((r, i) => out.set(r.subarray(0, dims[0]), i * dims[0]));
  return out;
}

/** A plan result kept on the device; pass it as a later plan's input. */
export class DeviceTensor {
  private freed = false;

  constructor(
    readonly runtime: KernelRuntime,
    readonly dims: Dims,
    private readonly value: KernelValue,
  ) {
    runtime.live.tensors++;
    runtime.live.floats += product(dims);
  }

  get length(): number {
    return product(this.dims);
  }

  /** The gpu.js value to pass as a kernel argument. */
  get handle(): KernelValue {
    if (this.freed) throw new Error(`a ${this.runtime.backend} device tensor of [${this.dims.join(', ')}] floats was used after release()`);
    return this.value;
  }

  async read(): Promise<Float32Array> {
    const v = this.handle;
    return isDeviceHandle(v) ? this.runtime.readBack(await v.toArray(), this.dims) : flattenResult(v, this.dims);
  }

  /** The values, read synchronously; only where the backend's reads are (`syncReads`). */
  readSync(): Float32Array {
    if (!describeBackend(this.runtime.backend).syncReads) {
      throw new Error(`a ${this.runtime.backend} device value is read asynchronously (await read())`);
    }
    const v = this.handle;
    return isDeviceHandle(v) ? this.runtime.readBack(v.toArray(), this.dims) : flattenResult(v, this.dims);
  }

  /** Whether release() gave the device memory back. */
  get released(): boolean {
    return this.freed;
  }

  release(): void {
    if (this.freed) return;
    this.freed = true;
    this.runtime.live.tensors--;
    this.runtime.live.floats -= product(this.dims);
    if (isDeviceHandle(this.value)) this.value.delete();
  }
}

export type PlanInput = Float32Array | DeviceTensor;

/** A host array as a kernel argument for a buffer of grid `dims` (gpu.js Input when multi-dimensional). */
function hostArgument(data: Float32Array, dims: Dims): KernelValue {
  return dims.length === 1 ? data : new Input(data as unknown as number[], [...dims]);
}

/** Floats moved between the host and a runtime's device memory, and plan runs. */
export interface TransferCounts {
  toDevice: number;
  toHost: number;
  runs: number;
  /** Kernel launches (a plan run launches each of its steps once; uploads of constants are not counted). */
  kernels: number;
}

const reported = new Set<KernelRuntime>();

/** With SSMJIT_PROFILE=1, a runtime's totals are printed at exit beside the kernel table. */
function reportAtExit(runtime: KernelRuntime): void {
  if (reported.has(runtime) || !profiling()) return;
  reported.add(runtime);
  platform.onExit(() => {
    const t = runtime.transfers;
    const per = (n: number) => (t.runs ? (n / t.runs).toFixed(0) : '0');
    platform.writeDiagnostic(`host<->device floats (${runtime.backend}): ${t.toDevice} to the device, ${t.toHost} to the host over ${t.runs} plan runs (${per(t.toDevice)} and ${per(t.toHost)} per run; 4 bytes each), ${t.kernels} kernel launches\n`);
  });
}

interface KernelFlavour {
  readonly pipeline: boolean;
  /**
   * Argument kinds the instance is called with ('d' device handle, 'h' host
   * array). gpu.js re-specialises a kernel when argument kinds change between
   * calls, and on webgpu that switch mishandles a handle followed by a host
   * array, so each kind signature gets its own instance.
   */
  readonly argKinds?: string;
}

function argKinds(args: readonly KernelValue[]): string {
  return args.map((a) => (isDeviceHandle(a) ? 'd' : 'h')).join('');
}

export interface RuntimeOptions {
  /**
   * Compiled kernels kept at once; the least recently used one past it is destroyed (and
   * rebuilt if called again). Default: the host's `liveWasmMemories` where every kernel owns a
   * WebAssembly memory (the descriptor's `memoryPerKernel`), else unbounded. Only for backends
   * whose values live on the host: a GPU kernel's destroy may free outputs still in use.
   */
  readonly liveKernels?: number;
}

export class KernelRuntime {
  /** Compiled kernels in least-recently-used order (a hit moves its entry to the end). */
  private readonly kernels = new Map<string, IKernelRunShortcut>();
  private readonly pipelines = new WeakMap<KernelPlan, IPipelineRunShortcut>();
  private readonly resident = new WeakMap<Float32Array, DeviceTensor>();
  /** Host<->device floats since the runtime was made (device-memory backends only). */
  readonly transfers: TransferCounts = { toDevice: 0, toHost: 0, runs: 0, kernels: 0 };
  /** Device tensors not yet released, and their floats. */
  readonly live = { tensors: 0, floats: 0 };
  private readonly counts: boolean;

  /** Kernels compiled and kernels destroyed to stay within `liveKernels`, since creation. */
  readonly kernelCounts = { compiled: 0, evicted: 0 };

  private constructor(readonly backend: GpuJsBackend, readonly gpu: GPU, readonly liveKernels: number) {
    this.counts = describeBackend(backend).residency === 'device';
  }

  /** The one place host<->device traffic is counted. */
  countTransfer(direction: 'toDevice' | 'toHost', floats: number): void {
    if (!this.counts) return;
    this.transfers[direction] += floats;
    reportAtExit(this);
  }

  private countRun(plan: KernelPlan): void {
    if (!this.counts) return;
    this.transfers.runs++;
    this.transfers.kernels += plan.steps.length;
    reportAtExit(this);
  }

  /** A kernel result read to the host as one row-major array, counted as a read-back. */
  readBack(value: unknown, dims: Dims): Float32Array {
    const out = flattenResult(value, dims);
    this.countTransfer('toHost', out.length);
    return out;
  }

  /** A host array handed to a kernel (a copy to the device where values live there). */
  private upload(data: Float32Array, dims: Dims): KernelValue {
    this.countTransfer('toDevice', data.length);
    return hostArgument(data, dims);
  }

  static async create(backend: GpuJsBackend, options: RuntimeOptions = {}): Promise<KernelRuntime> {
    const bound = describeBackend(backend).memoryPerKernel ? platform.liveWasmMemories : Infinity;
    const liveKernels = options.liveKernels ?? bound;
    if (!(liveKernels >= 1)) throw new Error(`KernelRuntime: liveKernels must be at least 1, got ${liveKernels}`);
    if (liveKernels !== Infinity && describeBackend(backend).residency === 'device') {
      throw new Error(`KernelRuntime: liveKernels cannot bound ${backend}: destroying a GPU kernel may free outputs that later kernels still read`);
    }
    return new KernelRuntime(backend, await createGPU(backend), liveKernels);
  }

  /** How many compiled kernels the runtime holds now. */
  get liveKernelCount(): number {
    return this.kernels.size;
  }

  /** The compiled gpu.js kernel for `spec` (compilation happens on its first call). */
  kernel(spec: KernelSpec, flavour: KernelFlavour = { pipeline: true }): IKernelRunShortcut {
    const source = kernelSource(spec);
    const key = `${flavour.pipeline ? 'p' : 'r'}|${flavour.argKinds ?? ''}|${spec.output.join('x')}|${source}`;
    let k = this.kernels.get(key);
    if (k) {
      this.kernels.delete(key);
      this.kernels.set(key, k);
    } else {
      k = this.gpu.createKernel(source, {
        output: [...spec.output],
        asyncMode: true,
        pipeline: flavour.pipeline,
        immutable: flavour.pipeline,
        precision: 'single',
        tactic: 'precision',
      });
      this.kernels.set(key, k);
      this.kernelCounts.compiled++;
      this.evictPast(this.liveKernels);
    }
    return k;
  }

  /**
   * Destroys least recently used kernels until at most `keep` remain; a destroyed gpu.js kernel
   * that is called again (through a pipeline built over it) rebuilds itself. Runs happen one
   * kernel at a time (`runResident` awaits each), so no evicted kernel is mid-dispatch.
   */
  private evictPast(keep: number): void {
    for (const [key, old] of this.kernels) {
      if (this.kernels.size <= keep) break;
      this.kernels.delete(key);
      old.destroy();
      this.kernelCounts.evicted++;
    }
  }

  private checkInputs(plan: KernelPlan, inputs: readonly PlanInput[]): void {
    if (inputs.length !== plan.inputs.length) {
      throw new Error(`plan '${plan.name}': expected ${plan.inputs.length} inputs (${plan.inputs.map((b) => b.id).join(', ')}), got ${inputs.length}`);
    }
    plan.inputs.forEach((buf, i) => {
      const given = inputs[i];
      const length = given instanceof DeviceTensor ? given.length : given.length;
      if (length !== bufferLength(buf)) {
        throw new Error(`plan '${plan.name}': input '${buf.id}' needs ${bufferLength(buf)} floats, got ${length}`);
      }
      if (given instanceof DeviceTensor) {
        if (given.runtime !== this) throw new Error(`plan '${plan.name}': input '${buf.id}' lives on another runtime (${given.runtime.backend})`);
        if (given.dims.length !== buf.dims.length || given.dims.some((d, j) => d !== buf.dims[j])) {
          throw new Error(`plan '${plan.name}': input '${buf.id}' is declared with dims [${buf.dims.join(', ')}] but the device tensor has dims [${given.dims.join(', ')}]`);
        }
      }
    });
  }

  /** Constants are uploaded once per runtime through a copy kernel and kept resident. */
  private constantHandle(data: Float32Array): KernelValue {
    if (describeBackend(this.backend).residency === 'host') return data;
    return this.resident.get(data)?.handle ?? data;
  }

  private async uploadConstants(plan: KernelPlan): Promise<void> {
    if (describeBackend(this.backend).residency === 'host') return;
    for (const c of plan.constants) {
      if (this.resident.has(c.data)) continue;
      const copy = this.kernel({ name: 'upload', params: ['src'], body: 'return src[this.thread.x];', output: [c.data.length] });
      this.countTransfer('toDevice', c.data.length);
      this.resident.set(c.data, new DeviceTensor(this, [c.data.length], await copy(c.data)));
    }
  }

  /** Executes `plan` keeping its output on the device. */
  async runResident(plan: KernelPlan, inputs: readonly PlanInput[]): Promise<DeviceTensor> {
    return (await this.execute(plan, inputs, [plan.output]))[0];
  }

  /** Executes `plan` keeping each of its `results` (else its output) on the device. */
  runResidentAll(plan: KernelPlan, inputs: readonly PlanInput[]): Promise<DeviceTensor[]> {
    return this.execute(plan, inputs, plan.results ?? [plan.output]);
  }

  private async execute(plan: KernelPlan, inputs: readonly PlanInput[], keep: readonly BufferRef[]): Promise<DeviceTensor[]> {
    this.checkInputs(plan, inputs);
    await this.uploadConstants(plan);
    this.countRun(plan);
    const kept = new Set(keep.map((b) => b.id));
    const env = new Map<string, KernelValue>();
    plan.inputs.forEach((b, i) => {
      const given = inputs[i];
      env.set(b.id, given instanceof DeviceTensor ? given.handle : this.upload(given, b.dims));
    });
    for (const c of plan.constants) env.set(c.buffer.id, this.constantHandle(c.data));
    const lastUse = new Map<string, number>();
    plan.steps.forEach((s, i) => s.args.forEach((a) => lastUse.set(a.id, i)));
    const timing = profiling();
    for (let i = 0; i < plan.steps.length; i++) {
      const step = plan.steps[i];
      const args = step.args.map((a) => env.get(a.id));
      const k = this.kernel(step.kernel, { pipeline: true, argKinds: argKinds(args) });
      const began = timing ? performance.now() : 0;
      env.set(step.result.id, await k(...(args as never[])));
      if (timing) recordKernelTime(step.kernel.name, step.kernel.output, performance.now() - began, step.kernel.computes);
      for (const a of step.args) {
        if (a.kind === 'step' && lastUse.get(a.id) === i && !kept.has(a.id)) {
          const v = env.get(a.id);
          if (isDeviceHandle(v)) v.delete();
          env.delete(a.id);
        }
      }
    }
    return keep.map((b) => new DeviceTensor(this, b.dims, env.get(b.id)));
  }

  /** Executes `plan` and reads its output back. */
  async run(plan: KernelPlan, inputs: readonly PlanInput[], strategy: RunStrategy = 'resident'): Promise<Float32Array> {
    switch (strategy) {
      case 'resident': {
        const out = await this.runResident(plan, inputs);
        try {
          return await out.read();
        } finally {
          out.release();
        }
      }
      case 'pipeline':
        return this.runPipeline(plan, inputs);
      case 'readback':
        return this.runReadback(plan, inputs);
    }
  }

  private async runReadback(plan: KernelPlan, inputs: readonly PlanInput[]): Promise<Float32Array> {
    this.checkInputs(plan, inputs);
    // host values keep the kernel's own shape (rows for 2-D/3-D grids), as consumers index them so
    const env = new Map<string, KernelValue>();
    this.countRun(plan);
    for (let i = 0; i < plan.inputs.length; i++) {
      const given = inputs[i];
      env.set(plan.inputs[i].id, given instanceof DeviceTensor ? given.handle : this.upload(given, plan.inputs[i].dims));
    }
    for (const c of plan.constants) env.set(c.buffer.id, c.data);
    for (const step of plan.steps) {
      const args = step.args.map((a) => env.get(a.id));
      const k = this.kernel(step.kernel, { pipeline: false, argKinds: argKinds(args) });
      env.set(step.result.id, await k(...(args as never[])));
    }
    return this.readBack(env.get(plan.output.id), plan.output.dims);
  }

  /** The gpu.js pipeline replaying `plan` (built once per plan). */
  pipelineOf(plan: KernelPlan): IPipelineRunShortcut {
    let p = this.pipelines.get(plan);
    if (p) return p;
    const kernels = plan.steps.map((s) => this.kernel(s.kernel, { pipeline: false }));
    const ids = [...plan.inputs, ...plan.constants.map((c) => c.buffer)].map((b: BufferRef) => b.id);
    const steps = plan.steps;
    const outputId = plan.output.id;
    const orchestrate = (args: ArrayLike<unknown>): unknown => {
      const env = new Map<string, unknown>();
      ids.forEach((id, i) => env.set(id, args[i]));
      steps.forEach((s, i) => {
        env.set(s.result.id, kernels[i](...s.args.map((a) => env.get(a.id) as never)));
      });
      return env.get(outputId);
    };
    // gpu.js sizes the traced argument list by the function's declared arity
    const params = ids.map((_, i) => `arg${i}`).join(', ');
    const traced = new Function('orchestrate', `return function (${params}) { return orchestrate(arguments); };`)(orchestrate);
    p = this.gpu.createPipeline(traced);
    this.pipelines.set(plan, p);
    return p;
  }

  private async runPipeline(plan: KernelPlan, inputs: readonly PlanInput[]): Promise<Float32Array> {
    this.checkInputs(plan, inputs);
    this.countRun(plan);
    const hostInputs: KernelValue[] = [];
    for (let i = 0; i < inputs.length; i++) {
      const given = inputs[i];
      hostInputs.push(this.upload(given instanceof DeviceTensor ? await given.read() : given, plan.inputs[i].dims));
    }
    const p = this.pipelineOf(plan);
    for (const c of plan.constants) this.countTransfer('toDevice', c.data.length);
    const result = await p(...(hostInputs as never[]), ...plan.constants.map((c) => c.data));
    return this.readBack(result, plan.output.dims);
  }

  /** Releases compiled kernels, resident constants and the gpu.js instance. */
  async destroy(): Promise<void> {
    // kernels rebuilt after an eviction are no longer in gpu.js's own list
    for (const k of this.kernels.values()) k.destroy();
    this.kernels.clear();
    await this.gpu.destroy();
  }
}
