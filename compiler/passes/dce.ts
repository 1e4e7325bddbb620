/**
 * Dead-code elimination: drops equations none of whose outputs reach the program's outputs.
 * Every primitive is pure (random_bits is a function of its key), so this is always safe.
 */
import type { IR, Var } from '../ir';
import { Lit } from '../ir';

export function dce(ir: IR): IR {
  const live = new Set<Var>();
  for (const a of ir.outAtoms) if (!(a instanceof Lit)) live.add(a);
  const kept = [];
  for (let i = ir.eqns.length - 1; i >= 0; i--) {
    const e = ir.eqns[i];
    if (!e.outputs.some((v) => live.has(v))) continue;
    kept.push(e);
    for (const a of e.inputs) if (!(a instanceof Lit)) live.add(a);
  }
  kept.reverse();
  return kept.length === ir.eqns.length ? ir : { ...ir, eqns: kept };
}
