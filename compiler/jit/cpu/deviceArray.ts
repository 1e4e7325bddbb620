/**
 * Values that stay in the wasm backend's shared memory: a jitted function's outputs on wasm
 * are device arrays, read back to the host (float64, for the interpreter and the user) only
 * when someone asks for their values, and copied memory to memory when they are passed to a
 * jitted function again, so the parameters and optimizer state of a training loop never cross
 * to the host between steps. A device array's region is returned to the heap by `release()`
 * (at once: the training loops release each replaced state) or, failing that, when the array is
 * garbage collected; a released array unregisters from the finaliser, so its region is freed
 * exactly once. A released array keeps a host copy it already read; anything else that needs
 * its memory (a read not yet made, being passed to a jitted function) fails and says so.
 */
import { platform } from '#platform';
import type { Region, SharedHeap } from '../../../kernels/wasm/memory';
import { profiling } from '../../../kernels/profile';
import type { DType } from '../../dtype';
import { lanes, type NDArray, ndarray } from '../../ndarray';
import { sizeOf } from '../../shape';

const registry = new FinalizationRegistry<{ heap: SharedHeap; region: Region }>(({ heap, region }) => heap.free(region));

/**
 * Floats moved between the host and the shared memory, executable calls and kernel launches,
 * counted by the wasm executables.
 */
export const transfers = { toDevice: 0, toHost: 0, calls: 0, kernels: 0 };

let reporting = false;
/** With SSMJIT_PROFILE=1, the totals are printed at exit beside the kernel table. */
export function countCall(): void {
  transfers.calls++;
  if (reporting || !profiling()) return;
  reporting = true;
  platform.onExit(() => {
    const per = (n: number) => (transfers.calls ? (n / transfers.calls).toFixed(0) : '0');
    platform.writeDiagnostic(`host<->device floats (wasm): ${transfers.toDevice} to the device, ${transfers.toHost} to the host over ${transfers.calls} calls (${per(transfers.toDevice)} and ${per(transfers.toHost)} per call; 4 bytes each), ${transfers.kernels} kernel launches\n`);
  });
}

export class DeviceArray {
  private cached?: NDArray;
  private freed = false;

  constructor(
    readonly heap: SharedHeap,
    private readonly memory: Region,
    readonly dtype: DType,
    readonly shape: readonly number[],
  ) {
    registry.register(this, { heap, region: memory }, this);
  }

  /** Whether `read` can answer: always, until the array is released without a host copy. */
  get readable(): boolean {
    return this.cached !== undefined || !this.freed;
  }

  /** The array's bytes in the heap; throws once the array is released. */
  get region(): Region {
    if (this.freed) {
      throw new Error(
        `a wasm device array ${this.dtype}[${this.shape.join(',')}] was used after release() ` +
          `(T.releaseDevice freed its ${this.memory.bytes} bytes of shared memory at offset ${this.memory.offset}); ` +
          'keep a value that is still needed out of releaseDevice, or read it first',
      );
    }
    return this.memory;
  }

  /** Returns the region to the heap now; a second release does nothing. */
  /** Whether release() gave its memory back. */
  get released(): boolean {
    return this.freed;
  }

  release(): void {
    if (this.freed) return;
    this.freed = true;
    registry.unregister(this);
    this.heap.free(this.memory);
  }

  get floats(): number {
    return sizeOf(this.shape) * lanes(this.dtype);
  }

  /** The values on the host (read once, then cached; device arrays are immutable). */
  read(): NDArray {
    if (!this.cached) {
      const region = this.region;
      const src = this.dtype === 'i32' || this.dtype === 'bool' ? this.heap.i32(region) : this.heap.f32(region);
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
