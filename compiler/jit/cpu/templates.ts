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
import { Block as KBlock, END, START, add, constant, i32, iadd, imul, irem, isub, load, min, neg, sub } from '../../../kernels/ir/build';
import type { Expr, Kernel } from '../../../kernels/ir/types';
import { LANES, withElement } from '../../../kernels/ir/types';
import { type TemplateContext, type View, contiguousStrides, contiguousView } from '../../../kernels/cpu/template';
import { matmul } from '../../../kernels/cpu/matmul';
import { argmax, type Operand, reduce, reduceParts } from '../../../kernels/cpu/reduce';
import { associativeScan, cumsum, linearRecurrence, scatterAdd } from '../../../kernels/cpu/scan';
import { fft, irfft, rfft } from '../../../kernels/cpu/fft';
import { randomBits } from '../../../kernels/cpu/random';
import { type CValue, exprRules } from './exprRules';

export type TemplateRule<P extends Prim> = (ctx: TemplateContext, inputs: readonly View[], params: PrimParams[P], outs: readonly View[]) => Kernel[];

const sizeOf = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** Re and Im of a c64 view, as f32 views of the same buffer. */
const partsOf = (v: View): [View, View] => [{ ...v, dtype: 'f32' }, { ...v, dtype: 'f32', offset: v.offset + 1 }];

/** Whether each operand enters conjugated (a conj folded into the product's signs). */
export interface Conjugation {
  readonly a: boolean;
  readonly b: boolean;
}

/** x·sx + y·sy for signs ±1, without multiplications. */
function signedSum(x: Expr, sx: number, y: Expr, sy: number): Expr {
  if (sx > 0) return sy > 0 ? add(x, y) : sub(x, y);
  return sy > 0 ? sub(y, x) : neg(add(x, y));
}

/**
 * Complex matmul C = op(A)·op(B) through real products, op a conjugation or not (with
 * A = Ar + i·sA·Ai and B = Br + i·sB·Bi for signs sA, sB, Re C = Σ Ar·Br − sA·sB·Ai·Bi and
 * Im C = Σ sB·Ar·Bi + sA·Ai·Br), by the layout of the operands:
 * - A's rows are contiguous complex numbers: A is read in place as a real [M, 2K] matrix of
 *   interleaved parts, B is repacked into the real [2K, 2N] matrix [[Br, Bi], [−Bi, Br]]
 *   (interleaved columns), and one real product writes C in place as interleaved [M, 2N];
 * - B's rows are contiguous: B is read in place as real [K, 2N]; Re A and Im A, as a batch of
 *   two strided views of A, multiply it in one real product P, and a pass combines
 *   Re C = P₀ re − P₁ im, Im C = P₀ im + P₁ re;
 * - neither: four real products and a combining pass.
 * Where both apply, the one moving fewer floats besides the product: 4KN (repacking B) against
 * 4MN (the combine).
 */
export function complexMatmul(ctx: TemplateContext, a: View, b: View, out: View, conj: Conjugation = { a: false, b: false }): Kernel[] {
  const r = a.shape.length;
  const [M, K, N] = [a.shape[r - 2], a.shape[r - 1], b.shape[r - 1]];
  const batch = a.shape.slice(0, r - 2);
  const rowsA = a.strides[r - 1] === 2 || K === 1;
  const rowsB = b.strides[r - 1] === 2 || N === 1;
  const signs = { a: conj.a ? -1 : 1, b: conj.b ? -1 : 1 };
  if (rowsA && (!rowsB || K * N <= M * N)) return interleavedA(ctx, a, b, out, batch, M, K, N, signs);
  if (rowsB) return stackedParts(ctx, a, b, out, batch, M, K, N, signs);
  return fourProducts(ctx, a, b, out, signs);
}

/**
 * A complex matmul with one real operand (a cast of a real value, read in place):
 * - A real and B's rows contiguous: one real product A·[K, 2N] written as C's interleaved
 *   floats (no combine); not with B conjugated;
 * - B real: Re A and Im A stacked as a batch of two views over B, then Re C = P₀, Im C = sA·P₁.
 * Undefined where neither applies (the caller then reads the cast as a complex buffer).
 */
