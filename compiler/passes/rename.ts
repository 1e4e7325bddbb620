/**
 * Substituting variables in equations, for passes that replace one value by another.
 */
import type { Atom, Eqn, Var } from '../ir';
import { Lit } from '../ir';

export function renameAtom(a: Atom, replace: ReadonlyMap<Var, Atom>): Atom {
  if (a instanceof Lit) return a;
  let cur: Atom = a;
  for (let next = replace.get(cur); next !== undefined; next = cur instanceof Lit ? undefined : replace.get(cur)) cur = next;
  return cur;
}

export function renameAtoms(e: Eqn, replace: ReadonlyMap<Var, Atom>): Eqn {
  if (replace.size === 0) return e;
  const inputs = e.inputs.map((a) => renameAtom(a, replace));
  return inputs.every((a, i) => a === e.inputs[i]) ? e : { ...e, inputs };
}
