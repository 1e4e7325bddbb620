/**
 * Fusion schedule: decides which variables are materialised in buffers. Everything else is
 * fused: computed inside the kernels that read it, so an intermediate that nothing else reads
 * never reaches memory.
 *
 * Kinds of equation (from the codegen table): elementwise and view equations are fusible;
 * kernel equations (matmul, reductions, scans, FFTs, scatter) always write a buffer; host
 * equations (random bits and the key arithmetic before them) run on the host before launch.
 *
 * A fusible variable is materialised when inlining it would repeat real work (program outputs
 * that stay fused are computed by the kernel that packs the outputs): it is read by a kernel
 * equation and is not cheap, or it is read by several consumers and is not cheap, or it is a
 * matmul operand that is anything but a free view (matmul reads each element once per output
 * column). "Cheap" is a view chain over buffers plus at most a couple of real arithmetic
 * operations; free views are permutations, broadcasts, slices and unit-axis reshapes.
 */
import type { Atom, Eqn, IR, Var } from '../ir';
import { Lit } from '../ir';
import { codegenKind, type CodegenRule } from './codegen';
import type { Prim } from '../primitives';

export interface Schedule {
  /** Variables that live in buffers (kernel outputs, inputs, consts, materialised fusions). */
  readonly materialized: ReadonlySet<Var>;
  /** Equations evaluated on the host before the kernels run. */
  readonly hostEqns: ReadonlySet<Eqn>;
  readonly producer: ReadonlyMap<Var, Eqn>;
}

const CHEAP = 2;

export interface ScheduleOptions {
  /** Random bits are computed by a kernel (backends with exact integers), not on the host. */
  readonly randomOnDevice?: boolean;
}

/** The codegen kind of a primitive under the options (random bits may be a kernel). */
export const scheduleKind = (p: Prim, opts: ScheduleOptions = {}): CodegenRule<Prim>['kind'] =>
  p === 'random_bits' && opts.randomOnDevice ? 'kernel' : codegenKind(p);

export function schedule(ir: IR, opts: ScheduleOptions = {}): Schedule {
  const producer = new Map<Var, Eqn>();
  const uses = new Map<Var, number>();
  const kernelUse = new Set<Var>();
  /** Operands of kernels that read every element many times (matmul: once per output column). */
  const rereadUse = new Set<Var>();
  for (const e of ir.eqns) {
    e.outputs.forEach((v) => producer.set(v, e));
    for (const a of e.inputs) {
      if (a instanceof Lit) continue;
      uses.set(a, (uses.get(a) ?? 0) + 1);
      if (scheduleKind(e.prim, opts) === 'kernel') kernelUse.add(a);
      if (e.prim === 'matmul') rereadUse.add(a);
    }
  }
  const hostEqns = opts.randomOnDevice ? new Set<Eqn>() : hostClosure(ir, producer);
  const materialized = new Set<Var>([...ir.constVars, ...ir.inVars]);
  for (const e of hostEqns) e.outputs.forEach((v) => materialized.add(v));

  // One pass in program order: a value's cost counts only its fused inputs, so materialising an
  // input makes everything downstream of it cheaper.
  const cost = new Map<Var, number>();
  const costOf = (a: Atom): number => (a instanceof Lit || materialized.has(a) ? 0 : (cost.get(a) ?? 0));
  for (const e of ir.eqns) {
    const kind = scheduleKind(e.prim, opts);
    if (kind === 'kernel' || kind === 'host') {
      e.outputs.forEach((v) => materialized.add(v));
      continue;
    }
    const v = e.outputs[0];
    const own = kind === 'view' ? viewCost(e) : v.aval.dtype === 'c64' ? 2 : 1;
    const c = e.inputs.reduce((s, a) => s + costOf(a), own);
    const expensive = c > CHEAP;
    if ((kernelUse.has(v) && expensive) || ((uses.get(v) ?? 0) > 1 && expensive) || (rereadUse.has(v) && c > 0)) {
      materialized.add(v);
    } else {
      cost.set(v, c);
    }
  }
  return { materialized, hostEqns, producer };
}

/** Index arithmetic of a view: free for permutations, broadcasts, slices and unit-axis reshapes. */
function viewCost(e: Eqn): number {
  if (e.prim === 'gather' || e.prim === 'pad' || e.prim === 'concat') return 1;
  if (e.prim === 'reshape') {
    const drop = (s: readonly number[]) => s.filter((d) => d !== 1).join();
    return drop(e.inputs[0].aval.shape) === drop(e.outputs[0].aval.shape) ? 0 : 1;
  }
  return 0;
}

/** random_bits equations and the equations computing their keys; all must depend only on inputs. */
function hostClosure(ir: IR, producer: ReadonlyMap<Var, Eqn>): Set<Eqn> {
  const host = new Set<Eqn>();
  const visit = (e: Eqn): void => {
    if (host.has(e)) return;
    host.add(e);
    for (const a of e.inputs) {
      if (a instanceof Lit) continue;
      const p = producer.get(a);
      if (p) visit(p);
    }
  };
  for (const e of ir.eqns) if (codegenKind(e.prim) === 'host') visit(e);
  for (const e of host) {
    if (codegenKind(e.prim) === 'kernel') {
      throw new Error(`jit: random keys must be computed from inputs by simple ops; '${e.prim}' feeds a random_bits key`);
    }
  }
  return host;
}
