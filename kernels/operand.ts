/**
 * Operands and epilogues: the pluggable reads and writes of kernel templates.
 *
 * A template never indexes its inputs itself. It asks an `Operand` for the
 * source expression of one element component at logical coordinates, so a
 * caller can substitute any expression (an elementwise producer fused into
 * the read, a broadcast, a transposed view). Likewise it hands its result
 * value to an `Epilogue`, so an elementwise consumer fuses into the write.
 *
 * Data layout: every tensor is a flat row-major float32 buffer; a c64 tensor
 * stores interleaved (re, im) pairs, so it occupies 2 * elements floats.
 * Kernels return one float per thread: a c64 result is written by two
 * threads, one per component (`part`).
 */
import { type Binding, type BufferRef, type Dims, bufferLength } from './plan';
import { type Shape, assertCallerIdentifier, assertShape, literal, product, rowMajorOffset, stridesOf, unravel } from './source';

export type Dtype = 'f32' | 'c64';
export type Part = 're' | 'im';

/** Floats per element. */
export function widthOf(dtype: Dtype): number {
  return dtype === 'c64' ? 2 : 1;
}

export interface Operand {
  readonly shape: Shape;
  readonly dtype: Dtype;
  /** Kernel parameters the read expressions refer to. */
  readonly bindings: readonly Binding[];
  /** Source expression of component `part` of the element at `coords` ('re' only for f32). */
  readonly read: (coords: readonly string[], part: Part) => string;
  /**
   * Where the operand's elements are stored, when it is a strided view of one buffer: element
   * (c_0, …) at float `offset + Σ c_i·strides[i]` (a c64 element's imaginary part at +1).
   * Absent for computed operands (fused expressions).
   */
  readonly layout?: BufferLayout;
}

export interface BufferLayout {
  readonly buffer: BufferRef;
  readonly offset: number;
  /** Floats per step along each axis of the operand's shape. */
  readonly strides: readonly number[];
}

/** Source expressions of a complex (or real, im = '0.0') value. */
export interface ValueExpr {
  readonly re: string;
  readonly im: string;
}

export interface Epilogue {
  /** Dtype of the tensor actually written. */
  readonly dtype: Dtype;
  readonly bindings: readonly Binding[];
  /** Source expression of component `part` of the written element. */
  readonly apply: (value: ValueExpr, coords: readonly string[], part: Part) => string;
}

/** A value-level rewrite applied before an epilogue (e.g. FFT post-scaling). */
export interface ValueTransform {
  readonly bindings: readonly Binding[];
  readonly apply: (value: ValueExpr, coords: readonly string[]) => ValueExpr;
}

/** `epilogue` after `transform`: the transform's bindings join the epilogue's. */
export function transformThenEpilogue(transform: ValueTransform, epilogue: Epilogue): Epilogue {
  return {
    dtype: epilogue.dtype,
    bindings: [...transform.bindings, ...epilogue.bindings],
    apply: (value, coords, part) => epilogue.apply(transform.apply(value, coords), coords, part),
  };
}

/** Multiplies a value by the real constant `factor` (no-op for 1). */
export function scaleValue(factor: number): ValueTransform {
  const f = literal(factor);
  return {
    bindings: [],
    apply: (v) => (factor === 1 ? v : { re: `(${v.re}) * ${f}`, im: `(${v.im}) * ${f}` }),
  };
}

/** The identity epilogue: writes the template's own result. */
export function identityEpilogue(dtype: Dtype): Epilogue {
  return { dtype, bindings: [], apply: (value, _coords, part) => (part === 're' ? value.re : value.im) };
}

/**
 * Folds an index expression made only of numeric literals to one integer literal: gpu.js's
 * GLSL translation rejects constant arithmetic such as `a[(0 + 0)]` inside an index.
 */
export function foldConstantIndex(expr: string): string {
  if (!/^[\d\s.+\-*/()]+$/.test(expr) || !/[+\-*/]/.test(expr.replace(/^\s*-/, ''))) return expr;
  const value = Function(`"use strict"; return (${expr});`)() as number;
  return Number.isInteger(value) ? String(value) : expr;
}

/** Indexing expression for float `flat` of a buffer with `dims` (`p[z][y][x]` for a grid). */
function storageIndex(param: string, dims: Dims, flatExpr: string): string {
  const flat = foldConstantIndex(flatExpr);
  if (dims.length === 1) return `${param}[${flat}]`;
  return param + unravel(flat, [...dims].reverse()).map((c) => `[${c}]`).join('');
}

/**
 * Direct multi-dimensional indexing when the buffer's grid matches the
 * logical shape's trailing axes (x = last axis * width, y = previous axis).
 */
