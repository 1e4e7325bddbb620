/**
 * One or more small programs per primitive for the compiled-vs-interpreted checks. The table is
 * a mapped type over `Prim`: a primitive added to the library without cases here is a compile
 * error. Elementwise primitives run at a scalar, a shape with a leading size-1 axis and a
 * non-power-of-two length ([1,7]), and one with a size-1 axis in the middle ([3,1,5]), at every
 * dtype they accept (real and complex where allowed); the others at shapes chosen for their
 * axis logic. Each case carries its float32 tolerance (tolerances.ts).
 */
import type { Prim } from '../../compiler/primitives';
import { bind1 } from '../../compiler/tracer';
import * as T from '../../src/index';
import type { DType, Tensor } from '../../src/index';
import { matrixProduct, runningSoftmax } from '../autodiff/combines';
import { type ArgSpec, arg, type Domain, showSpec } from './inputs';
import type { DefectName } from './knownDefects';
import { fftTol, type JitTolerance, sumTol, TOL } from './tolerances';

export type JitProgram = (...xs: Tensor[]) => Tensor | readonly Tensor[];

export interface JitCase {
  readonly label: string;
  readonly args: readonly ArgSpec[];
  readonly f: JitProgram;
  readonly tol: JitTolerance;
  /** An open defect (knownDefects.ts) this case exposes on some backends. */
  readonly defect?: DefectName;
}

/** The case, marked as exposing `defect`. */
const exposing = (defect: DefectName, jc: JitCase): JitCase => ({ ...jc, defect });

const F = (x: Tensor): Tensor<'f32'> => x as Tensor<'f32'>;
const C = (x: Tensor): Tensor<'c64'> => x as Tensor<'c64'>;
const B = (x: Tensor): Tensor<'bool'> => x as Tensor<'bool'>;
type Loose2 = (a: Tensor, b: Tensor) => Tensor;
const loose2 = (f: (a: never, b: never) => Tensor): Loose2 => f as Loose2;

/** Scalar, a leading size-1 axis with an odd length, a size-1 axis in the middle. */
export const ELEMENTWISE_SHAPES: readonly (readonly number[])[] = [[], [1, 7], [3, 1, 5]];

const c = (label: string, args: readonly ArgSpec[], f: JitProgram, tol: JitTolerance): JitCase => ({
  label: `${label} ${args.map(showSpec).join(' ')}`,
  args,
  f,
  tol,
});

/** The same program at every elementwise shape and dtype; `domains` gives each operand's domain. */
function overShapes(label: string, dtypes: readonly DType[], domains: readonly (Domain | undefined)[], f: JitProgram, tol: JitTolerance): JitCase[] {
  return dtypes.flatMap((d) => ELEMENTWISE_SHAPES.map((s) => c(label, domains.map((dom) => arg(s, d, dom)), f, tol)));
}

const unary = (label: string, dtypes: readonly DType[], f: (x: Tensor) => Tensor, tol: JitTolerance, domain?: Domain): JitCase[] =>
  overShapes(label, dtypes, [domain], f as JitProgram, tol);

/** Binary ops: every shape and dtype, plus a broadcast pair [3,1] with [5] at the first dtype. */
function binary(label: string, dtypes: readonly DType[], f: Loose2, tol: JitTolerance, domains: readonly (Domain | undefined)[] = [undefined, undefined]): JitCase[] {
  const broadcast = c(`${label} broadcast`, [arg([3, 1], dtypes[0], domains[0]), arg([5], dtypes[0], domains[1])], f as JitProgram, tol);
  return [...overShapes(label, dtypes, domains, f as JitProgram, tol), broadcast];
}

const comparison = (label: string, f: Loose2, dtypes: readonly DType[] = ['f32', 'i32']): JitCase[] => binary(label, dtypes, f, TOL.exact);

const indices = (shape: readonly number[], size: number): ArgSpec => arg(shape, 'i32', { index: size - 1 });

/** Affine maps x -> a·x + b composed: (a1, b1) then (a2, b2) is (a2·a1, a2·b1 + b2); complex operands. */
const affineCombine = ([a1, b1]: Tensor[], [a2, b2]: Tensor[]): Tensor[] => [T.mul(C(a2), C(a1)), T.add(T.mul(C(a2), C(b1)), C(b2))];

const REAL_NUM: readonly DType[] = ['f32', 'i32'];
const ALL_NUM: readonly DType[] = ['f32', 'c64', 'i32'];
const FLOATING: readonly DType[] = ['f32', 'c64'];

