/**
 * Table records of the elementwise primitives: unary math, binary arithmetic and comparisons,
 * select, cast, and the complex constructors/projections. References are per-element formulas
 * (JS Math for the transcendental functions, except erf, which is integrated numerically;
 * complex arithmetic written out; i32 arithmetic with explicit 32-bit wrap-around).
 */
import type { DType, Tensor } from '../../../src/index';
import * as T from '../../../src/index';
import {
  cAbs,
  cAdd,
  cDiv,
  cExp,
  cMul,
  cSub,
  erfByQuadrature,
  floatToInt32,
  logistic,
  maxPropagatingNaN,
  minPropagatingNaN,
  mulInt32,
  signOf,
  wrapInt32,
} from '../../support/naive/scalar';
import { broadcastTo, numpyBroadcastShape } from '../../support/naive/structural';
import { type RefArray } from '../../support/refArray';
import { randomArray, TEST_SHAPES } from '../../support/seeded';
import { binaryRecord, mapRef, probeRng, unaryRecord } from './builders';
import { loose1, loose2, type PrimCase, type PrimitiveTable } from './types';

type ElementwisePrim =
  | 'neg' | 'exp' | 'log' | 'sin' | 'cos' | 'tanh' | 'logistic' | 'sqrt' | 'erf' | 'abs' | 'sign' | 'floor' | 'not'
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'max' | 'min' | 'atan2' | 'and' | 'or' | 'lt' | 'le' | 'gt' | 'ge' | 'eq' | 'ne'
  | 'select' | 'cast' | 'complex' | 'real' | 'imag' | 'conj' | 'stop_gradient';

const F = ['f32'] as const;
const NUM = ['f32', 'i32', 'c64'] as const;
const REAL = ['f32', 'i32'] as const;
const ALL = ['f32', 'i32', 'bool', 'c64'] as const;

const real1 = (f: (x: number) => number) => (v: number[]) => [f(v[0])];
const cx = (v: number[]): [number, number] => [v[0], v[1]];
const bool = (b: boolean): number[] => [b ? 1 : 0];

/** Arithmetic per dtype: f32 plain, i32 wrapped to 32 bits, c64 written out. */
function arith(f32: (a: number, b: number) => number, i32: (a: number, b: number) => number, c64: (a: [number, number], b: [number, number]) => readonly number[]) {
  return (a: number[], b: number[], d: DType): readonly number[] => (d === 'c64' ? c64(cx(a), cx(b)) : d === 'i32' ? [i32(a[0], b[0])] : [f32(a[0], b[0])]);
}

/** Whether some elementwise product (after broadcasting) is too large for float64 to hold exactly. */
function productsExceed2To53(a: RefArray, b: RefArray): boolean {
  const shape = numpyBroadcastShape(a.shape, b.shape) ?? [];
  const [x, y] = [broadcastTo(a, shape), broadcastTo(b, shape)];
  return x.data.some((v, i) => Math.abs(v * y.data[i]) > 2 ** 53);
}

const truncDivInt32 = (a: number, b: number): number => (b === 0 ? 0 : wrapInt32(Math.trunc(a / b)));
const noComplexSpecials = (d: DType) => (d === 'c64' ? { special: false } : {});

const unaryF32 = <P extends 'log' | 'sin' | 'cos' | 'tanh' | 'logistic' | 'sqrt' | 'floor'>(
  via: string,
  op: (x: Tensor) => Tensor,
  f: (x: number) => number,
  reference: string,
  range?: [number, number],
) =>
  unaryRecord<P>(op, { via, reference, dtypes: F, ref: real1(f), gen: () => (range ? { range } : {}) });

function selectCases(dtype: DType, rng: Parameters<PrimitiveTable['select']['cases']>[0]): PrimCase[] {
  const make = (label: string, condShape: number[], shape: number[]): PrimCase => {
    const c = randomArray(rng, 'bool', condShape);
    const a = randomArray(rng, dtype, shape, { special: true });
    const b = randomArray(rng, dtype, shape, { special: true });
    const full = broadcastTo(c, shape);
    return {
      label,
      inputs: [c, a, b],
      apply: ([ct, at, bt]) => T.where(ct as Tensor<'bool'>, at, bt),
      expected: [{ dtype, shape, data: pickData(full, a, b) }],
    };
  };
  return [...TEST_SHAPES.map((s) => make(`[${s.join(',')}]`, [...s], [...s])), make('condition [3,1] broadcast to [3,4]', [3, 1], [3, 4])];
}

/** The data of where(c, a, b) for equal shapes, element by element. */
function pickData(c: RefArray, a: RefArray, b: RefArray): number[] {
  const l = a.dtype === 'c64' ? 2 : 1;
  return c.data.flatMap((ci, i) => (ci ? a.data : b.data).slice(i * l, (i + 1) * l));
}

