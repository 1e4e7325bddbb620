/**
 * Host equations of a lowered program (random bits and the key arithmetic before them),
 * evaluated by the interpreter before the kernels run; shared by both executables.
 */
import { evalIR } from '../interpreter/index';
import { type Eqn, type IR, Lit, type Var } from '../ir';
import type { NDArray } from '../ndarray';

export function hostValues(ir: IR, hostEqns: readonly Eqn[], consts: readonly NDArray[], args: readonly NDArray[]): Map<Var, NDArray> {
  const out = new Map<Var, NDArray>();
  if (hostEqns.length === 0) return out;
  const sub = { constVars: ir.constVars, inVars: ir.inVars, eqns: hostEqns, outAtoms: hostEqns.flatMap((e) => e.outputs) };
  const values = evalIR(sub, consts, args);
  sub.outAtoms.forEach((v, i) => out.set(v, values[i]));
  return out;
}

/**
 * Which program arguments the host equations read: only those need host values, so a call
 * with device-resident arguments reads back none of the others (e.g. a dropout key is read, the
 * parameters are not).
 */
export function hostArgIndices(ir: IR, hostEqns: readonly Eqn[]): Set<number> {
  const used = new Set<Var>();
  for (const e of hostEqns) for (const a of e.inputs) if (!(a instanceof Lit)) used.add(a);
  return new Set(ir.inVars.flatMap((v, i) => (used.has(v) ? [i] : [])));
}
