/**
 * A scan combine (a scalar sub-IR) as gpu.js source expressions, for the tree-scan template:
 * the combine's equations become kernel IR through the elementwise rules every backend shares
 * (cpu/exprRules.ts), rendered inline by the gpu.js renderer.
 */
import type { ClosedIR, Var } from '../ir';
import { Lit } from '../ir';
import { constant, cvt, get } from '../../kernels/ir/build';
import type { Expr, ScalarType } from '../../kernels/ir/types';
import { renderGpuJsExpr } from '../../kernels/gpujs/render';
import type { DType } from '../dtype';
import { type CValue, exprRules } from './cpu/exprRules';

const componentOf = (d: DType): ScalarType => (d === 'c64' ? 'f32' : (d as ScalarType));

/**
 * The combine as one expression per component (for tree-scan templates): `left` and `right`
 * hold the component expressions of the two tuples, c64 operands as two components (re, im).
 */
export function combineExpressions(combine: ClosedIR, widths: readonly number[], left: readonly string[], right: readonly string[]): string[] {
  const { ir, consts } = combine;
  const k = widths.length;
  const tuple = (comps: readonly string[], vars: readonly Var[]): CValue[] => {
    let c = 0;
    return widths.map((w, i) => {
      const t = componentOf(vars[i].aval.dtype);
      const v: CValue = w === 2 ? { re: get(comps[c], 'f32'), im: get(comps[c + 1], 'f32') } : { re: get(comps[c], t) };
      c += w;
      return v;
    });
  };
  const lit = (d: DType, re: number, im: number): CValue => (d === 'c64' ? { re: constant('f32', re), im: constant('f32', im) } : { re: constant(componentOf(d), re) });
  const env = new Map<Var, CValue>();
  ir.constVars.forEach((v, i) => env.set(v, lit(v.aval.dtype, consts[i].data[0], consts[i].data[1] ?? 0)));
  tuple(left, ir.inVars.slice(0, k)).forEach((v, i) => env.set(ir.inVars[i], v));
  tuple(right, ir.inVars.slice(k)).forEach((v, i) => env.set(ir.inVars[k + i], v));
  const read = (a: Var | Lit): CValue => (a instanceof Lit ? lit(a.dtype, a.re, a.im) : (env.get(a) as CValue));
  for (const e of ir.eqns) {
    const out = e.outputs[0];
    if (e.prim === 'broadcast_in_dim' || e.prim === 'reshape') {
      env.set(out, read(e.inputs[0]));
      continue;
    }
    const rule = exprRules[e.prim] as ((v: readonly CValue[], d: readonly DType[], p: unknown, o: DType, bind: (e: Expr) => Expr) => CValue) | undefined;
    if (!rule) throw new Error(`scan combine: '${e.prim}' is not elementwise`);
    const v = rule(e.inputs.map(read), e.inputs.map((a) => a.aval.dtype), e.params, out.aval.dtype, (x) => x);
    const d = out.aval.dtype;
    env.set(out, d === 'c64' ? { re: v.re, im: v.im ?? constant('f32', 0) } : { re: cvt(v.re, componentOf(d)) });
  }
  const names = new Set([...left, ...right]);
  const render = (x: Expr) => renderGpuJsExpr(cvt(x, 'f32'), { nonNegative: names });
  return ir.outAtoms.flatMap((a, i) => {
    const v = read(a);
    return widths[i] === 2 ? [render(v.re), render(v.im ?? constant('f32', 0))] : [render(v.re)];
  });
}
