/**
 * The CPU template table: one entry per kernel primitive, instantiating the kernels/cpu
 * templates on operand views. Complex matmuls become four real ones and a combining pass;
 * scan combines (scalar sub-IRs) are emitted through the elementwise rules, on scalars or on
 * vectors alike.
 */
import type { ClosedIR, Var } from '../../ir';
import { Lit } from '../../ir';
import type { DType } from '../../dtype';
import type { Prim, PrimParams } from '../../primitives';
import type { Block } from '../../../kernels/ir/build';
import { Block as KBlock, END, START, constant, i32, iadd, imul, isub, load, min, sub, add } from '../../../kernels/ir/build';
import type { Expr, Kernel } from '../../../kernels/ir/types';
import { LANES, withElement } from '../../../kernels/ir/types';
import { type TemplateContext, type View, contiguousView } from '../../../kernels/cpu/template';
import { matmul } from '../../../kernels/cpu/matmul';
import { argmax, reduce } from '../../../kernels/cpu/reduce';
import { associativeScan, cumsum, linearRecurrence, scatterAdd } from '../../../kernels/cpu/scan';
import { fft, irfft, rfft } from '../../../kernels/cpu/fft';
import { type CValue, exprRules } from './exprRules';

export type TemplateRule<P extends Prim> = (ctx: TemplateContext, inputs: readonly View[], params: PrimParams[P], outs: readonly View[]) => Kernel[];

const sizeOf = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** Re and Im of a c64 view, as f32 views of the same buffer. */
const partsOf = (v: View): [View, View] => [{ ...v, dtype: 'f32' }, { ...v, dtype: 'f32', offset: v.offset + 1 }];

/** (Ar + i·Ai)(Br + i·Bi): four real products into scratch, then re = p0 − p1, im = p2 + p3. */
function complexMatmul(ctx: TemplateContext, a: View, b: View, out: View): Kernel[] {
  const [ar, ai] = partsOf(a);
  const [br, bi] = partsOf(b);
  const n = sizeOf(out.shape);
  const parts = [[ar, br], [ai, bi], [ar, bi], [ai, br]].map(([x, y], i) => {
    const buf = ctx.scratch(n, 'f32', `complex matmul part ${i}`);
    return { view: contiguousView(buf, out.shape, 'f32'), kernels: matmul({ ...ctx, name: `${ctx.name}_p${i}` }, x, y, contiguousView(buf, out.shape, 'f32')) };
  });
  const chunk = 4096;
  const body = new KBlock();
  body.for(START, END, (u, blk) => {
    const f0 = blk.bind(imul(u, i32(chunk)));
    const f1 = blk.bind(min(iadd(f0, i32(chunk)), i32(n)));
    const p = parts.map((x) => x.view.buf);
    blk.for(f0, isub(f1, i32(LANES - 1)), (j, vb) => {
      const at = (q: string) => load(q, j, 'f32x4');
      vb.storePair(out.buf, imul(j, i32(2)), sub(at(p[0]), at(p[1])), add(at(p[2]), at(p[3])));
    }, LANES, 'j');
    const tail = blk.bind(isub(f1, irem4(isub(f1, f0))));
    blk.for(tail, f1, (j, sb) => {
      const at = (q: string) => load(q, j, 'f32');
      const o = sb.bind(imul(j, i32(2)));
      sb.store(out.buf, o, sub(at(p[0]), at(p[1])));
      sb.store(out.buf, iadd(o, i32(1)), add(at(p[2]), at(p[3])));
    }, 1, 'k');
  });
  const combine: Kernel = { name: `${ctx.name}_combine`, units: Math.ceil(n / chunk), unitCost: chunk * 2, body: body.stmts };
  return [...parts.flatMap((x) => x.kernels), combine];
}

const irem4 = (x: Expr): Expr => ({ k: 'bin', t: 'i32', op: 'rem', a: x, b: i32(LANES) });

/**
 * A scan combine as a function of component expressions (c64 operands as two f32 components),
 * built with the elementwise rules: the same code combines scalars or 4-lane vectors.
 */
