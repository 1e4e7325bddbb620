/**
 * A scan combine (a scalar sub-IR) as kernel-IR expressions, for the gpu.js tree scan
 * (gpuScan.ts): the combine's equations become kernel IR through the elementwise rules every
 * backend shares (cpu/exprRules.ts).
 */
import type { ClosedIR, Var } from '../ir';
import { Lit } from '../ir';
import { constant, cvt } from '../../kernels/ir/build';
import type { Expr, ScalarType } from '../../kernels/ir/types';
import type { DType } from '../dtype';
import { type CValue, exprRules } from './cpu/exprRules';

const componentOf = (d: DType): ScalarType => (d === 'c64' ? 'f32' : (d as ScalarType));

/**
 * The combine as one f32 kernel-IR expression per component (for the tree scan): `left` and
 * `right` hold the f32 components of the two tuples, c64 operands as two components (re, im);
 * integer and bool operands are converted to their type before the rules see them.
 */
export function combineIR(combine: ClosedIR, widths: readonly number[], left: readonly Expr[], right: readonly Expr[]): Expr[] {
  const { ir, consts } = combine;
  const k = widths.length;
  const tuple = (comps: readonly Expr[], vars: readonly Var[]): CValue[] => {
    let c = 0;
    return widths.map((w, i) => {
      const t = componentOf(vars[i].aval.dtype);
      const v: CValue = w === 2 ? { re: comps[c], im: comps[c + 1] } : { re: t === 'f32' ? comps[c] : cvt(comps[c], t) };
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
  return ir.outAtoms.flatMap((a, i) => {
    const v = read(a);
    return widths[i] === 2 ? [v.re, v.im ?? constant('f32', 0)] : [cvt(v.re, 'f32')];
  });
}
