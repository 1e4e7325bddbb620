/**
 * Complex matmuls with real structure, rewritten as real matmuls:
 *   matmul(cast(x), W)   = complex(matmul(x, Re W), matmul(x, Im W))     (x real)
 *   matmul(X, cast(w))   = complex(matmul(Re X, w), matmul(Im X, w))     (w real)
 *   Re(matmul(A, B))     = matmul(Re A, Re B) − matmul(Im A, Im B)        (only Re is used)
 *   Im(matmul(A, B))     = matmul(Re A, Im B) + matmul(Im A, Re B)        (only Im is used)
 * A complex product costs four real multiply-adds per term; the rewrites halve that where half
 * the result is known to be zero or is never read. Both shapes come up in SSM layers: a real
 * input multiplied by complex B̄, and the real part of C·x.
 */
import type { Atom, AVal, Eqn, IR } from '../ir';
import { eqn, Lit, Var } from '../ir';

const realAval = (a: AVal): AVal => ({ shape: a.shape, dtype: 'f32' });

export function splitComplexMatmul(ir: IR): IR {
  const producer = new Map<Var, Eqn>();
  const uses = new Map<Var, number>();
  for (const e of ir.eqns) {
    e.outputs.forEach((v) => producer.set(v, e));
    for (const a of e.inputs) if (!(a instanceof Lit)) uses.set(a, (uses.get(a) ?? 0) + 1);
  }
  for (const a of ir.outAtoms) if (!(a instanceof Lit)) uses.set(a, (uses.get(a) ?? 0) + 1);

  const out: Eqn[] = [];
  let changed = false;
  /** The site of the equation being rewritten, given to the equations replacing it. */
  let site: Eqn['site'];
  const emit = (prim: Eqn['prim'], inputs: readonly Atom[], aval: AVal, params: object = {}): Var => {
    const v = new Var(aval);
    out.push({ ...eqn(prim, inputs, [v], params as never), site });
    return v;
  };
  const part = (a: Atom, which: 'real' | 'imag'): Atom => emit(which, [a], realAval(a.aval));
  /** The real operand behind cast(x: f32 -> c64), if `a` is one. */
  const castFromReal = (a: Atom): Atom | undefined => {
    if (a instanceof Lit) return undefined;
    const p = producer.get(a);
    return p && p.prim === 'cast' && p.inputs[0].aval.dtype === 'f32' ? p.inputs[0] : undefined;
  };
  const matmulOnlyFor = (a: Atom): Eqn | undefined => {
    if (a instanceof Lit || uses.get(a) !== 1) return undefined;
    const p = producer.get(a);
    return p && p.prim === 'matmul' && p.outputs[0].aval.dtype === 'c64' && !castFromReal(p.inputs[0]) && !castFromReal(p.inputs[1]) ? p : undefined;
  };

  for (const e of ir.eqns) {
    site = e.site;
    const y = e.outputs[0];
    if (e.prim === 'matmul' && y.aval.dtype === 'c64') {
      const [a, b] = e.inputs;
      const xa = castFromReal(a);
      const xb = castFromReal(b);
      if (xa || xb) {
        const re = emit('matmul', xa ? [xa, part(b, 'real')] : [part(a, 'real'), xb as Atom], realAval(y.aval));
        const im = emit('matmul', xa ? [xa, part(b, 'imag')] : [part(a, 'imag'), xb as Atom], realAval(y.aval));
        out.push({ ...eqn('complex', [re, im], [y], {}), site });
        changed = true;
        continue;
      }
    }
    if ((e.prim === 'real' || e.prim === 'imag') && matmulOnlyFor(e.inputs[0])) {
      const m = producer.get(e.inputs[0] as Var) as Eqn;
      const [a, b] = m.inputs;
      const [ar, ai, br, bi] = [part(a, 'real'), part(a, 'imag'), part(b, 'real'), part(b, 'imag')];
      const first = emit('matmul', e.prim === 'real' ? [ar, br] : [ar, bi], y.aval);
      const second = emit('matmul', e.prim === 'real' ? [ai, bi] : [ai, br], y.aval);
      out.push({ ...eqn(e.prim === 'real' ? 'sub' : 'add', [first, second], [y], {}), site });
      changed = true;
      continue;
    }
    out.push(e);
  }
  if (!changed) return ir;
  return { ...ir, eqns: out };
}