export function combineOf(combine: ClosedIR, dtypes: readonly DType[]): (l: readonly Expr[], r: readonly Expr[], b: Block) => Expr[] {
  const { ir, consts } = combine;
  const k = dtypes.length;
  return (left, right, block) => {
    const like = left[0].t;
    const lit = (d: DType, x: number): Expr => constant(withElement(like, d === 'c64' ? 'f32' : (d as 'f32' | 'i32' | 'bool')), x);
    const tuple = (comps: readonly Expr[]): CValue[] => {
      let c = 0;
      return dtypes.map((d) => {
        const v = d === 'c64' ? { re: comps[c], im: comps[c + 1] } : { re: comps[c] };
        c += d === 'c64' ? 2 : 1;
        return v;
      });
    };
    const env = new Map<Var, CValue>();
    ir.constVars.forEach((v, i) => {
      const d = v.aval.dtype;
      env.set(v, d === 'c64' ? { re: lit(d, consts[i].data[0]), im: lit(d, consts[i].data[1]) } : { re: lit(d, consts[i].data[0]) });
    });
    const l = tuple(left);
    const r = tuple(right);
    ir.inVars.forEach((v, i) => env.set(v, i < k ? l[i] : r[i - k]));
    const read = (a: Var | Lit): CValue =>
      a instanceof Lit ? (a.dtype === 'c64' ? { re: lit(a.dtype, a.re), im: lit(a.dtype, a.im) } : { re: lit(a.dtype, a.re) }) : (env.get(a) as CValue);
    const bind = (e: Expr) => block.bind(e);
    for (const e of ir.eqns) {
      const out = e.outputs[0];
      if (e.prim === 'broadcast_in_dim' || e.prim === 'reshape') {
        env.set(out, read(e.inputs[0]));
        continue;
      }
      const rule = exprRules[e.prim] as ((v: readonly CValue[], d: readonly DType[], p: unknown, o: DType, b: (x: Expr) => Expr) => CValue) | undefined;
      if (!rule) throw new Error(`scan combine: '${e.prim}' is not elementwise`);
      const v = rule(e.inputs.map(read), e.inputs.map((a) => a.aval.dtype), e.params, out.aval.dtype, bind);
      env.set(out, { re: bind(v.re), ...(v.im ? { im: bind(v.im) } : {}) });
    }
    return ir.outAtoms.flatMap((a, i) => {
      const v = read(a);
      return dtypes[i] === 'c64' ? [v.re, v.im ?? lit('f32', 0)] : [v.re];
    });
  };
}

type KernelPrim = 'matmul' | 'reduce_sum' | 'reduce_max' | 'argmax' | 'cumsum' | 'linrec' | 'assoc_scan' | 'fft' | 'rfft' | 'irfft' | 'scatter_add';

export const templateRules: { [P in Prim]?: TemplateRule<P> } & { [P in KernelPrim]: TemplateRule<P> } = {
  matmul: (ctx, [a, b], _p, [out]) => (a.dtype === 'c64' ? complexMatmul(ctx, a, b, out) : matmul(ctx, a, b, out)),
  reduce_sum: (ctx, [x], { axes }, [out]) => reduce(ctx, x, axes, 'sum', out),
  reduce_max: (ctx, [x], { axes }, [out]) => reduce(ctx, x, axes, 'max', out),
  argmax: (ctx, [x], { axis }, [out]) => argmax(ctx, x, axis, out),
  cumsum: (ctx, [x], { axis, reverse }, [out]) => cumsum(ctx, x, axis, reverse, out),
  linrec: (ctx, [a, b], { axis, reverse }, [out]) => linearRecurrence(ctx, a, b, axis, reverse, out),
  assoc_scan: (ctx, xs, { axis, reverse, combine }, outs) => associativeScan(ctx, xs, axis, reverse, combineOf(combine, xs.map((x) => x.dtype)), outs),
  fft: (ctx, [x], { inverse }, [out]) => fft(ctx, x, inverse, out),
  rfft: (ctx, [x], _p, [out]) => rfft(ctx, x, out),
  irfft: (ctx, [x], { n }, [out]) => irfft(ctx, x, n, out),
  scatter_add: (ctx, [upd, idx], { axis }, [out]) => scatterAdd(ctx, upd, idx, axis, out),
};

