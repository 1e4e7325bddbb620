/**
 * Inlining of call equations (custom_vjp, custom_jvp, checkpoint; compiler/calls.ts): each is
 * replaced by its body's equations on fresh variables, its captured values and arguments
 * substituted for the body's inputs, nested calls inlined in turn. Once differentiation is done
 * a call is just its body; the jit runs this after CSE, so a checkpointed forward recomputed in
 * the backward pass stays a recomputation instead of being merged with the original.
 */
import { callBody } from '../calls';
import { type Atom, type Eqn, type IR, Lit, Var } from '../ir';
import { renameAtom, renameAtoms } from './rename';

export function inlineCalls(ir: IR): IR {
  if (!ir.eqns.some((e) => callBody(e))) return ir;
  const replace = new Map<Var, Atom>();
  const eqns: Eqn[] = [];
  const emit = (e0: Eqn): void => {
    const e = renameAtoms(e0, replace);
    const body = callBody(e);
    if (!body) {
      eqns.push(e);
      return;
    }
    const env = new Map<Var, Atom>();
    [...body.constVars, ...body.inVars].forEach((v, i) => env.set(v, e.inputs[i]));
    const substitute = (a: Atom): Atom => (a instanceof Lit ? a : (env.get(a) ?? unbound(a)));
    for (const inner of body.eqns) {
      const outputs = inner.outputs.map((v) => {
        const fresh = new Var(v.aval);
        env.set(v, fresh);
        return fresh;
      });
      emit({ ...inner, inputs: inner.inputs.map(substitute), outputs });
    }
    e.outputs.forEach((v, i) => replace.set(v, substitute(body.outAtoms[i])));
  };
  ir.eqns.forEach(emit);
  return { ...ir, eqns, outAtoms: ir.outAtoms.map((a) => renameAtom(a, replace)) };
}

function unbound(v: Var): never {
  throw new Error(`inlineCalls: a call body uses variable ${v.id}, which it neither defines nor takes as input`);
}