export function mixedMatmul(ctx: TemplateContext, a: View, b: View, out: View, conj: Conjugation): Kernel[] | undefined {
  const r = a.shape.length;
  const [M, K, N] = [a.shape[r - 2], a.shape[r - 1], b.shape[r - 1]];
  const batch = a.shape.slice(0, r - 2);
  if (a.dtype === 'f32' && b.dtype === 'c64') {
    if (conj.b || !(b.strides[r - 1] === 2 || N === 1)) return undefined;
    const bReal = f32View(b, [...batch, K, 2 * N], [...b.strides.slice(0, r - 1), 1]);
    const cReal = f32View(out, [...batch, M, 2 * N], [...contiguous(batch, 2 * M * N), 2 * N, 1]);
    return matmul(ctx, a, bReal, cReal);
  }
  if (a.dtype !== 'c64' || b.dtype !== 'f32') return undefined;
  const S = sizeOf(batch) * M * N;
  const P = ctx.scratch(2 * S, 'f32', 'complex-by-real matmul parts');
  const aParts = f32View(a, [2, ...batch, M, K], [1, ...a.strides]);
  const bBoth = f32View(b, [2, ...batch, K, N], [0, ...b.strides]);
  const pView = f32View({ ...out, buf: P, offset: 0 }, [2, ...batch, M, N], contiguous([2, ...batch, M, N], 1), 0);
  const sa = conj.a ? -1 : 1;
  const chunk = 4096;
  const body = new KBlock();
  body.for(START, END, (u, blk) => {
    const f0 = blk.bind(imul(u, i32(chunk)));
    const f1 = blk.bind(min(iadd(f0, i32(chunk)), i32(S)));
    const im = (x: Expr) => (sa > 0 ? x : neg(x));
    blk.for(f0, isub(f1, i32(LANES - 1)), (f, vb) => {
      vb.storePair(out.buf, imul(f, i32(2)), load(P, f, 'f32x4'), im(load(P, iadd(f, i32(S)), 'f32x4')));
    }, LANES, 'j');
    const tail = blk.bind(isub(f1, irem4(isub(f1, f0))));
    blk.for(tail, f1, (f, sb) => {
      const o = sb.bind(imul(f, i32(2)));
      sb.store(out.buf, o, load(P, f, 'f32'));
      sb.store(out.buf, iadd(o, i32(1)), im(load(P, iadd(f, i32(S)), 'f32')));
    }, 1, 'k');
  });
  const combine: Kernel = { name: `${ctx.name}_combine`, units: Math.ceil(S / chunk), unitCost: chunk * 2, body: body.stmts };
  return [...matmul(ctx, aParts, bBoth, pView), combine];
}

interface Signs {
  readonly a: number;
  readonly b: number;
}

const f32View = (v: View, shape: readonly number[], strides: readonly number[], offset = v.offset): View => ({ buf: v.buf, dtype: 'f32', shape, strides, offset });

function interleavedA(ctx: TemplateContext, a: View, b: View, out: View, batch: readonly number[], M: number, K: number, N: number, s: Signs): Kernel[] {
  const r = a.shape.length;
  const nb = sizeOf(batch);
  const packed = ctx.scratch(nb * 4 * K * N, 'f32', 'complex matmul B');
  // One unit per (batch, k): rows 2k and 2k+1 of B'.
  const body = new KBlock();
  const bStrides = b.strides;
  body.for(START, END, (u, blk) => {
    const bi = blk.bind(idivK(u, K));
    const k = blk.bind(isub(u, imul(bi, i32(K))));
    const src = blk.bind(iadd(i32(b.offset), iadd(batchOffset(bi, batch, bStrides), imul(k, i32(bStrides[r - 2])))));
    const dst = blk.bind(iadd(imul(bi, i32(4 * K * N)), imul(k, i32(4 * N))));
    blk.for(i32(0), i32(N), (n, nb2) => {
      const at = nb2.bind(iadd(src, imul(n, i32(bStrides[r - 1]))));
      const re = nb2.bind(load(b.buf, at));
      const im = nb2.bind(load(b.buf, iadd(at, i32(1))));
      const d = nb2.bind(iadd(dst, imul(n, i32(2))));
      // Row 2k multiplies Ar: (Br, sB·Bi); row 2k+1 multiplies Ai: (−sA·sB·Bi, sA·Br).
      const sign = (x: Expr, k: number) => (k > 0 ? x : neg(x));
      nb2.store(packed, d, re);
      nb2.store(packed, iadd(d, i32(1)), sign(im, s.b));
      nb2.store(packed, iadd(d, i32(2 * N)), sign(im, -s.a * s.b));
      nb2.store(packed, iadd(d, i32(2 * N + 1)), sign(re, s.a));
    });
  });
  const pack: Kernel = { name: `${ctx.name}_packBc`, units: nb * K, unitCost: 4 * N, body: body.stmts };
  const aReal = f32View(a, [...batch, M, 2 * K], [...a.strides.slice(0, r - 1), 1]);
  const bReal = f32View({ ...b, buf: packed, offset: 0 }, [...batch, 2 * K, 2 * N], [...contiguous(batch, 4 * K * N), 2 * N, 1], 0);
  const cReal = f32View(out, [...batch, M, 2 * N], [...contiguous(batch, 2 * M * N), 2 * N, 1]);
  return [pack, ...matmul(ctx, aReal, bReal, cReal)];
}

