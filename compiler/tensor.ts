/**
 * Tensor: the value users compute with. A tensor is either concrete (an NDArray evaluated by the
 * reference interpreter) or a tracer (a variable of the program being traced). dtype and shape
 * are part of its TypeScript type: `Tensor<'c64', readonly [8, 64]>`; dims not known statically
 * are `number`.
 */
import type { DType } from './dtype';
import type { AVal, Var } from './ir';
import type { NDArray } from './ndarray';
import { type Shape, sizeOf } from './shape';
import { formatTensor } from './tensorFormat';

/** A trace records equations; tracers point at one. Defined in ./tracer. */
export interface TraceRef {
  readonly level: number;
  readonly active: boolean;
}

/**
 * A value held by a backend (the wasm backend's shared memory, a WebGPU storage buffer, a WebGL
 * texture), read back on demand. `read` is synchronous and throws where the backend only reads
 * asynchronously (WebGPU) and the value has not been fetched yet; `fetch` works everywhere. Both
 * read once and keep the host copy.
 */
export interface DeviceValue {
  /** Whether `read` can answer now (synchronous reads, or a host copy already fetched). */
  readonly readable: boolean;
  read(): NDArray;
  fetch(): Promise<NDArray>;
  /** Frees the device memory now instead of when the value is garbage collected. */
  release?(): void;
  /** Whether release() gave the device memory back. */
  readonly released?: boolean;
}

export type TensorImpl =
  | { readonly kind: 'concrete'; readonly value: NDArray }
  | { readonly kind: 'device'; readonly device: DeviceValue }
  | { readonly kind: 'tracer'; readonly trace: TraceRef; readonly v: Var };

/** A complex scalar as returned by item()/toArray() on c64 tensors. */
export interface Complex {
  re: number;
  im: number;
}

export type Scalar<D extends DType> = D extends 'c64' ? Complex : D extends 'bool' ? boolean : number;

export type Nested<T> = T | Nested<T>[];

export class Tensor<D extends DType = DType, S extends Shape = Shape> {
  /** @internal */
  constructor(readonly impl: TensorImpl, readonly aval: AVal) {}

  get dtype(): D {
    return this.aval.dtype as D;
  }
  get shape(): S {
    return this.aval.shape as S;
  }
  get ndim(): number {
    return this.aval.shape.length;
  }
  get size(): number {
    return sizeOf(this.aval.shape);
  }
  get isTracer(): boolean {
    return this.impl.kind === 'tracer';
  }

  /** The float64 value (concrete tensors only; a device-resident one is read back once). */
  value(): NDArray {
    if (this.impl.kind === 'device') return this.impl.device.read();
    if (this.impl.kind !== 'concrete') {
      throw new Error(
        `cannot read the value of a traced ${this.dtype}[${this.shape.join(',')}] inside a transformed function; ` +
          'return it from the function instead',
      );
    }
    return this.impl.value;
  }

  /**
   * The float64 value, read back from the device first where that read is asynchronous (a
   * WebGPU-resident jit output); afterwards value(), data() and printing work synchronously.
   */
  async fetch(): Promise<NDArray> {
    return this.impl.kind === 'device' ? this.impl.device.fetch() : this.value();
  }

  /** Values as a typed array: f32 -> Float32Array, i32 -> Int32Array, bool -> Uint8Array, c64 -> interleaved Float32Array. */
  data(): D extends 'i32' ? Int32Array : D extends 'bool' ? Uint8Array : Float32Array {
    const v = this.value();
    const out = v.dtype === 'i32' ? Int32Array.from(v.data) : v.dtype === 'bool' ? Uint8Array.from(v.data) : Float32Array.from(v.data);
    return out as never;
  }

  /** Values in float64, as the interpreter computed them. */
  data64(): Float64Array {
    return this.value().data;
  }

  item(): Scalar<D> {
    if (this.size !== 1) throw new Error(`item() needs a tensor of one element, got shape [${this.shape.join(',')}]`);
    return this.scalarAt(0);
  }

  toArray(): Nested<Scalar<D>> {
    const build = (dim: number, offset: number): Nested<Scalar<D>> => {
      if (dim === this.ndim) return this.scalarAt(offset);
      const stride = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  private scalarAt(i: number): Scalar<D> {
    const v = this.value();
    if (v.dtype === 'c64') return { re: v.data[2 * i], im: v.data[2 * i + 1] } as Scalar<D>;
    if (v.dtype === 'bool') return (v.data[i] !== 0) as Scalar<D>;
    return v.data[i] as Scalar<D>;
  }

  /** dtype, shape and values: `Tensor<f32>[2,2] [[1, 2], [3, 4]]` (see tensorFormat.ts). */
  toString(): string {
    if (this.impl.kind === 'device' && !this.impl.device.readable) {
      const where = this.impl.device.released ? 'released from device memory before its values were read' : 'in device memory: await tensor.fetch() to read its values';
      return `Tensor<${this.dtype}>[${this.shape.join(',')}] (${where})`;
    }
    return formatTensor(this.dtype, this.shape, this.impl.kind === 'tracer' ? undefined : this.value().data);
  }

  /** console.log and the REPL show toString() instead of the tensor's internals. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** A tensor whose values a backend holds (see compiler/jit/cpu/deviceArray.ts). */
export const deviceTensor = <D extends DType = DType, S extends Shape = Shape>(device: DeviceValue, aval: AVal): Tensor<D, S> =>
  new Tensor<D, S>({ kind: 'device', device }, aval);

export const concreteTensor = <D extends DType = DType, S extends Shape = Shape>(value: NDArray): Tensor<D, S> =>
  new Tensor<D, S>({ kind: 'concrete', value }, { shape: value.shape, dtype: value.dtype });
