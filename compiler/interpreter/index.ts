/**
 * The reference interpreter: evaluates any IR op by op in float64. It is the oracle every
 * compiled kernel is checked against, and the evaluator of eager (un-jitted) calls.
 */
import type { ClosedIR, IR } from '../ir';
import { type Atom, Lit, type Var } from '../ir';
import { type NDArray, ndarray, scalar } from '../ndarray';
import type { Prim, PrimParams, PrimTable } from '../primitives';
import { shapeRules } from '../rules/shape';
import { sizeOf } from '../shape';
import { binaryRule, castRule, selectRule, unaryRule } from './elementwise';
import { fft, irfft, rfft } from './fft';
import { randomBits } from './random';
import { argmax, matmul, reduceMax, reduceSum } from './reductions';
import { assocScan, cumsum, linrec } from './scans';
import * as S from './structural';

export type InterpRule<P extends Prim> = (xs: readonly NDArray[], params: PrimParams[P]) => NDArray[];

const un = <P extends Prim>(p: P & Parameters<typeof unaryRule>[0]): InterpRule<P> => ([x]) => [unaryRule(p, x)];
const bin =
  <P extends Prim>(p: P & Parameters<typeof binaryRule>[0]): InterpRule<P> =>
  ([a, b]) => {
    const [out] = shapeRules[p]([a, b], {} as never);
    return [binaryRule(p, a, b, out.dtype)];
  };

export const interpRules: PrimTable<{ [P in Prim]: InterpRule<P> }> = {
  neg: un('neg'),
  exp: un('exp'),
  log: un('log'),
  sin: un('sin'),
  cos: un('cos'),
  tanh: un('tanh'),
  logistic: un('logistic'),
  sqrt: un('sqrt'),
  erf: un('erf'),
  abs: un('abs'),
  sign: un('sign'),
  floor: un('floor'),
  not: un('not'),
  real: un('real'),
  imag: un('imag'),
  conj: un('conj'),
  add: bin('add'),
  sub: bin('sub'),
  mul: bin('mul'),
  div: bin('div'),
  pow: bin('pow'),
  max: bin('max'),
  min: bin('min'),
  atan2: bin('atan2'),
  and: bin('and'),
  or: bin('or'),
  lt: bin('lt'),
  le: bin('le'),
  gt: bin('gt'),
  ge: bin('ge'),
  eq: bin('eq'),
  ne: bin('ne'),
  complex: bin('complex'),
  select: ([p, t, f]) => [selectRule(p, t, f)],
  cast: ([x], { dtype }) => [castRule(x, dtype)],
  broadcast_in_dim: ([x], p) => [S.broadcastInDim(x, p)],
  reshape: ([x], p) => [S.reshape(x, p)],
  transpose: ([x], p) => [S.transpose(x, p)],
  slice: ([x], p) => [S.slice(x, p)],
  pad: ([x], p) => [S.pad(x, p)],
  concat: (xs, p) => [S.concat(xs, p)],
  reverse: ([x], p) => [S.reverse(x, p)],
  gather: ([x, i], p) => [S.gather(x, i, p)],
  scatter_add: ([u, i], p) => [S.scatterAdd(u, i, p)],
  reduce_sum: ([x], { axes }) => [reduceSum(x, axes)],
  reduce_max: ([x], { axes }) => [reduceMax(x, axes)],
  argmax: ([x], { axis }) => [argmax(x, axis)],
  matmul: ([a, b]) => [matmul(a, b)],
  cumsum: ([x], { axis, reverse }) => [cumsum(x, axis, reverse)],
  linrec: ([a, b], { axis, reverse }) => [linrec(a, b, axis, reverse)],
  assoc_scan: (xs, { axis, reverse, combine }) =>
    assocScan(xs, axis, reverse, (left, right) => {
      const args = [...left, ...right].map((v, i) => scalar(combine.ir.inVars[i].aval.dtype, v[0], v[1]));
      return evalClosed(combine, args).map((r) => [r.data[0], r.data[1] ?? 0]);
    }),
  fft: ([x], { inverse }) => [fft(x, inverse)],
  rfft: ([x]) => [rfft(x)],
  irfft: ([x], { n }) => [irfft(x, n)],
  iota: (_, { shape, axis, dtype }) => {
    const out = ndarray(dtype, shape);
    const inner = sizeOf(shape.slice(axis + 1));
    const lanes = dtype === 'c64' ? 2 : 1;
    for (let i = 0; i < sizeOf(shape); i++) out.data[i * lanes] = Math.floor(i / inner) % shape[axis];
    return [out];
  },
  stop_gradient: ([x]) => [x],
  custom_vjp: (xs, { body }) => evalCall(body, xs),
  custom_jvp: (xs, { body }) => evalCall(body, xs),
  checkpoint: (xs, { body }) => evalCall(body, xs),
  random_bits: ([key], { shape }) => [ndarray('i32', shape, randomBits(key.data[0], key.data[1], sizeOf(shape)))],
};

export function litValue(l: Lit): NDArray {
  return scalar(l.dtype, l.re, l.im);
}

/** Evaluates an IR given values for its constVars and inVars. */
/** A call's body on the equation's operands (captured values first). */
const evalCall = (body: IR, xs: readonly NDArray[]): NDArray[] => evalIR(body, xs.slice(0, body.constVars.length), xs.slice(body.constVars.length));

export function evalIR(ir: IR, consts: readonly NDArray[], args: readonly NDArray[]): NDArray[] {
  const env = new Map<Var, NDArray>();
  ir.constVars.forEach((v, i) => env.set(v, consts[i]));
  ir.inVars.forEach((v, i) => env.set(v, args[i]));
  const read = (a: Atom): NDArray => {
    if (a instanceof Lit) return litValue(a);
    const v = env.get(a);
    if (!v) throw new Error(`interpreter: variable ${a.id} used before it is defined`);
    return v;
  };
  for (const e of ir.eqns) {
    const rule = interpRules[e.prim] as InterpRule<Prim>;
    const outs = rule(e.inputs.map(read), e.params);
    e.outputs.forEach((v, i) => env.set(v, outs[i]));
  }
  return ir.outAtoms.map(read);
}

export const evalClosed = (c: ClosedIR, args: readonly NDArray[]): NDArray[] => evalIR(c.ir, c.consts, args);
