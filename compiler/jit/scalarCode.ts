/**
 * Source expressions of the elementwise primitives for gpu.js kernels: one rule per
 * elementwise primitive, from the input values (re, im expression pairs; im = '0.0' for real
 * dtypes) to the output value. Buffers hold float32; integers and booleans are float-valued
 * (exact to 2^24), as gpu.js requires. The GPU backends and webasm also compute in float32, but
 * gpu.js's cpu backend computes a fused chain in float64 JavaScript numbers and rounds only when
 * it stores, so a value recomputed inside one kernel can differ from the stored float32 copy that
 * another kernel produced. Comparisons therefore round both operands to float32 (Math.fround, the
 * identity on the float32 backends): `x == max(x)` in the VJP of a maximum must find the maximum
 * whether x was recomputed or read back. Functions that some shader languages lack
 * are written out: tanh and the logistic by exp, erf by Abramowitz–Stegun 7.1.26 (|error| <
 * 1.5e-7, below float32 resolution).
 */
import type { DType } from '../dtype';
import type { PrimParams } from '../primitives';

export interface ValueExpr {
  readonly re: string;
  readonly im: string;
}

const R = (re: string): ValueExpr => ({ re, im: '0.0' });
const bool = (cond: string): ValueExpr => R(`(${cond} ? 1.0 : 0.0)`);
/** An operand of a comparison, rounded to float32 (see the header). */
const f32 = (x: string): string => `Math.fround(${x})`;
const compare = (a: string, op: string, b: string): string => `${f32(a)} ${op} ${f32(b)}`;

export type ElementwiseCode = (v: readonly ValueExpr[], dtypes: readonly DType[], params: never) => ValueExpr;

const trunc = (x: string): string => `(${x} >= 0.0 ? Math.floor(${x}) : -Math.floor(-(${x})))`;
const erf = (x: string): string =>
  `(Math.sign(${x}) * (1.0 - (((((1.061405429 * (1.0 / (1.0 + 0.3275911 * Math.abs(${x}))) - 1.453152027) * (1.0 / (1.0 + 0.3275911 * Math.abs(${x}))) + 1.421413741) * (1.0 / (1.0 + 0.3275911 * Math.abs(${x}))) - 0.284496736) * (1.0 / (1.0 + 0.3275911 * Math.abs(${x}))) + 0.254829592) * (1.0 / (1.0 + 0.3275911 * Math.abs(${x})))) * Math.exp(-(${x}) * (${x}))))`;

export const elementwiseCode: { [P in keyof PrimParams]?: (v: readonly ValueExpr[], dtypes: readonly DType[], params: PrimParams[P]) => ValueExpr } = {
  neg: ([x]) => ({ re: `(-${x.re})`, im: `(-${x.im})` }),
  exp: ([x], [d]) =>
    d === 'c64' ? { re: `(Math.exp(${x.re}) * Math.cos(${x.im}))`, im: `(Math.exp(${x.re}) * Math.sin(${x.im}))` } : R(`Math.exp(${x.re})`),
  log: ([x]) => R(`Math.log(${x.re})`),
  sin: ([x]) => R(`Math.sin(${x.re})`),
  cos: ([x]) => R(`Math.cos(${x.re})`),
  tanh: ([x]) => R(`(1.0 - 2.0 / (Math.exp(2.0 * Math.min(${x.re}, 40.0)) + 1.0))`),
  logistic: ([x]) => R(`(1.0 / (1.0 + Math.exp(-Math.max(${x.re}, -80.0))))`),
  sqrt: ([x]) => R(`Math.sqrt(${x.re})`),
  erf: ([x]) => R(erf(x.re)),
  abs: ([x], [d]) => R(d === 'c64' ? `Math.sqrt(${x.re} * ${x.re} + ${x.im} * ${x.im})` : `Math.abs(${x.re})`),
  sign: ([x]) => R(`(${x.re} > 0.0 ? 1.0 : (${x.re} < 0.0 ? -1.0 : 0.0))`),
  floor: ([x]) => R(`Math.floor(${x.re})`),
  not: ([x]) => bool(`${x.re} == 0.0`),
  real: ([x]) => R(x.re),
  imag: ([x]) => R(x.im),
  conj: ([x]) => ({ re: x.re, im: `(-${x.im})` }),
  stop_gradient: ([x]) => x,
  add: ([a, b]) => ({ re: `(${a.re} + ${b.re})`, im: `(${a.im} + ${b.im})` }),
  sub: ([a, b]) => ({ re: `(${a.re} - ${b.re})`, im: `(${a.im} - ${b.im})` }),
  mul: ([a, b], [d]) =>
    d === 'c64'
      ? { re: `(${a.re} * ${b.re} - ${a.im} * ${b.im})`, im: `(${a.re} * ${b.im} + ${a.im} * ${b.re})` }
      : R(`(${a.re} * ${b.re})`),
  div: ([a, b], [d]) => {
    if (d === 'i32') return R(trunc(`(${a.re} / ${b.re})`));
    if (d !== 'c64') return R(`(${a.re} / ${b.re})`);
    const den = `(${b.re} * ${b.re} + ${b.im} * ${b.im})`;
    return { re: `((${a.re} * ${b.re} + ${a.im} * ${b.im}) / ${den})`, im: `((${a.im} * ${b.re} - ${a.re} * ${b.im}) / ${den})` };
  },
  pow: ([a, b]) => R(`Math.pow(${a.re}, ${b.re})`),
  max: ([a, b]) => R(`Math.max(${a.re}, ${b.re})`),
  min: ([a, b]) => R(`Math.min(${a.re}, ${b.re})`),
  atan2: ([a, b]) => R(`Math.atan2(${a.re}, ${b.re})`),
  and: ([a, b]) => bool(`${a.re} != 0.0 && ${b.re} != 0.0`),
  or: ([a, b]) => bool(`${a.re} != 0.0 || ${b.re} != 0.0`),
  lt: ([a, b]) => bool(compare(a.re, '<', b.re)),
  le: ([a, b]) => bool(compare(a.re, '<=', b.re)),
  gt: ([a, b]) => bool(compare(a.re, '>', b.re)),
  ge: ([a, b]) => bool(compare(a.re, '>=', b.re)),
  eq: ([a, b], [d]) => bool(d === 'c64' ? `${compare(a.re, '==', b.re)} && ${compare(a.im, '==', b.im)}` : compare(a.re, '==', b.re)),
  ne: ([a, b], [d]) => bool(d === 'c64' ? `${compare(a.re, '!=', b.re)} || ${compare(a.im, '!=', b.im)}` : compare(a.re, '!=', b.re)),
  select: ([p, t, f]) => ({ re: `(${p.re} != 0.0 ? ${t.re} : ${f.re})`, im: `(${p.re} != 0.0 ? ${t.im} : ${f.im})` }),
  complex: ([a, b]) => ({ re: a.re, im: b.re }),
  cast: ([x], [from], { dtype }) => {
    if (dtype === 'c64') return { re: x.re, im: from === 'c64' ? x.im : '0.0' };
    if (dtype === 'i32' && from === 'f32') return R(trunc(x.re));
    if (dtype === 'bool') return bool(`${x.re} != 0.0`);
    return R(x.re);
  },
};
