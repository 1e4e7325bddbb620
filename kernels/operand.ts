/**
 * Operands: where the gpu.js lowering keeps a materialised value. An operand is a tensor of
 * one storage dtype laid out as a strided view of one plan buffer; the lowering's value
 * emitter reads it through that layout (compiler/jit/lower.ts), and the CPU-side views are
 * derived from it.
 *
 * Data layout: every tensor is a flat row-major float32 buffer; a c64 tensor
 * stores interleaved (re, im) pairs, so it occupies 2 * elements floats.
 * Kernels return one float per thread: a c64 result is written by two
 * threads, one per component.
 */
import { type BufferRef, bufferLength } from './plan';
import { type Shape, assertCallerIdentifier, assertShape, product, stridesOf } from './source';

export type Dtype = 'f32' | 'c64';

/** Floats per element. */
export function widthOf(dtype: Dtype): number {
  return dtype === 'c64' ? 2 : 1;
}

export interface Operand {
  readonly shape: Shape;
  readonly dtype: Dtype;
  /**
   * Where the operand's elements are stored: element (c_0, …) at float
   * `offset + Σ c_i·strides[i]` (a c64 element's imaginary part at +1).
   */
  readonly layout: BufferLayout;
}

export interface BufferLayout {
  readonly buffer: BufferRef;
  readonly offset: number;
  /** Floats per step along each axis of the operand's shape. */
  readonly strides: readonly number[];
}

/** The plain operand: tensor `shape`/`dtype` stored row-major in all of `buffer`. */
export function operandOf(buffer: BufferRef, shape: Shape, dtype: Dtype): Operand {
  assertShape(shape, `operand of buffer '${buffer.id}'`);
  assertCallerIdentifier(buffer.id, `operand of buffer '${buffer.id}'`);
  const needed = product(shape) * widthOf(dtype);
  if (bufferLength(buffer) !== needed) {
    throw new Error(`operand of buffer '${buffer.id}': ${dtype} shape [${shape.join(', ')}] needs ${needed} floats but the buffer holds ${bufferLength(buffer)}`);
  }
  const width = widthOf(dtype);
  return { shape, dtype, layout: { buffer, offset: 0, strides: stridesOf(shape).map((s) => s * width) } };
}