export const JIT_PRIMITIVE_CASES: { readonly [P in Prim]: readonly JitCase[] } = {
  neg: unary('neg', ALL_NUM, (x) => T.neg(F(x)), TOL.exact),
  exp: unary('exp', FLOATING, (x) => T.exp(F(x)), TOL.transcendental),
  log: unary('log', ['f32'], (x) => T.log(F(x)), TOL.transcendental, 'positive'),
  sin: unary('sin', ['f32'], (x) => T.sin(T.mul(F(x), 3)), TOL.transcendental),
  cos: unary('cos', ['f32'], (x) => T.cos(T.mul(F(x), 3)), TOL.transcendental),
  tanh: unary('tanh', ['f32'], (x) => T.tanh(T.mul(F(x), 2)), TOL.transcendental),
  logistic: unary('logistic', ['f32'], (x) => T.sigmoid(T.mul(F(x), 3)), TOL.transcendental),
  sqrt: unary('sqrt', ['f32'], (x) => T.sqrt(F(x)), TOL.transcendental, 'positive'),
  erf: unary('erf', ['f32'], (x) => T.erf(F(x)), TOL.transcendental),
  abs: unary('abs', ALL_NUM, (x) => T.abs(F(x)), TOL.arith),
  sign: unary('sign', REAL_NUM, (x) => T.sign(F(x)), TOL.exact),
  floor: unary('floor', ['f32'], (x) => T.floor(T.mul(F(x), 4)), TOL.exact),
  not: unary('not', ['bool'], (x) => T.logicalNot(B(x)), TOL.exact),
  add: binary('add', ALL_NUM, loose2(T.add), TOL.arith),
  sub: binary('sub', ALL_NUM, loose2(T.sub), TOL.arith),
  mul: binary('mul', ALL_NUM, loose2(T.mul), TOL.arith),
  div: [
    ...binary('div', FLOATING, loose2(T.div), TOL.arith, [undefined, 'awayFromZero']),
    ...binary('div (truncating)', ['i32'], loose2(T.div), TOL.exact, [undefined, 'awayFromZero']),
  ],
  pow: binary('pow', ['f32'], loose2(T.pow), TOL.transcendental, ['positive', undefined]),
  max: binary('maximum', REAL_NUM, loose2(T.maximum), TOL.exact),
  min: binary('minimum', REAL_NUM, loose2(T.minimum), TOL.exact),
  atan2: binary('atan2', ['f32'], loose2(T.atan2), TOL.transcendental),
  and: binary('and', ['bool'], loose2(T.logicalAnd), TOL.exact),
  or: binary('or', ['bool'], loose2(T.logicalOr), TOL.exact),
  lt: comparison('lt', loose2(T.less)),
  le: comparison('le', loose2(T.lessEqual)),
  gt: comparison('gt', loose2(T.greater)),
  ge: comparison('ge', loose2(T.greaterEqual)),
  eq: comparison('eq', loose2(T.equal), ['f32', 'i32', 'bool', 'c64']),
  ne: comparison('ne', loose2(T.notEqual), ['f32', 'i32', 'bool', 'c64']),
  select: (['f32', 'c64', 'i32'] as const).flatMap((d) =>
    ELEMENTWISE_SHAPES.map((s) => c('where', [arg(s, 'bool'), arg(s, d), arg(s, d)], (p, x, y) => T.where(B(p), x, y), TOL.exact)),
  ),
  cast: [
    ...unary('cast f32 -> i32 (truncation)', ['f32'], (x) => T.cast('i32')(T.mul(F(x), 4)), TOL.exact),
    ...unary('cast i32 -> f32', ['i32'], (x) => T.cast('f32')(x), TOL.exact),
    ...unary('cast f32 -> c64', ['f32'], (x) => T.cast('c64')(x), TOL.exact),
    ...unary('cast bool -> f32', ['bool'], (x) => T.cast('f32')(x), TOL.exact),
    ...unary('cast f32 -> bool', ['f32'], (x) => T.cast('bool')(T.floor(F(x))), TOL.exact),
  ],
  complex: binary('complex', ['f32'], loose2(T.complex), TOL.exact),
  real: unary('real', ['c64'], (z) => T.real(C(z)), TOL.exact),
  imag: unary('imag', ['c64'], (z) => T.imag(C(z)), TOL.exact),
  conj: unary('conj', ['c64'], (z) => T.conj(C(z)), TOL.exact),
  broadcast_in_dim: [
    ...(['f32', 'c64'] as const).map((d) => c('broadcast to [2,3]', [arg([3], d)], (x) => T.broadcastTo(x, [2, 3]), TOL.exact)),
    c('broadcast [2,1] to [2,5]', [arg([2, 1])], (x) => T.broadcastTo(x, [2, 5]), TOL.exact),
    c('broadcast [] to [1,4]', [arg([])], (x) => T.broadcastTo(x, [1, 4]), TOL.exact),
    c('broadcast on dims [1,2] to [2,3,5]', [arg([3, 1], 'c64')], (x) => bind1('broadcast_in_dim', [x], { shape: [2, 3, 5], dims: [1, 2] }), TOL.exact),
  ],
  reshape: [
    ...(['f32', 'c64'] as const).map((d) => c('reshape to [3,2]', [arg([2, 3], d)], (x) => T.reshape(x, [3, 2]), TOL.exact)),
    c('reshape to [1,2,3] (size-1 axes only)', [arg([6])], (x) => T.reshape(x, [1, 2, 3]), TOL.exact),
    c('reshape to [15]', [arg([3, 1, 5], 'i32')], (x) => T.reshape(x, [15]), TOL.exact),
    c('reshape to [5,3]', [arg([3, 5])], (x) => T.reshape(x, [5, 3]), TOL.exact),
  ],
  transpose: [
    c('transpose perm [2,0,1]', [arg([2, 3, 5])], (x) => T.transpose(x, [2, 0, 1]), TOL.exact),
    c('transpose', [arg([1, 5], 'c64')], (x) => T.transpose(x), TOL.exact),
  ],
  slice: [
    ...(['f32', 'c64'] as const).map((d) => c('slice [1:3, 2:5]', [arg([3, 7], d)], (x) => T.slice(x, [[1, 3], [2, 5]]), TOL.exact)),
    c('slice [0:1] of a size-1 axis', [arg([1, 6])], (x) => T.slice(x, [[0, 1], [1, 6]]), TOL.exact),
  ],
  pad: [
    c('pad with 0.5', [arg([2, 3])], (x) => T.pad(x, [[1, 0], [0, 2]], 0.5), TOL.exact),
    c('pad', [arg([1, 5], 'c64')], (x) => T.pad(x, [[0, 1], [2, 1]]), TOL.exact),
  ],
  concat: [
    c('concat on axis 1', [arg([2, 3]), arg([2, 1]), arg([2, 5])], (a, b2, d) => T.concat([a, b2, d], 1), TOL.exact),
    c('concat on axis 0', [arg([1, 2], 'c64'), arg([3, 2], 'c64')], (a, b2) => T.concat([a, b2], 0), TOL.exact),
  ],
  reverse: [
    c('reverse both axes', [arg([3, 5])], (x) => T.reverse(x, [0, 1]), TOL.exact),
    c('reverse axis 1', [arg([2, 7], 'c64')], (x) => T.reverse(x, 1), TOL.exact),
  ],
  gather: [
    c('take on axis 0', [arg([5]), indices([7], 5)], (x, i) => T.take(x, i as Tensor<'i32'>), TOL.exact),
    c('take 2-d indices on axis 1', [arg([3, 5]), indices([2, 3], 5)], (x, i) => T.take(x, i as Tensor<'i32'>, 1), TOL.exact),
    c('take on axis 0', [arg([4, 3], 'c64'), indices([6], 4)], (x, i) => T.take(x, i as Tensor<'i32'>), TOL.exact),
  ],
  scatter_add: [
    c('scatter_add to size 4', [arg([7]), indices([7], 4)], (u, i) => bind1('scatter_add', [u, i], { axis: 0, size: 4 }), sumTol(7)),
    c('scatter_add on axis 1 to size 3', [arg([2, 5], 'c64'), indices([5], 3)], (u, i) => bind1('scatter_add', [u, i], { axis: 1, size: 3 }), sumTol(5)),
  ],
  reduce_sum: [
    c('sum over axis 1', [arg([3, 7])], (x) => T.sum(F(x), { axis: 1 }), sumTol(7)),
    c('sum over everything', [arg([1, 7])], (x) => T.sum(F(x)), sumTol(7)),
    c('sum over axes [0, 2] keepdims', [arg([2, 3, 5], 'c64')], (x) => T.sum(C(x), { axis: [0, 2], keepdims: true }), sumTol(10)),
    c('sum over axis 1 (size 1)', [arg([3, 1, 5], 'i32')], (x) => T.sum(x as Tensor<'i32'>, { axis: 1 }), TOL.exact),
  ],
  reduce_max: [
    c('max over axis 0', [arg([3, 7])], (x) => T.max(F(x), { axis: 0 }), TOL.exact),
    c('max over everything', [arg([3, 1, 5], 'i32')], (x) => T.max(x as Tensor<'i32'>), TOL.exact),
  ],
  argmax: [
    c('argmax over axis 1', [arg([3, 7])], (x) => T.argmax(F(x), 1), TOL.exact),
    c('argmax over axis 0', [arg([5, 1])], (x) => T.argmax(F(x), 0), TOL.exact),
  ],
  matmul: [
    c('matmul', [arg([3, 5]), arg([5, 2])], (a, b2) => T.matmul(a, b2), sumTol(5)),
    c('matmul (outer dims 1)', [arg([1, 7]), arg([7, 1])], (a, b2) => T.matmul(a, b2), sumTol(7)),
    c('matmul batched', [arg([2, 3, 5], 'c64'), arg([2, 5, 3], 'c64')], (a, b2) => T.matmul(a, b2), sumTol(10)),
    c('matmul with a broadcast batch', [arg([2, 3, 6]), arg([6, 5])], (a, b2) => T.matmul(a, b2), sumTol(6)),
    c('matmul c64 by a fused c64 operand, broadcast batch', [arg([2, 3, 9], 'c64'), arg([9, 4], 'c64')], (a, b2) => T.matmul(C(a), T.mul(C(b2), C(b2))), sumTol(9)),
    c('matmul of fused f32 operands', [arg([3, 9]), arg([9, 2])], (a, b2) => T.matmul(T.exp(F(a)), T.sin(F(b2))), sumTol(9)),
  ],
  cumsum: [
    c('cumsum axis 0', [arg([7, 3])], (x) => T.cumsum(F(x), { axis: 0 }), sumTol(7)),
    c('cumsum reversed axis 1', [arg([1, 7])], (x) => T.cumsum(F(x), { axis: 1, reverse: true }), sumTol(7)),
    c('cumsum', [arg([5, 2], 'c64')], (x) => T.cumsum(C(x), { axis: 0 }), sumTol(5)),
    c('cumsum', [arg([3, 1, 5], 'i32')], (x) => T.cumsum(x as Tensor<'i32'>, { axis: 2 }), TOL.exact),
    c('cumsum of a fused value over 100 (a three-level tree), reversed', [arg([2, 100], 'c64')], (x) => T.cumsum(T.mul(C(x), C(x)), { axis: 1, reverse: true }), sumTol(100)),
    c('cumsum over 70 (a two-level tree)', [arg([70, 3], 'i32')], (x) => T.cumsum(x as Tensor<'i32'>, { axis: 0 }), TOL.exact),
  ],
  linrec: [
    c('linear recurrence', [arg([7, 3], 'f32', 'contraction'), arg([7, 3])], (a, x) => T.linearRecurrence(F(a), F(x), { axis: 0 }), sumTol(7)),
    c('linear recurrence reversed on axis 1', [arg([2, 7], 'f32', 'contraction'), arg([2, 7])], (a, x) => T.linearRecurrence(F(a), F(x), { axis: 1, reverse: true }), sumTol(7)),
    c('linear recurrence', [arg([5, 1, 3], 'c64', 'contraction'), arg([5, 1, 3], 'c64')], (a, x) => T.linearRecurrence(C(a), C(x), { axis: 0 }), sumTol(5)),
    c('linear recurrence reversed, coefficients broadcast', [arg([3], 'f32', 'contraction'), arg([6, 3], 'c64')], (a, x) => T.linearRecurrence(F(a), C(x), { axis: 0, reverse: true }), sumTol(6)),
    c('linear recurrence over 150 of a fused input', [arg([3, 150], 'f32', 'contraction'), arg([3, 150])], (a, x) => T.linearRecurrence(F(a), T.sin(F(x)), { axis: 1 }), sumTol(150)),
    c('linear recurrence over 130, reversed', [arg([130, 2], 'c64', 'contraction'), arg([130, 2], 'c64')], (a, x) => T.linearRecurrence(C(a), C(x), { axis: 0, reverse: true }), sumTol(130)),
  ],
  assoc_scan: [
    c('scan of 2x2 matrix products', [arg([5], 'f32', 'small'), arg([5], 'f32', 'small'), arg([5], 'f32', 'small'), arg([5], 'f32', 'small')], (a, b2, c2, d) => T.associativeScan(matrixProduct.combine, [a, b2, c2, d]), sumTol(5)),
    c('scan of complex affine maps', [arg([6, 2], 'c64', 'contraction'), arg([6, 2], 'c64')], (a, x) => T.associativeScan(affineCombine, [a, x]), sumTol(6)),
    c('scan of complex affine maps over 90', [arg([90], 'c64', 'contraction'), arg([90], 'c64')], (a, x) => T.associativeScan(affineCombine, [a, x]), sumTol(90)),
    c('reversed scan of the running softmax normaliser', [arg([2, 7]), arg([2, 7], 'f32', 'positive')], (m, s) => T.associativeScan(runningSoftmax.combine, [m, s], { axis: 1, reverse: true }), sumTol(7)),
  ],
  fft: [
    c('fft n=8', [arg([8], 'c64')], (x) => T.fft(C(x)), fftTol(8)),
    c('ifft n=6', [arg([6], 'c64')], (x) => T.ifft(C(x)), fftTol(6)),
    c('fft batched n=5', [arg([3, 1, 5], 'c64')], (x) => T.fft(C(x)), fftTol(5)),
    c('fft n=1', [arg([2, 1], 'c64')], (x) => T.fft(C(x)), fftTol(1)),
    c('ifft of a fused value, batched n=32', [arg([3, 32], 'c64')], (x) => T.ifft(T.mul(C(x), C(x))), fftTol(32)),
    c('fft of a real fused value n=12', [arg([2, 12])], (x) => T.fft(T.complex(T.sin(F(x)), F(x))), fftTol(12)),
  ],
  rfft: [
    c('rfft n=8', [arg([8])], (x) => T.rfft(F(x)), fftTol(8)),
    c('rfft n=7', [arg([1, 7])], (x) => T.rfft(F(x)), fftTol(7)),
    c('rfft batched n=6', [arg([2, 6])], (x) => T.rfft(F(x)), fftTol(6)),
    c('rfft of a fused value n=64', [arg([2, 64])], (x) => T.rfft(T.exp(F(x))), fftTol(64)),
    c('rfft n=2', [arg([3, 2])], (x) => T.rfft(F(x)), fftTol(2)),
  ],
  irfft: [
    c('irfft to n=8', [arg([5], 'c64')], (x) => T.irfft(C(x), 8), fftTol(8)),
    c('irfft to n=7', [arg([1, 4], 'c64')], (x) => T.irfft(C(x), 7), fftTol(7)),
    c('irfft batched to n=6', [arg([2, 4], 'c64')], (x) => T.irfft(C(x), 6), fftTol(6)),
    c('irfft to n=2', [arg([3, 2], 'c64')], (x) => T.irfft(C(x), 2), fftTol(2)),
    c('irfft of a fused value to n=32', [arg([2, 17], 'c64')], (x) => T.irfft(T.mul(C(x), C(x)), 32), fftTol(32)),
  ],
  iota: [
    c('x times an f32 iota on axis 1', [arg([3, 5])], (x) => T.mul(F(x), T.iota([3, 5], 1, 'f32')), TOL.arith),
    c('x plus an i32 iota on axis 0', [arg([7, 1], 'i32')], (x) => T.add(x as Tensor<'i32'>, T.iota([7, 1], 0)), TOL.exact),
  ],
  custom_vjp: [
    c('x·sin(x) with a VJP rule', [arg([3, 5])], (x) => T.customVjp((v: Tensor) => T.mul(F(v), T.sin(F(v))), ([v], _y, ct) => [T.mul(F(ct), T.add(T.sin(F(v)), T.mul(F(v), T.cos(F(v)))))])(x), TOL.transcendental),
  ],
  custom_jvp: [
    c('exp(x) − 1 with a JVP rule', [arg([3, 5])], (x) => T.customJvp((v: Tensor) => T.sub(T.exp(F(v)), 1), ([v], [t]) => [T.sub(T.exp(F(v)), 1), T.mul(F(t), T.exp(F(v)))])(x), TOL.transcendental),
  ],
  checkpoint: [
    c('tanh(x)·y checkpointed, two outputs', [arg([4, 3]), arg([4, 3])], (x, y) => T.checkpoint((a: Tensor, b: Tensor) => [T.mul(T.tanh(F(a)), F(b)), T.sin(F(a))])(x, y), TOL.transcendental),
  ],
  stop_gradient: unary('stop_gradient', [...ALL_NUM, 'bool'], (x) => T.stopGradient(x), TOL.exact),
  random_bits: [
    c('random bits of a key argument', [arg([2], 'i32', { index: 1000 })], (k) => bind1('random_bits', [k], { shape: [3, 5] }), TOL.stored),
    c('random bits of a key argument, as f32', [arg([2], 'i32', { index: 1000 })], (k) => T.cast('f32')(bind1('random_bits', [k], { shape: [2, 7] })), TOL.stored),
    c('x scaled by uniform numbers of a key argument', [arg([7]), arg([2], 'i32', { index: 1000 })], (x, k) => T.mul(F(x), T.random.uniform(k as T.random.Key, [7])), TOL.arith),
  ],
};
