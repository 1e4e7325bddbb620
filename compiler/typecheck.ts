/**
 * typecheck(ir): re-derives every variable's shape and dtype from the inference table and
 * checks that variables are defined once, before use. It can run after every pass.
 */
import { callBody } from './calls';
import { RuleError, ShapeDtypeError, showAVal } from './errors';
import type { AVal, IR, Var } from './ir';
import { Lit } from './ir';
import type { Prim } from './primitives';
import { shapeRules, type ShapeRule } from './rules/shape';
import { shapeEq } from './shape';

export class IRTypeError extends Error {
  override readonly name = 'IRTypeError';
}

const sameAVal = (a: AVal, b: AVal): boolean => a.dtype === b.dtype && shapeEq(a.shape, b.shape);

export function typecheck(ir: IR, where = 'IR'): void {
  const defined = new Set<Var>();
  const define = (v: Var, what: string): void => {
    if (defined.has(v)) throw new IRTypeError(`${where}: variable ${v.id} (${what}) is defined twice`);
    defined.add(v);
  };
  ir.constVars.forEach((v) => define(v, 'const'));
  ir.inVars.forEach((v) => define(v, 'input'));
  const use = (a: Var | Lit, i: number): void => {
    if (!(a instanceof Lit) && !defined.has(a)) throw new IRTypeError(`${where}: equation ${i} uses variable ${a.id} before it is defined`);
  };
  ir.eqns.forEach((e, i) => {
    e.inputs.forEach((a) => use(a, i));
    let avals: AVal[];
    try {
      avals = (shapeRules[e.prim] as ShapeRule<Prim>)(e.inputs.map((a) => a.aval), e.params);
    } catch (err) {
      if (err instanceof RuleError) throw new ShapeDtypeError(e.prim, e.inputs.map((a) => a.aval), `${err.message} (${where}, equation ${i})`);
      throw err;
    }
    if (avals.length !== e.outputs.length) throw new IRTypeError(`${where}: equation ${i} (${e.prim}) has ${e.outputs.length} outputs, rule gives ${avals.length}`);
    e.outputs.forEach((v, k) => {
      if (!sameAVal(v.aval, avals[k])) {
        throw new IRTypeError(`${where}: equation ${i} (${e.prim}) output ${k} is declared ${showAVal(v.aval)} but infers ${showAVal(avals[k])}`);
      }
      define(v, e.prim);
    });
    if (e.prim === 'assoc_scan') typecheck((e.params as { combine: { ir: IR } }).combine.ir, `${where} > combine of equation ${i}`);
    const body = callBody(e);
    if (body) typecheck(body, `${where} > body of equation ${i} (${e.prim})`);
  });
  ir.outAtoms.forEach((a) => use(a, ir.eqns.length));
}
