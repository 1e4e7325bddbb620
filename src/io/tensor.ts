/**
 * Host tensors as stored in files: a dtype, a shape and a flat row-major typed array.
 * `C64` (complex64) holds interleaved (re, im) float32 pairs, 2 * product(shape) numbers.
 */

export type Tensor =
  | { readonly dtype: 'F32'; readonly shape: readonly number[]; readonly data: Float32Array }
  | { readonly dtype: 'F64'; readonly shape: readonly number[]; readonly data: Float64Array }
  | { readonly dtype: 'I32'; readonly shape: readonly number[]; readonly data: Int32Array }
  | { readonly dtype: 'BOOL'; readonly shape: readonly number[]; readonly data: Uint8Array }
  | { readonly dtype: 'C64'; readonly shape: readonly number[]; readonly data: Float32Array };

export type TensorDtype = Tensor['dtype'];

/** Tensors by name. */
export type TensorMap = Readonly<Record<string, Tensor>>;

/** Number of elements of a shape (1 for a scalar shape []). */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

/** Typed-array values per element: 2 for C64, 1 otherwise. */
export function valuesPerElement(dtype: TensorDtype): number {
  return dtype === 'C64' ? 2 : 1;
}

/** Throws a RangeError when a tensor's data length disagrees with its shape. */
export function checkTensor(name: string, tensor: Tensor): void {
  if (!tensor.shape.every((size) => Number.isSafeInteger(size) && size >= 0)) {
    throw new RangeError(`tensor "${name}": shape [${tensor.shape.join(', ')}] must hold non-negative integers`);
  }
  const expected = shapeSize(tensor.shape) * valuesPerElement(tensor.dtype);
  if (tensor.data.length !== expected) {
    throw new RangeError(`tensor "${name}": ${tensor.dtype} shape [${tensor.shape.join(', ')}] needs ${expected} values, data holds ${tensor.data.length}`);
  }
}
