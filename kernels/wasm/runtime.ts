/**
 * The `wasm` backend's runtime: one shared heap and one worker pool per process; a kernel
 * program is placed in the heap (one region, buffers packed by their lifetimes), rendered to
 * one WebAssembly module, compiled, and instantiated on every thread. A run copies the inputs
 * into their buffers, launches the kernels in order (each split across the threads when it is
 * large enough to pay for it) and leaves the results in place for the caller to read.
 */
import type { BufferDecl, KFunction, Kernel, KernelProgram } from '../ir/types';
import { buffersOf } from '../ir/walk';
import { profiling, recordKernelTime } from '../profile';
import { type Region, SharedHeap, wasmApi } from './memory';
import { type LoadedModule, WorkerPool } from './pool';
import { renderModule, vectorConstants } from './render';
import { wasmFeatures } from './features';

/** Scalar operations below which a launch stays on the calling thread. */
const PARALLEL_WORK = 32768;

export interface Placement {
  /** Byte offset of each buffer within the program's region. */
  readonly offsets: ReadonlyMap<string, number>;
  readonly bytes: number;
}

/**
 * Places buffers in one region: inputs, constants and the buffers in `keep` live for the whole
 * program; a temporary lives from the first to the last kernel that touches it, and two
 * temporaries share bytes when their lifetimes do not overlap (largest first, lowest offset).
 */
export function placeBuffers(buffers: readonly BufferDecl[], kernels: readonly Kernel[], keep: ReadonlySet<string>): Placement {
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  kernels.forEach((k, i) => {
    for (const b of buffersOf(k.body)) {
      if (!first.has(b)) first.set(b, i);
      last.set(b, i);
    }
  });
  const end = kernels.length;
  const life = buffers.map((b) => {
    const whole = b.kind !== 'temp' || keep.has(b.id);
    return { b, from: whole ? -1 : (first.get(b.id) ?? 0), to: whole ? end : (last.get(b.id) ?? 0), bytes: Math.ceil((b.size * 4) / 16) * 16 };
  });
  const placed: { from: number; to: number; at: number; bytes: number }[] = [];
  const offsets = new Map<string, number>();
  let top = 0;
  for (const x of [...life].sort((p, q) => q.bytes - p.bytes)) {
    const clashes = placed.filter((p) => p.from <= x.to && x.from <= p.to).sort((p, q) => p.at - q.at);
    let at = 0;
    for (const p of clashes) {
      if (at + x.bytes <= p.at) break;
      at = Math.max(at, p.at + p.bytes);
    }
    placed.push({ from: x.from, to: x.to, at, bytes: x.bytes });
    offsets.set(x.b.id, at);
    top = Math.max(top, at + x.bytes);
  }
  return { offsets, bytes: top };
}

export class WasmRuntime {
  private constructor(
    readonly heap: SharedHeap,
    readonly pool: WorkerPool,
  ) {}

  static async create(threads?: number): Promise<WasmRuntime> {
    let heap: SharedHeap;
    try {
      heap = new SharedHeap({ shared: true });
    } catch {
      heap = new SharedHeap({ shared: false });
    }
    const pool = await WorkerPool.create(heap, threads === undefined ? {} : { threads });
    return new WasmRuntime(heap, pool);
  }

  get threads(): number {
    return this.pool.threads;
  }