/** cast to `to`: the library's stated storage rules (i32 truncates and wraps; bool is x != 0). */
function castRef(from: DType, to: DType, v: number[]): number[] {
  if (to === 'c64') return [v[0], 0];
  if (to === 'i32') return [from === 'f32' ? floatToInt32(v[0]) : v[0]];
  if (to === 'bool') return bool(v[0] !== 0);
  return [v[0]];
}

function castCases(dtype: DType, rng: Parameters<PrimitiveTable['cast']['cases']>[0]): PrimCase[] {
  const targets = (['f32', 'i32', 'bool', 'c64'] as const).filter((t) => t !== dtype);
  const big: RefArray = { dtype: 'f32', shape: [4], data: [3e9, -3e9, 2 ** 31, -2.7] };
  return targets.flatMap((to) =>
    [...TEST_SHAPES.map((s) => randomArray(rng, dtype, s, { special: true })), ...(dtype === 'f32' ? [big] : [])].map((x): PrimCase => {
      const label = `[${x.shape.join(',')}] to ${to}`;
      const hasNaN = x.data.some(Number.isNaN);
      return {
        label,
        inputs: [x],
        apply: ([t]) => T.cast(to)(t),
        expected: [mapRef(x, to, (v) => castRef(dtype, to, v))],
      };
    }),
  );
}

