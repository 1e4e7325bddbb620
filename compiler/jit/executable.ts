/**
 * An executable: a lowered program bound to a kernel runtime. A call evaluates the host
 * equations (random bits) with the interpreter, uploads the arguments once, runs the plan with
 * intermediates resident on the device, and reads the packed outputs back once.
 */
import type { KernelRuntime } from '../../kernels/runtime';
import { hostValues } from './hostValues';
import { lanes, type NDArray, ndarray } from '../ndarray';
import { sizeOf } from '../shape';
import type { LoweredProgram } from './lower';

export class Executable {
  constructor(
    readonly program: LoweredProgram,
    readonly runtime: KernelRuntime,
    private readonly consts: readonly NDArray[],
  ) {}

  async run(args: readonly NDArray[]): Promise<NDArray[]> {
    const { program } = this;
    const host = hostValues(program.ir, program.hostEqns, this.consts, args);
    const inputs = program.planInputs.map((p) => Float32Array.from(p.kind === 'arg' ? args[p.index].data : (host.get(p.v) as NDArray).data));
    const packed = program.packedLength > 0 ? await this.runtime.run(program.plan, inputs.map((x) => (x.length ? x : new Float32Array(1)))) : new Float32Array(0);
    return program.outputs.map((slot) => {
      const n = sizeOf(slot.aval.shape) * lanes(slot.aval.dtype);
      return ndarray(slot.aval.dtype, slot.aval.shape, Float64Array.from(packed.subarray(slot.offset, slot.offset + n)));
    });
  }
}