  /**
   * Places, renders, compiles and instantiates a program; `keep` buffers survive the run.
   * `relaxedSimd` (default: the engine's, `wasmFeatures.relaxedSimd`) renders `fma` as
   * `f32x4.relaxed_madd`; false renders it as a multiply and an add.
   */
  async load(program: KernelProgram, functions: ReadonlyMap<string, KFunction>, keep: ReadonlySet<string>, opts: { readonly relaxedSimd?: boolean } = {}): Promise<WasmProgram> {
    const relaxedSimd = opts.relaxedSimd ?? wasmFeatures.relaxedSimd;
    if (relaxedSimd && !wasmFeatures.relaxedSimd) {
      throw new Error(`wasm: program '${program.name}' asks for relaxed SIMD, which this engine does not validate (see SSMJIT_WASM_RELAXED_SIMD in docs/backends.md)`);
    }
    const placement = placeBuffers(program.buffers, program.kernels, keep);
    const pool = vectorConstants(program.kernels, functions);
    const region = this.heap.alloc(Math.max(placement.bytes + pool.bytes.length, 16), `program '${program.name}'`);
    const constantPool = { base: region.offset + placement.bytes, slots: pool.slots };
    new Uint8Array(this.heap.memory.buffer).set(pool.bytes, constantPool.base);
    const address = (buf: string): number => {
      const o = placement.offsets.get(buf);
      if (o === undefined) throw new Error(`wasm: buffer '${buf}' of '${program.name}' has no place`);
      return region.offset + o;
    };
    try {
      const started = performance.now();
      const rendered = renderModule(program.kernels, { memory: this.heap.memoryImport, address, functions, constantPool, relaxedSimd });
      const module = await (wasmApi() as unknown as { compile(b: Uint8Array): Promise<object> }).compile(rendered.bytes);
      const loaded = await this.pool.load(module, program.name);
      const compileMs = performance.now() - started;
      const wp = new WasmProgram(this, program, region, address, loaded, rendered.exports, rendered.bytes.length, compileMs);
      for (const b of program.buffers) if (b.kind === 'constant' && b.data) wp.write(b.id, b.data);
      return wp;
    } catch (e) {
      this.heap.free(region);
      throw e;
    }
  }
}

export class WasmProgram {
  private released = false;
  private readonly decls: ReadonlyMap<string, BufferDecl>;

  constructor(
    private readonly runtime: WasmRuntime,
    readonly program: KernelProgram,
    private readonly region: Region,
    readonly address: (buf: string) => number,
    private readonly module: LoadedModule,
    private readonly exports: readonly string[],
    readonly moduleBytes: number,
    readonly compileMs: number,
  ) {
    this.decls = new Map(program.buffers.map((b) => [b.id, b]));
  }

  /** Copies values into a buffer (numbers are converted to the buffer's storage type). */
  write(buf: string, data: ArrayLike<number>): void {
    const decl = this.decl(buf);
    if (data.length > decl.size) throw new Error(`wasm: ${data.length} values do not fit buffer '${buf}' of ${decl.size}`);
    const heap = this.runtime.heap;
    const view = decl.storage === 'f32' ? heap.f32(this.regionOf(buf, decl)) : heap.i32(this.regionOf(buf, decl));
    view.set(data);
  }

  /** The live contents of a buffer (a view: copy it before the next run). */
  view(buf: string): Float32Array | Int32Array {
    const decl = this.decl(buf);
    const heap = this.runtime.heap;
    return decl.storage === 'f32' ? heap.f32(this.regionOf(buf, decl)) : heap.i32(this.regionOf(buf, decl));
  }

  /** Runs every kernel in order. */
  run(): void {
    if (this.released) throw new Error(`wasm: program '${this.program.name}' was released`);
    const threads = this.runtime.threads;
    const prof = profiling();
    this.program.kernels.forEach((k, i) => {
      if (k.units === 0) return;
      const parts = k.units * k.unitCost < PARALLEL_WORK ? 1 : Math.min(threads, k.units);
      const t0 = prof ? performance.now() : 0;
      try {
        this.module.run(this.exports[i], k.units, parts);
      } catch (e) {
        throw new Error(`wasm kernel '${k.name}' of '${this.program.name}' failed: ${(e as Error).message}`);
      }
      if (prof) recordKernelTime(`wasm ${k.name}`, [k.units], performance.now() - t0, k.computes);
    });
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.module.release();
    this.runtime.heap.free(this.region);
  }

  private decl(buf: string): BufferDecl {
    const d = this.decls.get(buf);
    if (!d) throw new Error(`wasm: program '${this.program.name}' has no buffer '${buf}'`);
    return d;
  }

  private regionOf(buf: string, decl: BufferDecl): Region {
    return { offset: this.address(buf), bytes: decl.size * 4 };
  }
}
