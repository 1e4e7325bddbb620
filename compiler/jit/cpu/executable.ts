/**
 * An executable for the CPU backend: a kernel program loaded into the wasm runtime. A call
 * evaluates the host equations (random bits) with the interpreter, writes the arguments into
 * their buffers in the shared memory, runs the kernels, and reads the outputs from their
 * buffer views; nothing else crosses between the host and the kernels.
 */
import type { WasmProgram, WasmRuntime } from '../../../kernels/wasm/runtime';
import type { SharedHeap } from '../../../kernels/wasm/memory';
import { copyWithinHeap, countCall, DeviceArray, transfers } from './deviceArray';
import type { View } from '../../../kernels/cpu/template';
import type { KFunction } from '../../../kernels/ir/types';
import { buffersOf } from '../../../kernels/ir/walk';
import { hostArgIndices, hostValues } from '../hostValues';
import { filled, lanes, type NDArray, ndarray } from '../../ndarray';
import type { CpuLowered } from './lower';

export class CpuExecutable {
  private constructor(
    readonly lowered: CpuLowered,
    readonly loaded: WasmProgram,
    private readonly heap: SharedHeap,
    private readonly consts: readonly NDArray[],
    /** The input buffers a kernel reads or an output views: the only ones a call writes. */
    private readonly feeds: CpuLowered['inputs'],
  ) {}

  static async create(lowered: CpuLowered, runtime: WasmRuntime, functions: ReadonlyMap<string, KFunction>, consts: readonly NDArray[]): Promise<CpuExecutable> {
    const keep = new Set<string>();
    for (const o of lowered.outputs) if ('view' in o) keep.add(o.view.buf);
    const loaded = await runtime.load(lowered.program, functions, keep);
    const used = new Set([...keep, ...lowered.program.kernels.flatMap((k) => [...buffersOf(k.body)])]);
    return new CpuExecutable(lowered, loaded, runtime.heap, consts, lowered.inputs.filter((x) => used.has(x.buf)));
  }

  /** Kernels a call launches (the program's, less those with no work, which are skipped). */
  get launches(): number {
    return this.lowered.program.kernels.filter((k) => k.units > 0).length;
  }

  /** Host-to-device and device-to-host floats of one call. */
  get transferFloats(): { in: number; out: number } {
    const size = (id: string) => this.lowered.program.buffers.find((b) => b.id === id)?.size ?? 0;
    return {
      in: this.feeds.reduce((s, x) => s + size(x.buf), 0),
      out: this.lowered.outputs.reduce((s, o) => s + ('view' in o ? o.view.shape.reduce((a, b) => a * b, 1) * lanes(o.aval.dtype) : 0), 0),
    };
  }

  /**
   * Runs the program. Arguments already in the shared memory (device arrays) are copied there
   * memory to memory; host values are written in. Contiguous outputs stay in the shared memory
   * as device arrays; others are read to the host.
   */
  run(args: readonly (NDArray | DeviceArray)[]): (NDArray | DeviceArray)[] {
    const { lowered, loaded, heap } = this;
    countCall();
    const needed = hostArgIndices(lowered.ir, lowered.hostEqns);
    const host = lowered.hostEqns.length
      ? hostValues(lowered.ir, lowered.hostEqns, this.consts, args.map((a, i) => (a instanceof DeviceArray ? (needed.has(i) ? a.read() : (undefined as never)) : a)))
      : new Map();
    for (const x of this.feeds) {
      const value = x.source.kind === 'arg' ? args[x.source.index] : (host.get(x.source.v) as NDArray);
      if (value instanceof DeviceArray && value.heap === heap) {
        copyWithinHeap(heap, loaded.address(x.buf), value.region.offset, value.floats * 4);
      } else {
        const data = value instanceof DeviceArray ? value.read().data : value.data;
        loaded.write(x.buf, data);
        transfers.toDevice += data.length;
      }
    }
    loaded.run();
    transfers.kernels += this.launches;
    return lowered.outputs.map((o) => {
      if ('literal' in o) return filled(o.aval.dtype, o.aval.shape, o.literal.re, o.literal.im);
      const floats = o.view.shape.reduce((a, b) => a * b, 1) * lanes(o.aval.dtype);
      const region = heap.alloc(Math.max(floats * 4, 4), 'a jitted output');
      if (isContiguous(o.view, o.aval.dtype)) {
        copyWithinHeap(heap, region.offset, loaded.address(o.view.buf) + 4 * o.view.offset, floats * 4);
      } else {
        // A strided view (an output that is a transpose or a part of a buffer): gathered in place.
        const integer = o.aval.dtype === 'i32' || o.aval.dtype === 'bool';
        (integer ? heap.i32(region) : heap.f32(region)).set(readView(loaded.view(o.view.buf), o.view, o.aval.dtype).data);
      }
      return new DeviceArray(heap, region, o.aval.dtype, o.aval.shape);
    });
  }

  release(): void {
    this.loaded.release();
  }
}


const isContiguous = (view: View, dtype: NDArray['dtype']): boolean =>
  view.strides.every((s, i) => view.shape[i] === 1 || s === lanes(dtype) * view.shape.slice(i + 1).reduce((a, b) => a * b, 1));

/** The elements of a strided view, row-major, as an NDArray (float64). */
export function readView(mem: Float32Array | Int32Array, view: View, dtype: NDArray['dtype']): NDArray {
  const out = ndarray(dtype, view.shape);
  const l = lanes(dtype);
  const n = out.data.length / l;
  if (isContiguous(view, dtype)) {
    out.data.set(mem.subarray(view.offset, view.offset + n * l));
    return out;
  }
  const rank = view.shape.length;
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0; i < n; i++) {
    let at = view.offset;
    for (let a = 0; a < rank; a++) at += idx[a] * view.strides[a];
    for (let c = 0; c < l; c++) out.data[i * l + c] = mem[at + c];
    for (let a = rank - 1; a >= 0; a--) {
      if (++idx[a] < view.shape[a]) break;
      idx[a] = 0;
    }
  }
  return out;
}
