/**
 * Kernel-IR code of the elementwise primitives: from the input values to the output value, one
 * rule per primitive, written once for scalar and 4-lane vector code (the same rule builds
 * `f32` or `f32x4` expressions depending on its inputs). Values of c64 are (re, im) pairs of
 * f32; i32 arithmetic wraps and bool is 0/1, as in the interpreter (compiler/interpreter/
 * elementwise.ts), whose semantics these rules follow case by case: NaN propagates through
 * max/min and sign, i32 division truncates and gives 0 for a zero divisor, casts from f32 to
 * i32 truncate and wrap modulo 2^32 (non-finite values give 0), complex division is Smith's.
 */
import type { Expr, KType, ScalarType } from '../../../kernels/ir/types';
import { elementOf, isVector, withElement } from '../../../kernels/ir/types';
import {
  add, bin, constant, cvt, div, math, max, min, mul, neg, select, sub, un,
} from '../../../kernels/ir/build';
import type { DType } from '../../dtype';
import type { PrimParams } from '../../primitives';

/** A value: `im` is present exactly for c64. */
export interface CValue {
  readonly re: Expr;
  readonly im?: Expr;
}

/** The kernel type holding one component of `dtype`, scalar or vector like `like`. */
export const componentType = (dtype: DType, like: KType): KType => withElement(like, dtype === 'c64' ? 'f32' : (dtype as ScalarType));

/** Binds intermediate expressions to locals (statement mode) or leaves them inline. */
export type Bind = (e: Expr) => Expr;

const c = (like: Expr, v: number, e: ScalarType = elementOf(like.t)): Expr => constant(withElement(like.t, e), v);
const R = (re: Expr): CValue => ({ re });
const toBool = (x: Expr): Expr => cvt(x, 'bool');
const toF32 = (x: Expr): Expr => cvt(x, 'f32');
const imOf = (v: CValue): Expr => v.im ?? c(v.re, 0, 'f32');

function cmul(a: CValue, b: CValue, bind: Bind): CValue {
  const [ar, ai, br, bi] = [a.re, imOf(a), b.re, imOf(b)].map(bind);
  return { re: sub(mul(ar, br), mul(ai, bi)), im: add(mul(ar, bi), mul(ai, br)) };
}

/** Smith's algorithm, as the interpreter's cdiv (both branches computed, one selected). */
function cdiv(a: CValue, b: CValue, bind: Bind): CValue {
  const [ar, ai, br, bi] = [a.re, imOf(a), b.re, imOf(b)].map(bind);
  const wide = bind(bin('ge', un('abs', br), un('abs', bi)));
  const r1 = bind(div(bi, br));
  const d1 = bind(add(br, mul(bi, r1)));
  const r2 = bind(div(br, bi));
  const d2 = bind(add(mul(br, r2), bi));
  return {
    re: select(wide, div(add(ar, mul(ai, r1)), d1), div(add(mul(ar, r2), ai), d2)),
    im: select(wide, div(sub(ai, mul(ar, r1)), d1), div(sub(mul(ai, r2), ar), d2)),
  };
}

/** f32 -> i32 as the interpreter's coerce: truncate, wrap modulo 2^32, non-finite -> 0. */
function f32ToI32(x: Expr, bind: Bind): Expr {
  const t = bind(un('trunc', x));
  const two32 = c(t, 4294967296);
  const r = bind(sub(t, mul(two32, un('floor', div(t, two32)))));
  // Below 2^31 in magnitude the value is already in range (and the reduction above would
  // round in float32); above it every float32 is a multiple of 256, so r is exact.
  const big = bind(select(bin('ge', r, c(r, 2147483648)), sub(r, two32), r));
  const wrapped = select(bin('lt', un('abs', t), c(t, 2147483648)), t, big);
  const finite = bin('lt', un('abs', x), c(x, Infinity));
  return select(finite, cvt(wrapped, 'i32'), c(x, 0, 'i32'));
}

function sign(x: Expr, bind: Bind): Expr {
  const v = bind(x);
  const one = c(v, 1);
  if (elementOf(v.t) === 'i32') return select(bin('gt', v, c(v, 0)), one, select(bin('lt', v, c(v, 0)), c(v, -1), c(v, 0)));
  // x - x is +0 for zeros and NaN for NaN, as Math.sign(v) + 0.
  return select(bin('gt', v, c(v, 0)), one, select(bin('lt', v, c(v, 0)), c(v, -1), sub(v, v)));
}

