/**
 * An executable: a lowered program bound to a kernel runtime. A call evaluates the host
 * equations (random bits) with the interpreter, hands the arguments to the plan (host values
 * are uploaded; values already resident on this runtime are bound as they are; values held
 * elsewhere are read back first), runs it with intermediates resident on the device, and then
 * either reads the packed outputs back once or, when the program was lowered with separate
 * outputs, keeps every output on the device as a `ResidentValue`.
 */
import { DeviceTensor, type KernelRuntime, type PlanInput } from '../../kernels/runtime';
import { hostArgIndices, hostValues } from './hostValues';
import { filled, lanes, type NDArray, ndarray } from '../ndarray';
import { sizeOf } from '../shape';
import type { DeviceValue } from '../tensor';
import type { LoweredProgram } from './lower';
import { ResidentValue } from './residentValue';

/** An argument: a host value, or a value some backend holds. */
export type ExecutableArg = NDArray | DeviceValue;

const isHost = (a: ExecutableArg): a is NDArray => 'data' in a && 'dtype' in a;

export class Executable {
  constructor(
    readonly program: LoweredProgram,
    readonly runtime: KernelRuntime,
    private readonly consts: readonly NDArray[],
  ) {}

  /** Whether outputs stay on the device (the program was lowered with separate outputs). */
  get resident(): boolean {
    return this.program.plan.results !== undefined;
  }

  /** Host-to-device and device-to-host floats of one call whose arguments are all host values and whose outputs are all read. */
  get transferFloats(): { in: number; out: number } {
    const { program } = this;
    return {
      in: program.plan.inputs.reduce((s, b) => s + b.dims.reduce((x, y) => x * y, 1), 0),
      out: program.outputs.reduce((s, o) => s + (o.literal ? 0 : sizeOf(o.aval.shape) * lanes(o.aval.dtype)), 0),
    };
  }

  private async planInput(value: ExecutableArg): Promise<PlanInput> {
    if (value instanceof ResidentValue && value.runtime === this.runtime) return value.tensor;
    const host = isHost(value) ? value : await value.fetch();
    return host.data.length ? Float32Array.from(host.data) : new Float32Array(1);
  }

  async run(args: readonly ExecutableArg[]): Promise<(NDArray | ResidentValue)[]> {
    const { program } = this;
    const needed = hostArgIndices(program.ir, program.hostEqns);
    const hostArgs = await Promise.all(args.map((a, i) => (isHost(a) ? a : needed.has(i) ? a.fetch() : undefined)));
    const host = hostValues(program.ir, program.hostEqns, this.consts, hostArgs as NDArray[]);
    const inputs = await Promise.all(program.planInputs.map((p) => this.planInput(p.kind === 'arg' ? args[p.index] : (host.get(p.v) as NDArray))));
    if (this.resident) {
      const results = program.plan.results?.length ? await this.runtime.runResidentAll(program.plan, inputs) : [];
      return program.outputs.map((slot) => {
        if (slot.literal) return filled(slot.aval.dtype, slot.aval.shape, slot.literal.re, slot.literal.im);
        return new ResidentValue(results[slot.result as number] as DeviceTensor, slot.aval.dtype, slot.aval.shape);
      });
    }
    const packed = program.packedLength > 0 ? await this.runtime.run(program.plan, inputs) : new Float32Array(0);
    return program.outputs.map((slot) => {
      const n = sizeOf(slot.aval.shape) * lanes(slot.aval.dtype);
      return ndarray(slot.aval.dtype, slot.aval.shape, Float64Array.from(packed.subarray(slot.offset, slot.offset + n)));
    });
  }
}

