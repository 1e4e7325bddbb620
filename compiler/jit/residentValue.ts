/**
 * Jit outputs kept in a gpu.js backend's device memory (WebGPU storage buffers, WebGL
 * textures): each wraps one `DeviceTensor` of the kernel runtime. Passed to a later call on the
 * same runtime it is bound to the kernels as it is; read, it crosses to the host once (float64,
 * for the interpreter and the user) and keeps that copy. Its device memory is freed by
 * `release()` or, failing that, when the value is garbage collected.
 */
import { type DeviceTensor, type KernelRuntime } from '../../kernels/runtime';
import { describeBackend } from '../../kernels/capabilities';
import type { DType } from '../dtype';
import { lanes, type NDArray, ndarray } from '../ndarray';
import { sizeOf } from '../shape';
import type { DeviceValue } from '../tensor';

const registry = new FinalizationRegistry<DeviceTensor>((tensor) => {
  try {
    tensor.release();
  } catch {
    // the runtime (and its device) was destroyed first; its memory went with it
  }
});

export class ResidentValue implements DeviceValue {
  private cached?: NDArray;

  constructor(
    readonly tensor: DeviceTensor,
    readonly dtype: DType,
    readonly shape: readonly number[],
  ) {
    if (tensor.length !== Math.max(sizeOf(shape) * lanes(dtype), 1)) {
      throw new Error(`ResidentValue: a ${dtype}[${shape.join(',')}] needs ${sizeOf(shape) * lanes(dtype)} floats, the device tensor holds ${tensor.length}`);
    }
    registry.register(this, tensor, this);
  }

  get readable(): boolean {
    return this.cached !== undefined || (!this.tensor.released && describeBackend(this.runtime.backend).syncReads);
  }

  get released(): boolean {
    return this.tensor.released;
  }

  get runtime(): KernelRuntime {
    return this.tensor.runtime;
  }

  private host(data: Float32Array): NDArray {
    this.cached = ndarray(this.dtype, this.shape, Float64Array.from(data.subarray(0, sizeOf(this.shape) * lanes(this.dtype))));
    return this.cached;
  }

  read(): NDArray {
    if (this.cached) return this.cached;
    const backend = this.runtime.backend;
    if (!describeBackend(backend).syncReads) {
      throw new Error(
        `this ${this.dtype}[${this.shape.join(',')}] lives in ${backend} device memory, which is read back asynchronously: ` +
          '`await tensor.fetch()` (or `await T.deviceGet(tree)`) before reading its values',
      );
    }
    return this.host(this.tensor.readSync());
  }

  async fetch(): Promise<NDArray> {
    return this.cached ?? this.host(await this.tensor.read());
  }

  release(): void {
    registry.unregister(this);
    this.tensor.release();
  }
}
