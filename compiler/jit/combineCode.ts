/**
 * A scan combine (a scalar sub-IR) as source expressions, for the tree-scan template.
 */
import type { ClosedIR, Var } from '../ir';
import { Lit } from '../ir';
import { literal } from '../../kernels/source';
import { elementwiseCode, type ValueExpr } from './scalarCode';

/**
 * The combine as one expression per component (for tree-scan templates): `left` and `right`
 * hold the component expressions of the two tuples, c64 operands as two components (re, im).
 */
export function combineExpressions(combine: ClosedIR, widths: readonly number[], left: readonly string[], right: readonly string[]): string[] {
  const { ir, consts } = combine;
  const k = widths.length;
  const tuple = (comps: readonly string[]): ValueExpr[] => {
    let c = 0;
    return widths.map((w) => {
      const v = { re: comps[c], im: w === 2 ? comps[c + 1] : '0.0' };
      c += w;
      return v;
    });
  };
  const env = new Map<Var, ValueExpr>();
  ir.constVars.forEach((v, i) => env.set(v, { re: literal(consts[i].data[0]), im: literal(consts[i].data[1] ?? 0) }));
  const l = tuple(left);
  const r = tuple(right);
  ir.inVars.forEach((v, i) => env.set(v, i < k ? l[i] : r[i - k]));
  const read = (a: Var | Lit): ValueExpr => (a instanceof Lit ? { re: literal(a.re), im: literal(a.im) } : (env.get(a) as ValueExpr));
  for (const e of ir.eqns) {
    const out = e.outputs[0];
    if (e.prim === 'broadcast_in_dim' || e.prim === 'reshape') {
      env.set(out, read(e.inputs[0]));
      continue;
    }
    const code = elementwiseCode[e.prim] as ((v: readonly ValueExpr[], d: readonly string[], p: unknown) => ValueExpr) | undefined;
    if (!code) throw new Error(`scan combine: '${e.prim}' is not elementwise`);
    env.set(out, code(e.inputs.map(read), e.inputs.map((a) => a.aval.dtype), e.params));
  }
  return ir.outAtoms.flatMap((a, i) => {
    const v = read(a);
    return widths[i] === 2 ? [v.re, v.im] : [v.re];
  });
}
