/**
 * Algebraic simplification: removes equations that do nothing (a reshape, broadcast or
 * transpose to the same shape, a cast to the same dtype, x·1, x+0, x−0, x/1, a double
 * negation or conjugation, a reverse of a reverse, stop_gradient, which only differentiation
 * sees), folding each into a variable rename.
 */
import type { Atom, Eqn, IR, Var } from '../ir';
import { Lit } from '../ir';
import { shapeEq } from '../shape';
import { renameAtom, renameAtoms } from './rename';

const isConst = (a: Atom, v: number): boolean => a instanceof Lit && a.re === v && a.im === 0;

/** The atom an equation is equivalent to, if it is a no-op. */
function passThrough(e: Eqn, producer: ReadonlyMap<Var, Eqn>): Atom | undefined {
  const [x, y] = e.inputs;
  const out = e.outputs[0];
  const sameAval = (a: Atom): boolean => a.aval.dtype === out.aval.dtype && shapeEq(a.aval.shape, out.aval.shape);
  switch (e.prim) {
    case 'stop_gradient':
      return x;
    case 'reshape':
    case 'broadcast_in_dim':
    case 'cast':
      return sameAval(x) ? x : undefined;
    case 'transpose':
      return (e as Eqn<'transpose'>).params.perm.every((p, i) => p === i) ? x : undefined;
    case 'slice':
    case 'pad':
      return sameAval(x) ? x : undefined;
    case 'mul':
      return isConst(y, 1) && sameAval(x) ? x : isConst(x, 1) && sameAval(y) ? y : undefined;
    case 'add':
      return isConst(y, 0) && sameAval(x) ? x : isConst(x, 0) && sameAval(y) ? y : undefined;
    case 'sub':
    case 'div':
      return isConst(y, e.prim === 'sub' ? 0 : 1) && sameAval(x) ? x : undefined;
    case 'neg':
    case 'conj': {
      const p = x instanceof Lit ? undefined : producer.get(x);
      return p && p.prim === e.prim ? p.inputs[0] : undefined;
    }
    case 'reverse': {
      const p = x instanceof Lit ? undefined : producer.get(x);
      const axes = (e as Eqn<'reverse'>).params.axes;
      if (axes.length === 0) return x;
      return p && p.prim === 'reverse' && (p as Eqn<'reverse'>).params.axes.join() === axes.join() ? p.inputs[0] : undefined;
    }
    default:
      return undefined;
  }
}

export function simplify(ir: IR): IR {
  const replace = new Map<Var, Atom>();
  const producer = new Map<Var, Eqn>();
  const kept: Eqn[] = [];
  for (const e0 of ir.eqns) {
    const e = renameAtoms(e0, replace);
    const same = e.outputs.length === 1 ? passThrough(e, producer) : undefined;
    if (same !== undefined) {
      replace.set(e.outputs[0], same);
      continue;
    }
    e.outputs.forEach((v) => producer.set(v, e));
    kept.push(e);
  }
  if (kept.length === ir.eqns.length) return ir;
  return { ...ir, eqns: kept, outAtoms: ir.outAtoms.map((a) => renameAtom(a, replace)) };
}