function alignedIndex(param: string, dims: Dims, coords: readonly string[], shape: Shape, width: number, part: Part): string | null {
  const rank = shape.length;
  const x = (c: string) => (width === 1 ? c : `(${c}) * 2 + ${part === 're' ? 0 : 1}`);
  if (dims.length === 2 && rank >= 1 && shape[rank - 1] * width === dims[0]) {
    const row = rowMajorOffset(coords.slice(0, rank - 1), shape.slice(0, rank - 1));
    return `${param}[${foldConstantIndex(row)}][${foldConstantIndex(x(coords[rank - 1]))}]`;
  }
  if (dims.length === 3 && rank >= 2 && shape[rank - 1] * width === dims[0] && shape[rank - 2] === dims[1]) {
    const z = rowMajorOffset(coords.slice(0, rank - 2), shape.slice(0, rank - 2));
    return `${param}[${foldConstantIndex(z)}][${foldConstantIndex(coords[rank - 2])}][${foldConstantIndex(x(coords[rank - 1]))}]`;
  }
  return null;
}

/** Expression reading component `part` at `coords` of a row-major tensor stored in `buffer`. */
export function bufferRead(param: string, buffer: BufferRef, shape: Shape, dtype: Dtype, coords: readonly string[], part: Part): string {
  const width = widthOf(dtype);
  const aligned = buffer.dims.length > 1 ? alignedIndex(param, buffer.dims, coords, shape, width, part) : null;
  if (aligned) return aligned;
  const offset = rowMajorOffset(coords, shape);
  const flat = width === 1 ? offset : `(${offset}) * 2 + ${part === 're' ? 0 : 1}`;
  return storageIndex(param, buffer.dims, flat);
}

/**
 * The plain operand: tensor `shape`/`dtype` stored row-major in `buffer`,
 * read through kernel parameter `param` (defaults to the buffer id).
 */
export function operandOf(buffer: BufferRef, shape: Shape, dtype: Dtype, param: string = buffer.id): Operand {
  assertShape(shape, `operand '${param}'`);
  assertCallerIdentifier(param, `operand of buffer '${buffer.id}'`);
  const needed = product(shape) * widthOf(dtype);
  if (bufferLength(buffer) !== needed) {
    throw new Error(`operand '${param}': ${dtype} shape [${shape.join(', ')}] needs ${needed} floats but buffer '${buffer.id}' holds ${bufferLength(buffer)}`);
  }
  const width = widthOf(dtype);
  return {
    shape,
    dtype,
    bindings: [{ param, buffer }],
    layout: { buffer, offset: 0, strides: stridesOf(shape).map((s) => s * width) },
    read: (coords, part) => {
      if (coords.length !== shape.length) {
        throw new Error(`operand '${param}': read with ${coords.length} coordinates, shape has rank ${shape.length}`);
      }
      if (dtype === 'f32' && part === 'im') return '0.0';
      return bufferRead(param, buffer, shape, dtype, coords, part);
    },
  };
}

/** The buffer behind a plain operand (as returned by every template). */
export function bufferOf(operand: Operand): BufferRef {
  if (operand.bindings.length !== 1) {
    throw new Error(`bufferOf: operand reads ${operand.bindings.length} parameters; only a plain buffer operand has a single buffer`);
  }
  return operand.bindings[0].buffer;
}

/**
 * `source` viewed with numpy broadcasting as `shape` (trailing axes aligned;
 * size-1 source axes repeat).
 */
export function broadcastTo(source: Operand, shape: Shape): Operand {
  const offset = shape.length - source.shape.length;
  const ok = offset >= 0 && source.shape.every((d, i) => d === 1 || d === shape[i + offset]);
  if (!ok) {
    throw new Error(`broadcastTo: cannot broadcast [${source.shape.join(', ')}] to [${shape.join(', ')}]`);
  }
  return {
    shape,
    dtype: source.dtype,
    bindings: source.bindings,
    read: (coords, part) => source.read(source.shape.map((d, i) => (d === 1 ? '0' : coords[i + offset])), part),
  };
}

/** `source` with its axes permuted: result axis i is source axis perm[i]. */
export function permuteAxes(source: Operand, perm: readonly number[]): Operand {
  const rank = source.shape.length;
  const sorted = [...perm].sort((a, b) => a - b);
  if (perm.length !== rank || sorted.some((p, i) => p !== i)) {
    throw new Error(`permuteAxes: [${perm.join(', ')}] is not a permutation of ${rank} axes`);
  }
  return {
    shape: perm.map((p) => source.shape[p]),
    dtype: source.dtype,
    bindings: source.bindings,
    read: (coords, part) => {
      const src = new Array<string>(rank);
      perm.forEach((p, i) => { src[p] = coords[i]; });
      return source.read(src, part);
    },
  };
}

/** Thread-to-element split for a flat output of `dtype`: binds `_e` (element) and `_part`. */
export function elementOfCell(cell: string, dtype: Dtype): string[] {
  if (dtype === 'f32') return [`const _e = ${cell};`];
  return [`const _e = Math.floor(${cell} / 2);`, `const _part = ${cell} - _e * 2;`];
}
