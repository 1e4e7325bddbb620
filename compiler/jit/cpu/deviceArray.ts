/**
 * Values that stay in the wasm backend's shared memory: a jitted function's outputs on wasm
 * are device arrays, read back to the host (float64, for the interpreter and the user) only
 * when someone asks for their values, and copied memory to memory when they are passed to a
 * jitted function again, so the parameters and optimizer state of a training loop never cross
 * to the host between steps. A device array's region is freed when it is garbage collected.
 */
import { platform } from '#platform';
import type { Region, SharedHeap } from '../../../kernels/wasm/memory';
import { profiling } from '../../../kernels/profile';
import type { DType } from '../../dtype';
import { lanes, type NDArray, ndarray } from '../../ndarray';
import { sizeOf } from '../../shape';

const registry = new FinalizationRegistry<{ heap: SharedHeap; region: Region }>(({ heap, region }) => heap.free(region));

/** Floats moved between the host and the shared memory, counted by the wasm executables. */
export const transfers = { toDevice: 0, toHost: 0, calls: 0 };

let reporting = false;
/** With SSMJIT_PROFILE=1, the totals are printed at exit beside the kernel table. */
export function countCall(): void {
  transfers.calls++;
  if (reporting || !profiling()) return;
  reporting = true;
  platform.onExit(() => {
    const per = (n: number) => (transfers.calls ? (n / transfers.calls).toFixed(0) : '0');
    platform.writeDiagnostic(`host<->device floats (wasm): ${transfers.toDevice} to the device, ${transfers.toHost} to the host over ${transfers.calls} calls (${per(transfers.toDevice)} and ${per(transfers.toHost)} per call)\n`);
  });
}

export class DeviceArray {
  private cached?: NDArray;
  readonly readable = true;

  constructor(
    readonly heap: SharedHeap,
    readonly region: Region,
    readonly dtype: DType,
    readonly shape: readonly number[],
  ) {
    registry.register(this, { heap, region });
  }

  get floats(): number {
    return sizeOf(this.shape) * lanes(this.dtype);
  }

  /** The values on the host (read once, then cached; device arrays are immutable). */
  read(): NDArray {
    if (!this.cached) {
      const src = this.dtype === 'i32' || this.dtype === 'bool' ? this.heap.i32(this.region) : this.heap.f32(this.region);
      this.cached = ndarray(this.dtype, this.shape, Float64Array.from(src.subarray(0, this.floats)));
      transfers.toHost += this.floats;
    }
    return this.cached;
  }

  async fetch(): Promise<NDArray> {
    return this.read();
  }
}

/** Copies `bytes` bytes inside the heap's memory. */
export function copyWithinHeap(heap: SharedHeap, to: number, from: number, bytes: number): void {
  new Uint8Array(heap.memory.buffer).copyWithin(to, from, from + bytes);
}
