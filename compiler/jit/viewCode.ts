/**
 * Source of the view primitives: each maps the coordinates of an output element to the
 * coordinates it reads in its input(s) (broadcast, reshape, transpose, slice, pad, reverse,
 * concat, gather) or computes it from the coordinates alone (iota). Reads are clamped into
 * range so backends that evaluate both arms of a conditional never read out of bounds.
 */
import type { AVal } from '../ir';
import type { PrimParams } from '../primitives';
import { indexLiteral, literal, rowMajorOffset, unravel } from '../../kernels/source';
import type { ValueExpr } from './scalarCode';

export interface ViewContext {
  /** Coordinates of the output element (source expressions). */
  readonly coords: readonly string[];
  readonly inAvals: readonly AVal[];
  readonly outAval: AVal;
  /** The value of input `i` at `coords`. */
  read(i: number, coords: readonly string[]): ValueExpr;
  /** Binds an expression to a name where statements are allowed (returns it unchanged otherwise). */
  bind(expr: string): string;
  /** A coordinate clamped into [0, size), where the backend needs reads kept in range. */
  clamp(c: string, size: number): string;
}

export type ViewCode<P extends keyof PrimParams> = (ctx: ViewContext, params: PrimParams[P]) => ValueExpr;

/**
 * Clamps with Math.min/max (GLSL rejects these inside index expressions; texture reads there
 * are safe unclamped). The `* 1.0` keeps the operand a float where gpu.js's WGSL typing would
 * otherwise infer an integer and reject max(i32, f32).
 */
export const clampCoord = (c: string, size: number): string => (size === 1 ? '0.0' : `Math.min(Math.max((${c}) * 1.0, 0.0), ${indexLiteral(size - 1)})`);
const choose = (cond: string, a: ValueExpr, b: ValueExpr): ValueExpr => ({ re: `(${cond} ? ${a.re} : ${b.re})`, im: `(${cond} ? ${a.im} : ${b.im})` });

export const viewCode: { [P in keyof PrimParams]?: ViewCode<P> } = {
  broadcast_in_dim: (ctx, { dims }) => ctx.read(0, ctx.inAvals[0].shape.map((d, i) => (d === 1 ? '0.0' : ctx.coords[dims[i]]))),
  reshape: (ctx) => {
    const inShape = ctx.inAvals[0].shape;
    const outShape = ctx.outAval.shape;
    const dropOnes = (s: readonly number[]) => s.filter((d) => d !== 1);
    if (dropOnes(inShape).join() === dropOnes(outShape).join()) {
      // Only size-1 axes change: match the remaining axes in order.
      const kept = ctx.coords.filter((_, i) => outShape[i] !== 1);
      let k = 0;
      return ctx.read(0, inShape.map((d) => (d === 1 ? '0.0' : kept[k++])));
    }
    return ctx.read(0, unravel(rowMajorOffset(ctx.coords, outShape), inShape, ctx.bind));
  },
  transpose: (ctx, { perm }) => {
    const src = new Array<string>(perm.length);
    perm.forEach((p, i) => (src[p] = ctx.coords[i]));
    return ctx.read(0, src);
  },
  slice: (ctx, { start }) => ctx.read(0, ctx.coords.map((c, i) => (start[i] ? `(${c} + ${indexLiteral(start[i])})` : c))),
  pad: (ctx, { lo, value }) => {
    const shape = ctx.inAvals[0].shape;
    const conds: string[] = [];
    const src = ctx.coords.map((c, i) => {
      const shifted = lo[i] ? `(${c} - ${indexLiteral(lo[i])})` : c;
      if (ctx.outAval.shape[i] !== shape[i]) conds.push(`${shifted} >= 0.0 && ${shifted} < ${indexLiteral(shape[i])}`);
      return ctx.outAval.shape[i] !== shape[i] ? ctx.clamp(shifted, shape[i]) : shifted;
    });
    const inner = ctx.read(0, src);
    return conds.length ? choose(conds.join(' && '), inner, { re: literal(value), im: '0.0' }) : inner;
  },
  reverse: (ctx, { axes }) => ctx.read(0, ctx.coords.map((c, i) => (axes.includes(i) ? `(${indexLiteral(ctx.outAval.shape[i] - 1)} - ${c})` : c))),
  concat: (ctx, { axis }) => {
    let start = 0;
    const pieces = ctx.inAvals.map((a, i) => {
      const from = start;
      start += a.shape[axis];
      const c = ctx.coords.map((x, j) => (j === axis ? ctx.clamp(from ? `(${x} - ${indexLiteral(from)})` : x, a.shape[axis]) : x));
      return { end: start, value: ctx.read(i, c) };
    });
    let out = pieces[pieces.length - 1].value;
    for (let i = pieces.length - 2; i >= 0; i--) out = choose(`${ctx.coords[axis]} < ${indexLiteral(pieces[i].end)}`, pieces[i].value, out);
    return out;
  },
  gather: (ctx, { axis }) => {
    const k = ctx.inAvals[1].shape.length;
    const idx = ctx.read(1, ctx.coords.slice(axis, axis + k)).re;
    const size = ctx.inAvals[0].shape[axis];
    const at = ctx.clamp(ctx.bind(idx), size);
    return ctx.read(0, [...ctx.coords.slice(0, axis), at, ...ctx.coords.slice(axis + k)]);
  },
  iota: (ctx, { axis }) => ({ re: ctx.coords[axis], im: '0.0' }),
};