function stackedParts(ctx: TemplateContext, a: View, b: View, out: View, batch: readonly number[], M: number, K: number, N: number, s: Signs): Kernel[] {
  const r = a.shape.length;
  const nb = sizeOf(batch);
  const S = nb * M * N;
  const P = ctx.scratch(4 * S, 'f32', 'complex matmul parts');
  const aParts = f32View(a, [2, ...batch, M, K], [1, ...a.strides]);
  const bReal = f32View(b, [2, ...batch, K, 2 * N], [0, ...b.strides.slice(0, r - 1), 1]);
  const pView = f32View({ ...out, buf: P, offset: 0 }, [2, ...batch, M, 2 * N], contiguous([2, ...batch, M, 2 * N], 1), 0);
  const chunk = 4096;
  const body = new KBlock();
  body.for(START, END, (u, blk) => {
    const f0 = blk.bind(imul(u, i32(chunk)));
    const f1 = blk.bind(min(iadd(f0, i32(chunk)), i32(S)));
    const part = (first: number, f: Expr, t: 'f32' | 'f32x4') => load(P, iadd(imul(f, i32(2)), i32(first)), t, 2);
    blk.for(f0, isub(f1, i32(LANES - 1)), (f, vb) => {
      vb.storePair(out.buf, imul(f, i32(2)), signedSum(part(0, f, 'f32x4'), 1, part(2 * S + 1, f, 'f32x4'), -s.a * s.b), signedSum(part(1, f, 'f32x4'), s.b, part(2 * S, f, 'f32x4'), s.a));
    }, LANES, 'j');
    const tail = blk.bind(isub(f1, irem4(isub(f1, f0))));
    blk.for(tail, f1, (f, sb) => {
      const o = sb.bind(imul(f, i32(2)));
      sb.store(out.buf, o, signedSum(part(0, f, 'f32'), 1, part(2 * S + 1, f, 'f32'), -s.a * s.b));
      sb.store(out.buf, iadd(o, i32(1)), signedSum(part(1, f, 'f32'), s.b, part(2 * S, f, 'f32'), s.a));
    }, 1, 'k');
  });
  const combine: Kernel = { name: `${ctx.name}_combine`, units: Math.ceil(S / chunk), unitCost: chunk * 4, body: body.stmts };
  return [...matmul(ctx, aParts, bReal, pView), combine];
}

/** Strides of a contiguous array of `shape` whose elements are `unit` floats apart. */
const contiguous = (shape: readonly number[], unit: number): number[] => contiguousStrides(shape, 'f32').map((s) => s * unit);

/** The storage offset of flat batch index `bi` in a view's batch axes. */
function batchOffset(bi: Expr, batch: readonly number[], strides: readonly number[]): Expr {
  let off: Expr = i32(0);
  let rest = bi;
  for (let i = batch.length - 1; i >= 0; i--) {
    const d = batch[i];
    const c = i === 0 ? rest : irem(rest, d);
    off = iadd(off, imul(c, i32(strides[i])));
    rest = idivK(rest, d);
  }
  return off;
}

const idivK = (x: Expr, d: number): Expr => (d === 1 ? x : ({ k: 'bin', t: 'i32', op: 'div', a: x, b: i32(d) } as Expr));

/** (Ar + i·Ai)(Br + i·Bi): four real products into scratch, then re = p0 − p1, im = p2 + p3. */
function fourProducts(ctx: TemplateContext, a: View, b: View, out: View, s: Signs): Kernel[] {
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
      vb.storePair(out.buf, imul(j, i32(2)), signedSum(at(p[0]), 1, at(p[1]), -s.a * s.b), signedSum(at(p[2]), s.b, at(p[3]), s.a));
    }, LANES, 'j');
    const tail = blk.bind(isub(f1, irem4(isub(f1, f0))));
    blk.for(tail, f1, (j, sb) => {
      const at = (q: string) => load(q, j, 'f32');
      const o = sb.bind(imul(j, i32(2)));
      sb.store(out.buf, o, signedSum(at(p[0]), 1, at(p[1]), -s.a * s.b));
      sb.store(out.buf, iadd(o, i32(1)), signedSum(at(p[2]), s.b, at(p[3]), s.a));
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

/** A reduction whose operand may be computed in its reads (a fused producer; a c64 one as its two parts, reduced in the same loops into the even and odd floats of the output). */
export function reductionOf(ctx: TemplateContext, prim: 'reduce_sum' | 'reduce_max' | 'argmax', params: PrimParams['reduce_sum'] | PrimParams['argmax'], xs: readonly Operand[], outs: readonly View[]): Kernel[] {
  if (prim === 'argmax') return argmax(ctx, xs[0], (params as PrimParams['argmax']).axis, outs[0]);
  return reduceParts(ctx, xs, (params as PrimParams['reduce_sum']).axes, prim === 'reduce_sum' ? 'sum' : 'max', outs);
}

type KernelPrim = 'matmul' | 'reduce_sum' | 'reduce_max' | 'argmax' | 'cumsum' | 'linrec' | 'assoc_scan' | 'fft' | 'rfft' | 'irfft' | 'scatter_add' | 'random_bits';

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
  random_bits: (ctx, [key], _p, [out]) => randomBits(ctx, key, out),
};

