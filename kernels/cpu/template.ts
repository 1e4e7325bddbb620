/**
 * The contract of the CPU templates: kernel-IR generators for the non-fusible primitives
 * (matmul, reductions, scans, FFTs, scatter) with strategies for CPU cores (SIMD lanes,
 * register blocking, lines split across threads), as opposed to the one-output-per-thread
 * shapes of the GPU templates.
 *
 * Operands arrive as strided views of buffers; outputs are fresh contiguous row-major buffers
 * the lowering declares. Element (c_0, …, c_{r-1}) of a view is at storage index
 * `offset + Σ c_i·strides[i]`; for c64 that is the real part and the imaginary part follows at
 * +1 (a contiguous c64 view of shape [n] has strides [2]). Scratch buffers and constant tables
 * are declared through the context. A template returns kernels that run in order; every
 * kernel's units are independent, so a launch may split them across threads.
 */
import type { DType } from '../../compiler/dtype';
import type { Kernel, Storage } from '../ir/types';

export interface View {
  readonly buf: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Storage elements per step along each axis. */
  readonly strides: readonly number[];
  readonly offset: number;
}

export interface TemplateContext {
  /** A prefix for kernel names (the equation's primitive, made unique by the lowering). */
  readonly name: string;
  /** Threads a launch can be split across (templates choose how many units to make). */
  readonly threads: number;
  /**
   * Whether the backend renders the kernel IR's `fma` as one instruction (wasm relaxed SIMD's
   * `f32x4.relaxed_madd`): a multiply-add then needs no register for the product, so register
   * tiles can hold more accumulators. Absent: false.
   */
  readonly fusedMultiplyAdd?: boolean;
  /** Declares a scratch buffer of `size` elements, live for this template's kernels; returns its id. */
  scratch(size: number, storage: Storage, what: string): string;
  /** Declares a constant table; returns its id. */
  constant(data: Float32Array | Int32Array, what: string): string;
}

/** Row-major strides, in storage elements, of a contiguous buffer of `shape` and `dtype`. */
export function contiguousStrides(shape: readonly number[], dtype: DType): number[] {
  const lanes = dtype === 'c64' ? 2 : 1;
  const strides = new Array<number>(shape.length);
  let s = lanes;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function contiguousView(buf: string, shape: readonly number[], dtype: DType): View {
  return { buf, dtype, shape, strides: contiguousStrides(shape, dtype), offset: 0 };
}

export const storageOfDType = (d: DType): Storage => (d === 'f32' || d === 'c64' ? 'f32' : 'i32');

export type TemplateKernels = readonly Kernel[];
