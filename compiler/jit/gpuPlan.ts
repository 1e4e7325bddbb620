/**
 * Kernel plans made of kernel-IR kernels over row-major buffers, for the gpu.js backends: the
 * way to call the kernel builders (gpuMatmul.ts, gpuScan.ts, gpuFft.ts, gpuReduce.ts,
 * gpuScatter.ts) on their own, outside a jit lowering, as the kernel specs and the kernel
 * benchmarks do. Inputs and host tables are plan buffers; each kernel is rendered by
 * kernels/gpujs/render.ts and launched over the buffers its body reads (their grids passed to
 * the renderer, so a 2-D or 3-D result such as a matmul's is read where it lies).
 *
 * Also the reader of a row-major buffer at affine coordinates that the jit's lowering uses for
 * kernel intermediates (`bufferReader`).
 */
import { type BufferRef, type Dims, type KernelPlan, PlanBuilder } from '../../kernels/plan';
import { type Block, i32, iadd, imul, load } from '../../kernels/ir/build';
import type { Expr, Kernel } from '../../kernels/ir/types';
import { buffersOf } from '../../kernels/ir/walk';
import { OUTPUT, renderGpuJsKernel } from '../../kernels/gpujs/render';
import { stridesOf } from '../shape';
import type { Ix } from './cpu/indexing';
import type { FftSink } from './gpuFft';

/** The f32 components of an element (im only for complex values). */
export interface Components {
  readonly re: Expr;
  readonly im?: Expr;
}

/** Reads an element at affine coordinates, computed in the block given. */
export type AxesReader = (block: Block, axes: readonly Ix[]) => Components;

/**
 * A reader of the row-major buffer `buf` of `shape` (interleaved re, im when complex) at affine
 * coordinates; each read adds `buf` to `reads()` when given.
 */
export function bufferReader(buf: string, shape: readonly number[], complex: boolean, reads?: () => Set<string>): AxesReader {
  const strides = stridesOf(shape).map((st) => st * (complex ? 2 : 1));
  return (_block, axes) => {
    if (axes.length !== shape.length) throw new Error(`buffer '${buf}': read with ${axes.length} coordinates, shape [${shape.join(', ')}] has rank ${shape.length}`);
    reads?.().add(buf);
    const index = axes.reduce<Expr>((acc, c, i) => iadd(acc, imul((c as Ix & { kind: 'affine' }).base, i32(strides[i]))), i32(0));
    return complex ? { re: load(buf, index), im: load(buf, iadd(index, i32(1))) } : { re: load(buf, index) };
  };
}

/** A plan under construction whose kernels are kernel IR. */
export class IrPlan {
  private readonly builder: PlanBuilder;
  private readonly buffers = new Map<string, BufferRef>();

  constructor(readonly name: string) {
    this.builder = new PlanBuilder(name);
  }

  /** A plan input of `floats` floats (or a device grid), returning its buffer id. */
  input(id: string, size: number | Dims): string {
    const ref = this.builder.input(id, size);
    this.buffers.set(ref.id, ref);
    return ref.id;
  }

  /** A host table uploaded once per runtime, returning its buffer id. */
  table(id: string, data: Float32Array): string {
    const ref = this.builder.constant(id, data);
    this.buffers.set(ref.id, ref);
    return ref.id;
  }

  /** The grid of buffer `id`. */
  dims(id: string): Dims {
    const ref = this.buffers.get(id);
    if (!ref) throw new Error(`plan '${this.name}': no buffer '${id}'`);
    return ref.dims;
  }

  /** Renders `kernel` over the output grid `output` (1-D by default) and launches it; returns its buffer id. */
  launch(kernel: Kernel, output: Dims = [kernel.units]): string {
    const reads = buffersOf(kernel.body);
    reads.delete(OUTPUT);
    const bindings = [...reads].map((id) => {
      const buffer = this.buffers.get(id);
      if (!buffer) throw new Error(`plan '${this.name}' kernel '${kernel.name}': reads buffer '${id}' that is not part of this plan`);
      return { param: id, buffer };
    });
    const source = renderGpuJsKernel(kernel, { dims: (id) => this.buffers.get(id)?.dims, output });
    const ref = this.builder.launch(kernel.name, bindings, source, output, { kind: 'template', ir: kernel });
    this.buffers.set(ref.id, ref);
    return ref.id;
  }

  /** The FFT builders' sink: kernels launched here, tables as plan constants. */
  get fftSink(): FftSink {
    return { launch: (kernel) => this.launch(kernel), table: (id, data) => this.table(id, data) };
  }

  /** The plan whose output is buffer `id` (a kernel's result). */
  build(id: string): KernelPlan {
    const ref = this.buffers.get(id);
    if (!ref) throw new Error(`plan '${this.name}': no buffer '${id}'`);
    return this.builder.build(ref);
  }
}