export const elementwiseRecords: { readonly [P in ElementwisePrim]: PrimitiveTable[P] } = {
  neg: unaryRecord(loose1(T.neg), {
    via: 'T.neg',
    reference: '-x (i32 wrapped: -INT32_MIN = INT32_MIN), -(re, im)',
    dtypes: NUM,
    ref: (v, d) => (d === 'c64' ? [-v[0], -v[1]] : d === 'i32' ? [wrapInt32(-v[0])] : [-v[0]]),
  }),
  exp: unaryRecord(loose1(T.exp), {
    via: 'T.exp',
    reference: 'Math.exp; complex e^re (cos im + i sin im)',
    dtypes: ['f32', 'c64'],
    ref: (v, d) => (d === 'c64' ? cExp(cx(v)) : [Math.exp(v[0])]),
  }),
  log: unaryF32('T.log', loose1(T.log), Math.log, 'Math.log (negative -> NaN, 0 -> -inf)', [-1, 5]),
  sin: unaryF32('T.sin', loose1(T.sin), Math.sin, 'Math.sin'),
  cos: unaryF32('T.cos', loose1(T.cos), Math.cos, 'Math.cos'),
  tanh: unaryF32('T.tanh', loose1(T.tanh), Math.tanh, 'Math.tanh'),
  logistic: unaryF32('T.sigmoid', loose1(T.sigmoid), logistic, '1 / (1 + exp(-x))'),
  sqrt: unaryF32('T.sqrt', loose1(T.sqrt), Math.sqrt, 'Math.sqrt (negative -> NaN)', [-1, 9]),
  erf: unaryRecord(loose1(T.erf), {
    via: 'T.erf',
    reference: 'Simpson quadrature of 2/sqrt(pi) * integral of exp(-t^2)',
    dtypes: F,
    ref: real1((x) => erfByQuadrature(x)),
    tol: { rtol: 1e-11, atol: 1e-12 },
  }),
  abs: unaryRecord(loose1(T.abs), {
    via: 'T.abs',
    reference: '|x| (i32 wrapped), complex modulus with C99 cabs special values',
    dtypes: NUM,
    outDtype: (d) => (d === 'c64' ? 'f32' : d),
    ref: (v, d) => (d === 'c64' ? [cAbs(cx(v))] : d === 'i32' ? [wrapInt32(Math.abs(v[0]))] : [Math.abs(v[0])]),
  }),
  sign: unaryRecord(loose1(T.sign), { via: 'T.sign', reference: '-1 / 0 / 1, NaN -> NaN', dtypes: REAL, ref: real1(signOf) }),
  floor: unaryF32('T.floor', loose1(T.floor), Math.floor, 'Math.floor'),
  not: unaryRecord(loose1(T.logicalNot), { via: 'T.logicalNot', reference: 'boolean negation', dtypes: ['bool'], ref: (v) => bool(!v[0]) }),
  real: unaryRecord(loose1(T.real), { via: 'T.real', reference: 're', dtypes: ['c64'], outDtype: () => 'f32', ref: (v) => [v[0]] }),
  imag: unaryRecord(loose1(T.imag), { via: 'T.imag', reference: 'im', dtypes: ['c64'], outDtype: () => 'f32', ref: (v) => [v[1]] }),
  conj: unaryRecord(loose1(T.conj), { via: 'T.conj', reference: '(re, -im)', dtypes: ['c64'], ref: (v) => [v[0], -v[1]] }),
  stop_gradient: unaryRecord(loose1(T.stopGradient), { via: 'T.stopGradient', reference: 'the operand itself', dtypes: ALL, ref: (v) => [...v] }),
  add: binaryRecord(loose2(T.add), {
    via: 'T.add',
    reference: 'a + b (i32 wrapped), complex componentwise',
    dtypes: NUM,
    ref: arith((a, b) => a + b, (a, b) => wrapInt32(a + b), cAdd),
  }),
  sub: binaryRecord(loose2(T.sub), {
    via: 'T.sub',
    reference: 'a - b (i32 wrapped), complex componentwise',
    dtypes: NUM,
    ref: arith((a, b) => a - b, (a, b) => wrapInt32(a - b), cSub),
  }),
  mul: binaryRecord(loose2(T.mul), {
    via: 'T.mul',
    reference: 'a * b; i32 product modulo 2^32 from 16-bit halves; (ac - bd, ad + bc)',
    dtypes: NUM,
    ref: arith((a, b) => a * b, mulInt32, cMul),
  }),
  div: binaryRecord(loose2(T.div), {
    via: 'T.div',
    reference: 'a / b; i32 truncating, x / 0 = 0; complex a conj(b) / |b|^2',
    dtypes: NUM,
    ref: arith((a, b) => a / b, truncDivInt32, cDiv),
    gen: noComplexSpecials,
    tol: { rtol: 1e-12, atol: 1e-14 },
  }),
  pow: binaryRecord(loose2(T.pow), { via: 'T.pow', reference: 'Math.pow', dtypes: F, ref: (a, b) => [Math.pow(a[0], b[0])] }),
  max: binaryRecord(loose2(T.maximum), {
    via: 'T.maximum',
    reference: 'larger operand, NaN propagates (numpy.maximum)',
    dtypes: REAL,
    ref: (a, b) => [maxPropagatingNaN(a[0], b[0])],
  }),
  min: binaryRecord(loose2(T.minimum), {
    via: 'T.minimum',
    reference: 'smaller operand, NaN propagates (numpy.minimum)',
    dtypes: REAL,
    ref: (a, b) => [minPropagatingNaN(a[0], b[0])],
  }),
  atan2: binaryRecord(loose2(T.atan2), { via: 'T.atan2', reference: 'Math.atan2', dtypes: F, ref: (a, b) => [Math.atan2(a[0], b[0])] }),
  and: binaryRecord(loose2(T.logicalAnd), { via: 'T.logicalAnd', reference: 'a && b', dtypes: ['bool'], ref: (a, b) => bool(!!a[0] && !!b[0]) }),
  or: binaryRecord(loose2(T.logicalOr), { via: 'T.logicalOr', reference: 'a || b', dtypes: ['bool'], ref: (a, b) => bool(!!a[0] || !!b[0]) }),
  lt: binaryRecord(loose2(T.less), { via: 'T.less', reference: 'a < b (NaN -> false)', dtypes: REAL, outDtype: () => 'bool', ref: (a, b) => bool(a[0] < b[0]) }),
  le: binaryRecord(loose2(T.lessEqual), { via: 'T.lessEqual', reference: 'a <= b', dtypes: REAL, outDtype: () => 'bool', ref: (a, b) => bool(a[0] <= b[0]) }),
  gt: binaryRecord(loose2(T.greater), { via: 'T.greater', reference: 'a > b', dtypes: REAL, outDtype: () => 'bool', ref: (a, b) => bool(a[0] > b[0]) }),
  ge: binaryRecord(loose2(T.greaterEqual), { via: 'T.greaterEqual', reference: 'a >= b', dtypes: REAL, outDtype: () => 'bool', ref: (a, b) => bool(a[0] >= b[0]) }),
  eq: binaryRecord(loose2(T.equal), {
    via: 'T.equal',
    reference: 'a == b (complex: both parts; NaN != NaN)',
    dtypes: ALL,
    outDtype: () => 'bool',
    ref: (a, b) => bool(a.every((v, i) => v === b[i])),
  }),
  ne: binaryRecord(loose2(T.notEqual), {
    via: 'T.notEqual',
    reference: 'a != b (complex: either part)',
    dtypes: ALL,
    outDtype: () => 'bool',
    ref: (a, b) => bool(a.some((v, i) => v !== b[i])),
  }),
  complex: binaryRecord(loose2(T.complex), { via: 'T.complex', reference: '(re, im) pair', dtypes: F, outDtype: () => 'c64', ref: (a, b) => [a[0], b[0]] }),
  select: {
    via: 'T.where',
    reference: 'element picked from a or b by the condition',
    dtypes: ALL,
    cases: (rng, dtype) => selectCases(dtype, rng),
  },
  cast: {
    via: 'T.cast(dtype)',
    reference: 'to f32: value; to i32: truncate toward 0 and wrap modulo 2^32 (non-finite -> 0); to bool: x != 0; to c64: (x, 0)',
    dtypes: ['f32', 'i32', 'bool'],
    cases: (rng, dtype) => castCases(dtype, rng),
    rejects: { dtypes: ['c64'], operands: (d) => [randomArray(probeRng, d, [2])], params: { dtype: 'f32' } },
  },
};