function cexp(x: CValue, bind: Bind): CValue {
  const m = bind(math('exp', x.re));
  const im = bind(imOf(x));
  const zero = bin('eq', im, c(im, 0));
  return { re: select(zero, m, mul(m, math('cos', im))), im: select(zero, c(im, 0), mul(m, math('sin', im))) };
}

type Rule<P extends keyof PrimParams> = (v: readonly CValue[], dtypes: readonly DType[], params: PrimParams[P], out: DType, bind: Bind) => CValue;

export const exprRules: { [P in keyof PrimParams]?: Rule<P> } = {
  neg: ([x]) => (x.im ? { re: neg(x.re), im: neg(x.im) } : R(neg(x.re))),
  exp: ([x], [d], _p, _o, bind) => (d === 'c64' ? cexp(x, bind) : R(math('exp', toF32(x.re)))),
  log: ([x]) => R(math('log', x.re)),
  sin: ([x]) => R(math('sin', toF32(x.re))),
  cos: ([x]) => R(math('cos', toF32(x.re))),
  tanh: ([x]) => R(math('tanh', toF32(x.re))),
  logistic: ([x]) => R(math('logistic', x.re)),
  sqrt: ([x]) => R(un('sqrt', toF32(x.re))),
  erf: ([x]) => R(math('erf', toF32(x.re))),
  abs: ([x], [d], _p, _o, bind) => {
    if (d !== 'c64') return R(un('abs', x.re));
    const [re, im] = [x.re, imOf(x)].map(bind);
    return R(un('sqrt', add(mul(re, re), mul(im, im))));
  },
  sign: ([x], _d, _p, _o, bind) => R(sign(x.re, bind)),
  floor: ([x]) => R(un('floor', toF32(x.re))),
  not: ([x]) => R(un('not', toBool(x.re))),
  real: ([x]) => R(x.re),
  imag: ([x]) => R(imOf(x)),
  conj: ([x]) => ({ re: x.re, im: neg(imOf(x)) }),
  stop_gradient: ([x]) => x,
  add: ([a, b], [d]) => (d === 'c64' ? { re: add(a.re, b.re), im: add(imOf(a), imOf(b)) } : R(add(a.re, b.re))),
  sub: ([a, b], [d]) => (d === 'c64' ? { re: sub(a.re, b.re), im: sub(imOf(a), imOf(b)) } : R(sub(a.re, b.re))),
  mul: ([a, b], [d], _p, _o, bind) => (d === 'c64' ? cmul(a, b, bind) : R(mul(a.re, b.re))),
  div: ([a, b], [d], _p, _o, bind) => (d === 'c64' ? cdiv(a, b, bind) : R(div(a.re, b.re))),
  pow: ([a, b]) => R(math('pow', a.re, b.re)),
  max: ([a, b]) => R(max(a.re, b.re)),
  min: ([a, b]) => R(min(a.re, b.re)),
  atan2: ([a, b]) => R(math('atan2', a.re, b.re)),
  and: ([a, b]) => R(bin('and', toBool(a.re), toBool(b.re))),
  or: ([a, b]) => R(bin('or', toBool(a.re), toBool(b.re))),
  lt: ([a, b]) => R(bin('lt', a.re, b.re)),
  le: ([a, b]) => R(bin('le', a.re, b.re)),
  gt: ([a, b]) => R(bin('gt', a.re, b.re)),
  ge: ([a, b]) => R(bin('ge', a.re, b.re)),
  eq: ([a, b], [d]) => R(d === 'c64' ? bin('and', bin('eq', a.re, b.re), bin('eq', imOf(a), imOf(b))) : bin('eq', a.re, b.re)),
  ne: ([a, b], [d]) => R(d === 'c64' ? bin('or', bin('ne', a.re, b.re), bin('ne', imOf(a), imOf(b))) : bin('ne', a.re, b.re)),
  select: ([p, t, f], [, d]) => {
    const cond = toBool(p.re);
    return d === 'c64' ? { re: select(cond, t.re, f.re), im: select(cond, imOf(t), imOf(f)) } : R(select(cond, t.re, f.re));
  },
  complex: ([a, b]) => ({ re: a.re, im: b.re }),
  cast: ([x], [from], { dtype }, _o, bind) => {
    if (dtype === 'c64') return { re: toF32(x.re), im: from === 'c64' ? imOf(x) : c(x.re, 0, 'f32') };
    if (dtype === 'i32' && from === 'f32') return R(f32ToI32(x.re, bind));
    return R(cvt(x.re, dtype as ScalarType));
  },
};

/** Whether the value's expressions are vectors. */
export const isVectorValue = (v: CValue): boolean => isVector(v.re.t);
