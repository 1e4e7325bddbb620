/**
 * Common-subexpression elimination: two equations with the same primitive, parameters and
 * inputs compute the same values (every primitive is pure), so the later one is replaced by
 * the earlier one's outputs.
 */
import type { Atom, Eqn, IR, Var } from '../ir';
import { Lit } from '../ir';
import { renameAtoms } from './rename';

function atomKey(a: Atom): string {
  return a instanceof Lit ? `L${a.dtype}:${a.re}:${a.im}` : `v${a.id}`;
}

function paramsKey(e: Eqn): string {
  return JSON.stringify(e.params, (k, v) => (k === 'combine' || isSubProgram(v) ? combineKey(v) : v));
}

/** A parameter holding a program (a call's body, a custom rule). */
const isSubProgram = (v: unknown): v is object => typeof v === 'object' && v !== null && ('eqns' in v || ('ir' in v && 'consts' in v));

/** Sub-IRs compare by identity: two traces of a combine are rarely worth proving equal. */
const combineIds = new WeakMap<object, number>();
let nextCombineId = 0;
function combineKey(c: object): number {
  let id = combineIds.get(c);
  if (id === undefined) combineIds.set(c, (id = nextCombineId++));
  return id;
}

export function cse(ir: IR): IR {
  const replace = new Map<Var, Var>();
  const seen = new Map<string, Eqn>();
  const kept: Eqn[] = [];
  for (const e0 of ir.eqns) {
    const e = renameAtoms(e0, replace);
    const key = `${e.prim}|${paramsKey(e)}|${e.inputs.map(atomKey).join(',')}`;
    const prev = seen.get(key);
    if (prev && e.prim !== 'random_bits') {
      e.outputs.forEach((v, i) => replace.set(v, prev.outputs[i]));
      continue;
    }
    seen.set(key, e);
    kept.push(e);
  }
  if (kept.length === ir.eqns.length) return ir;
  return { ...ir, eqns: kept, outAtoms: ir.outAtoms.map((a) => (a instanceof Lit ? a : (replace.get(a) ?? a))) };
}
