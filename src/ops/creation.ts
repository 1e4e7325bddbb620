/**
 * Creating tensors: from JS arrays and typed arrays, constants, iota ranges, eye.
 */
import type { DType } from '../../compiler/dtype';
import { coerce, lanes, ndarray } from '../../compiler/ndarray';
import { type Shape, showShape, sizeOf } from '../../compiler/shape';
import { bind1 } from '../../compiler/tracer';
import { type Complex, concreteTensor, type Tensor } from '../tensor';
import { castTo, describeValue } from './core';

/** A shape given by the user: an array of non-negative integers, else an error naming the op. */
export function checkShape(op: string, shape: unknown): readonly number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new TypeError(`${op}: shape must be an array of non-negative integers, got ${Array.isArray(shape) ? JSON.stringify(shape) : describeValue(shape)}`);
  }
  return shape;
}

/** Every leaf of nested data is a number, a boolean or a {re, im} pair; else an error naming its path. */
function checkData(x: unknown, path: string): void {
  if (Array.isArray(x)) x.forEach((e, i) => checkData(e, `${path}[${i}]`));
  else if (typeof x === 'number' || typeof x === 'boolean') return;
  else if (typeof x === 'object' && x !== null && typeof (x as Complex).re === 'number' && typeof (x as Complex).im === 'number') return;
  else throw new TypeError(`tensor: data${path} must be a number, a boolean or {re, im}, got ${describeValue(x)}`);
}

type Flat = ArrayLike<number>;
type NestedNum = number | boolean | Complex | readonly NestedNum[];

function inferShape(x: NestedNum): number[] {
  return Array.isArray(x) ? [x.length, ...(x.length ? inferShape(x[0]) : [])] : [];
}

function flatten(x: NestedNum, out: number[]): void {
  if (Array.isArray(x)) for (const e of x) flatten(e, out);
  else if (typeof x === 'object') out.push((x as Complex).re, (x as Complex).im);
  else out.push(+(x as number));
}

/**
 * tensor(data, dtype?, shape?): from nested JS arrays (shape inferred) or a flat array/typed
 * array with an explicit shape. c64 data is given as {re, im} objects or interleaved numbers.
 */
export function tensor<D extends DType = 'f32', const S extends Shape = Shape>(data: NestedNum | Flat, dtype?: D, shape?: S): Tensor<D, S> {
  const d = (dtype ?? 'f32') as D;
  if (!['f32', 'i32', 'bool', 'c64'].includes(d)) throw new TypeError(`tensor: unknown dtype ${JSON.stringify(d)} (f32, i32, bool or c64)`);
  if (shape !== undefined) checkShape('tensor', shape);
  const typed = ArrayBuffer.isView(data) || (typeof data === 'object' && data !== null && !Array.isArray(data) && typeof (data as Flat).length === 'number');
  if (!typed) checkData(data, '');
  const nested = Array.isArray(data) || typeof data !== 'object' || !('length' in data);
  const sh = shape ?? (nested ? inferShape(data as NestedNum) : [(data as Flat).length / lanes(d)]);
  let values: number[];
  if (nested && (Array.isArray(data) || typeof data !== 'object')) {
    values = [];
    flatten(data as NestedNum, values);
  } else {
    values = Array.from(data as Flat);
  }
  if (d === 'c64' && values.length === sizeOf(sh)) values = values.flatMap((v) => [v, 0]);
  const need = sizeOf(sh) * lanes(d);
  if (values.length !== need) throw new Error(`tensor: ${values.length} values do not fill a ${d}${showShape(sh)} tensor (${need} needed)`);
  return concreteTensor(ndarray(d, sh, Float64Array.from(values, (v) => coerce(d, v))));
}

export const full = <D extends DType = 'f32', const S extends Shape = Shape>(shape: S, value: number, dtype?: D): Tensor<D, S> => {
  const d = (dtype ?? 'f32') as D;
  checkShape('full', shape);
  if (typeof value !== 'number' && typeof value !== 'boolean') throw new TypeError(`full: value must be a number, got ${describeValue(value)}`);
  const a = ndarray(d, shape);
  for (let i = 0; i < sizeOf(shape); i++) a.data[i * lanes(d)] = coerce(d, value);
  return concreteTensor(a);
};

export const zeros = <D extends DType = 'f32', const S extends Shape = Shape>(shape: S, dtype?: D): Tensor<D, S> => full(shape, 0, dtype);
export const ones = <D extends DType = 'f32', const S extends Shape = Shape>(shape: S, dtype?: D): Tensor<D, S> => full(shape, 1, dtype);
export const scalar = <D extends DType = 'f32'>(value: number, dtype?: D): Tensor<D, readonly []> => full([] as const, value, dtype);

/** iota: values 0..shape[axis]-1 along `axis`, broadcast over the other axes. */
export const iota = <D extends 'f32' | 'i32' = 'i32', const S extends Shape = Shape>(shape: S, axis = 0, dtype?: D): Tensor<D, S> =>
  bind1('iota', [], { shape: [...shape], axis: axis < 0 ? axis + shape.length : axis, dtype: dtype ?? 'i32' }) as never;

/** arange(n): [0, 1, ..., n-1]. */
export const arange = <D extends 'f32' | 'i32' = 'i32'>(n: number, dtype?: D): Tensor<D, readonly [number]> => iota([n], 0, dtype);

export function linspace(start: number, stop: number, n: number): Tensor<'f32', readonly [number]> {
  const step = n > 1 ? (stop - start) / (n - 1) : 0;
  return tensor(Array.from({ length: n }, (_, i) => start + i * step), 'f32', [n]);
}

export function eye<D extends 'f32' | 'c64' = 'f32'>(n: number, dtype?: D): Tensor<D, readonly [number, number]> {
  const a = ndarray('f32', [n, n]);
  for (let i = 0; i < n; i++) a.data[i * n + i] = 1;
  return castTo(concreteTensor(a), dtype ?? 'f32') as never;
}

export const zerosLike = <D extends DType, S extends Shape>(x: Tensor<D, S>): Tensor<D, S> => zeros(x.shape, x.dtype);
