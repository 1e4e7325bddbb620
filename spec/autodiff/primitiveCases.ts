/**
 * One or more small programs per primitive, for the per-primitive differentiation checks. The
 * table is a mapped type over `Prim`, so a primitive added to the library without a case here
 * is a compile error. Differentiable primitives get a case per dtype they accept (f32, and c64
 * where allowed); non-differentiable ones get `zero` cases, whose derivative must vanish.
 */
import type { Prim } from '../../compiler/primitives';
import { bind1 } from '../../compiler/tracer';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { matrixProduct, runningSoftmax, tropical } from './combines';
import type { ArgSpec, Diff, Program } from './support';

export interface PrimCase {
  readonly label: string;
  readonly args: readonly ArgSpec[];
  readonly f: Program;
  /** The program is locally constant: the primitive must cut the derivative to exactly zero. */
  readonly zero?: true;
  /** With `zero`: the function does vary (stop_gradient), so finite differences are not zero. */
  readonly varies?: true;
}

const F = (x: Tensor): Tensor<'f32'> => x as Tensor<'f32'>;
const C = (x: Tensor): Tensor<'c64'> => x as Tensor<'c64'>;
const toF32 = (x: Tensor): Tensor<'f32'> => T.cast('f32')(x);
const arg = (shape: readonly number[], dtype: Diff = 'f32', domain?: ArgSpec['domain']): ArgSpec => ({ shape, dtype, domain });
const M = [2, 3] as const;

/** The same unary program at f32 and c64. */
const bothDtypes = (label: string, shape: readonly number[], f: Program, domain?: ArgSpec['domain']): PrimCase[] =>
  (['f32', 'c64'] as const).map((d) => ({ label: `${label} ${d}`, args: [arg(shape, d, domain)], f }));

const unaryF32 = (label: string, f: Program, domain?: ArgSpec['domain']): PrimCase[] => [{ label, args: [arg(M, 'f32', domain)], f }];

const binaryBoth = (label: string, f: Program, second?: ArgSpec['domain']): PrimCase[] =>
  (['f32', 'c64'] as const).map((d) => ({ label: `${label} ${d}`, args: [arg(M, d), arg(M, d, second)], f }));

/** A comparison seen through a cast: locally constant in both operands. */
const comparison = (label: string, cmp: (a: Tensor<'f32'>, b: Tensor<'f32'>) => Tensor): PrimCase[] => [
  { label, args: [arg(M), arg(M)], f: (a, b) => toF32(cmp(F(a), F(b))), zero: true },
];

/** (a1, b1) ⊕ (a2, b2) = (a1·a2, a2·b1 + b2): composition of z ↦ a·z + b, over c64. */
const complexAffine: T.Combine = ([a1, b1], [a2, b2]) => [T.mul(C(a1), C(a2)), T.add(T.mul(C(a2), C(b1)), C(b2))];

/**
 * The Heisenberg group law (z1, s1) ⊕ (z2, s2) = (z1 + z2, s1 + s2 + Im(conj(z1)·z2)): associative,
 * a c64 and an f32 operand, and not holomorphic (conj, imag).
 */
const heisenberg: T.Combine = ([z1, s1], [z2, s2]) => [T.add(C(z1), C(z2)), T.add(T.add(F(s1), F(s2)), T.imag(T.mul(T.conj(C(z1)), C(z2))))];

const fixedKey = T.random.key(7);
const repeatedIndices = T.tensor([2, 0, 2, 3, 2], 'i32');

export const PRIMITIVE_CASES: { readonly [P in Prim]: readonly PrimCase[] } = {
  neg: bothDtypes('neg', M, (x) => T.neg(F(x))),
  exp: bothDtypes('exp', M, (x) => T.exp(F(x))),
  log: unaryF32('log', (x) => T.log(F(x)), 'positive'),
  sin: unaryF32('sin', (x) => T.sin(F(x))),
  cos: unaryF32('cos', (x) => T.cos(F(x))),
  tanh: unaryF32('tanh', (x) => T.tanh(F(x))),
  logistic: unaryF32('logistic', (x) => T.sigmoid(F(x))),
  sqrt: unaryF32('sqrt', (x) => T.sqrt(F(x)), 'positive'),
  erf: unaryF32('erf', (x) => T.erf(F(x))),
  abs: [...unaryF32('abs f32', (x) => T.abs(F(x)), 'awayFromZero'), { label: 'abs c64 (modulus)', args: [arg(M, 'c64')], f: (z) => T.abs(C(z)) }],
  sign: [{ label: 'sign', args: [arg(M, 'f32', 'awayFromZero')], f: (x) => T.sign(F(x)), zero: true }],
  floor: [{ label: 'floor', args: [arg(M)], f: (x) => T.floor(T.mul(F(x), 3)), zero: true }],
  not: [{ label: 'not of a comparison', args: [arg(M)], f: (x) => toF32(T.logicalNot(T.greater(F(x), 0))), zero: true }],
  add: [
    ...binaryBoth('add', (a, b) => T.add(F(a), F(b))),
    { label: 'add f32 + c64 (promotion)', args: [arg(M), arg(M, 'c64')], f: (a, b) => T.add(C(a), C(b)) },
  ],
  sub: binaryBoth('sub', (a, b) => T.sub(F(a), F(b))),
  mul: binaryBoth('mul', (a, b) => T.mul(F(a), F(b))),
  div: binaryBoth('div', (a, b) => T.div(F(a), F(b)), 'awayFromZero'),
  pow: [
    { label: 'pow (base and exponent)', args: [arg(M, 'f32', 'positive'), arg(M)], f: (a, b) => T.pow(F(a), F(b)) },
    { label: 'pow x^3 (literal exponent)', args: [arg(M)], f: (a) => T.pow(F(a), 3) },
  ],
  max: [{ label: 'maximum', args: [arg(M), arg(M)], f: (a, b) => T.maximum(F(a), F(b)) }],
  min: [{ label: 'minimum', args: [arg(M), arg(M)], f: (a, b) => T.minimum(F(a), F(b)) }],
  atan2: [{ label: 'atan2', args: [arg(M), arg(M, 'f32', 'awayFromZero')], f: (y, x) => T.atan2(F(y), F(x)) }],
  and: comparison('and of comparisons', (a, b) => T.logicalAnd(T.greater(a, 0), T.greater(b, 0))),
  or: comparison('or of comparisons', (a, b) => T.logicalOr(T.greater(a, 0), T.greater(b, 0))),
  lt: comparison('lt', (a, b) => T.less(a, b)),
  le: comparison('le', (a, b) => T.lessEqual(a, b)),
  gt: comparison('gt', (a, b) => T.greater(a, b)),
  ge: comparison('ge', (a, b) => T.greaterEqual(a, b)),
  eq: [
    ...comparison('eq f32', (a, b) => T.equal(a, b)),
    { label: 'eq c64', args: [arg(M, 'c64'), arg(M, 'c64')], f: (a, b) => toF32(T.equal(a, b)), zero: true },
  ],
  ne: [
    ...comparison('ne f32', (a, b) => T.notEqual(a, b)),
    { label: 'ne c64', args: [arg(M, 'c64'), arg(M, 'c64')], f: (a, b) => toF32(T.notEqual(a, b)), zero: true },
  ],
  select: (['f32', 'c64'] as const).map((d) => ({
    label: `select (mask from a third argument) ${d}`,
    args: [arg(M), arg(M, d), arg(M, d)],
    f: (p: Tensor, x: Tensor, y: Tensor) => T.where(T.greater(F(p), 0), T.mul(F(x), F(x)), y),
  })),
  cast: [
    { label: 'cast f32 -> c64', args: [arg(M)], f: (x) => T.mul(T.cast('c64')(x), T.tensor([{ re: 0.5, im: -2 }], 'c64')) },
    { label: 'cast f32 -> i32 -> f32 (truncation)', args: [arg(M)], f: (x) => toF32(T.cast('i32')(T.mul(F(x), 3))), zero: true },
  ],
  complex: [{ label: 'complex(re, im)', args: [arg(M), arg(M)], f: (a, b) => T.complex(F(a), F(b)) }],
  real: [{ label: 'real', args: [arg(M, 'c64')], f: (z) => T.real(C(z)) }],
  imag: [{ label: 'imag', args: [arg(M, 'c64')], f: (z) => T.imag(C(z)) }],
  conj: [{ label: 'conj', args: [arg(M, 'c64')], f: (z) => T.conj(C(z)) }],
  broadcast_in_dim: [
    ...bothDtypes('broadcast [3] -> [2,3]', [3], (x) => T.broadcastTo(x, [2, 3])),
    { label: 'broadcast [2,1] -> [2,3]', args: [arg([2, 1])], f: (x) => T.broadcastTo(x, [2, 3]) },
    { label: 'broadcast [] -> [2,3]', args: [arg([])], f: (x) => T.broadcastTo(x, [2, 3]) },
    { label: 'broadcast [2] -> [2,3,2] on dims [0]', args: [arg([2])], f: (x) => bind1('broadcast_in_dim', [x], { shape: [2, 3, 2], dims: [0] }) },
    { label: 'broadcast [3,1] -> [2,3,2] on dims [1,2]', args: [arg([3, 1], 'c64')], f: (x) => bind1('broadcast_in_dim', [x], { shape: [2, 3, 2], dims: [1, 2] }) },
  ],
  reshape: bothDtypes('reshape [2,3] -> [3,2]', M, (x) => T.reshape(x, [3, 2])),
  transpose: [
    { label: 'transpose [2,3,2] perm [2,0,1]', args: [arg([2, 3, 2])], f: (x) => T.transpose(x, [2, 0, 1]) },
    { label: 'transpose c64', args: [arg(M, 'c64')], f: (x) => T.transpose(x) },
  ],
  slice: bothDtypes('slice [3,4] -> [1:3, 0:3]', [3, 4], (x) => T.slice(x, [[1, 3], [0, 3]])),
  pad: [
    { label: 'pad with value 0.5', args: [arg(M)], f: (x) => T.pad(x, [[1, 0], [0, 2]], 0.5) },
    { label: 'pad c64', args: [arg(M, 'c64')], f: (x) => T.pad(x, [[0, 1], [2, 1]]) },
  ],
  concat: [
    { label: 'concat [2,3] ++ [2,1] on axis 1', args: [arg(M), arg([2, 1])], f: (a, b) => T.concat([a, b], 1) },
    { label: 'concat c64 on axis 0', args: [arg([1, 2], 'c64'), arg([2, 2], 'c64')], f: (a, b) => T.concat([a, b], 0) },
  ],
  reverse: [
    { label: 'reverse both axes', args: [arg(M)], f: (x) => T.reverse(x, [0, 1]) },
    { label: 'reverse c64 axis 1', args: [arg(M, 'c64')], f: (x) => T.reverse(x, 1) },
  ],
  gather: [
    { label: 'take with repeated indices', args: [arg([4])], f: (x) => T.take(x, repeatedIndices) },
    { label: 'take 2-d indices on axis 1', args: [arg([3, 4])], f: (x) => T.take(x, T.tensor([[1, 1], [0, 3]], 'i32'), 1) },
    { label: 'take c64 with repeated indices', args: [arg([4, 2], 'c64')], f: (x) => T.take(x, repeatedIndices) },
  ],
  scatter_add: [
    { label: 'scatter_add with repeated indices', args: [arg([5])], f: (u) => bind1('scatter_add', [u, repeatedIndices], { axis: 0, size: 4 }) },
    { label: 'scatter_add c64 on axis 1', args: [arg([2, 5], 'c64')], f: (u) => bind1('scatter_add', [u, repeatedIndices], { axis: 1, size: 4 }) },
  ],
  reduce_sum: [
    { label: 'sum over axis 1', args: [arg([3, 4])], f: (x) => T.sum(F(x), { axis: 1 }) },
    { label: 'sum over everything', args: [arg(M)], f: (x) => T.sum(F(x)) },
    { label: 'sum c64 over axes [0, 2]', args: [arg([2, 3, 2], 'c64')], f: (x) => T.sum(C(x), { axis: [0, 2] }) },
  ],
  reduce_max: [
    { label: 'max over axis 0', args: [arg([3, 4])], f: (x) => T.max(F(x), { axis: 0 }) },
    { label: 'max over everything', args: [arg(M)], f: (x) => T.max(F(x)) },
    { label: 'max over axes [0, 2]', args: [arg([2, 3, 2])], f: (x) => T.max(F(x), { axis: [0, 2] }) },
  ],
  argmax: [{ label: 'argmax', args: [arg([3, 4])], f: (x) => toF32(T.argmax(F(x), 1)), zero: true }],
  matmul: [
    { label: 'matmul f32 [2,3]x[3,2]', args: [arg(M), arg([3, 2])], f: (a, b) => T.matmul(a, b) },
    { label: 'matmul c64 batched [2,2,3]x[2,3,2]', args: [arg([2, 2, 3], 'c64'), arg([2, 3, 2], 'c64')], f: (a, b) => T.matmul(a, b) },
    { label: 'matmul f32 with a broadcast batch [2,2,3]x[3,2]', args: [arg([2, 2, 3]), arg([3, 2])], f: (a, b) => T.matmul(a, b) },
  ],
  cumsum: [
    { label: 'cumsum axis 0', args: [arg([4, 2])], f: (x) => T.cumsum(F(x), { axis: 0 }) },
    { label: 'cumsum reversed axis 1', args: [arg([2, 4])], f: (x) => T.cumsum(F(x), { axis: 1, reverse: true }) },
    { label: 'cumsum c64 reversed', args: [arg([4, 2], 'c64')], f: (x) => T.cumsum(C(x), { axis: 0, reverse: true }) },
  ],
  linrec: [
    { label: 'linear recurrence f32', args: [arg([5, 2], 'f32', 'contraction'), arg([5, 2])], f: (a, b) => T.linearRecurrence(F(a), F(b), { axis: 0 }) },
    {
      label: 'linear recurrence f32 reversed on axis 1',
      args: [arg([2, 5], 'f32', 'contraction'), arg([2, 5])],
      f: (a, b) => T.linearRecurrence(F(a), F(b), { axis: 1, reverse: true }),
    },
    { label: 'linear recurrence c64', args: [arg([4, 2], 'c64', 'contraction'), arg([4, 2], 'c64')], f: (a, b) => T.linearRecurrence(C(a), C(b), { axis: 0 }) },
    {
      label: 'linear recurrence c64 reversed, f32 coefficients broadcast',
      args: [arg([2], 'f32', 'contraction'), arg([4, 2], 'c64')],
      f: (a, b) => T.linearRecurrence(F(a), C(b), { axis: 0, reverse: true }),
    },
  ],
  assoc_scan: [
    {
      label: 'associative scan of 2×2 matrix products (4 operands, non-symmetric derivatives)',
      args: [arg([4]), arg([4]), arg([4]), arg([4])],
      f: (a, b, c, d) => T.stack(T.associativeScan(matrixProduct.combine, [a, b, c, d])),
    },
    {
      label: 'associative scan of the running softmax normaliser',
      args: [arg([5]), arg([5], 'f32', 'positive')],
      f: (m, s) => T.stack(T.associativeScan(runningSoftmax.combine, [m, s])),
    },
    {
      label: 'associative scan of complex affine maps (c64 operands, holomorphic combine)',
      args: [arg([4], 'c64', 'contraction'), arg([4], 'c64')],
      f: (a, b) => T.stack(T.associativeScan(complexAffine, [a, b])),
    },
    {
      label: 'associative scan of the Heisenberg group law (c64 and f32 operands, not holomorphic), reversed on axis 1',
      args: [arg([2, 3], 'c64'), arg([2, 3])],
      f: (z, s) => {
        const [zs, ss] = T.associativeScan(heisenberg, [z, s], { axis: 1, reverse: true });
        return T.add(T.mul(zs as Tensor<'c64'>, 0.5), T.cast('c64')(ss as Tensor<'f32'>));
      },
    },
    {
      label: 'associative scan of the (max, +) recurrence',
      args: [arg([4]), arg([4])],
      f: (a, b) => T.stack(T.associativeScan(tropical.combine, [a, b])),
    },
    {
      label: 'associative scan of the (max, +) recurrence, reversed on axis 1',
      args: [arg([2, 3]), arg([2, 3])],
      f: (a, b) => T.stack(T.associativeScan(tropical.combine, [a, b], { axis: 1, reverse: true })),
    },
  ],
  fft: [
    { label: 'fft n=8', args: [arg([8], 'c64')], f: (x) => T.fft(C(x)) },
    { label: 'ifft n=6 (not a power of two)', args: [arg([6], 'c64')], f: (x) => T.ifft(C(x)) },
    { label: 'fft batched [2,5]', args: [arg([2, 5], 'c64')], f: (x) => T.fft(C(x)) },
  ],
  rfft: [
    { label: 'rfft n=8', args: [arg([8])], f: (x) => T.rfft(F(x)) },
    { label: 'rfft n=7', args: [arg([7])], f: (x) => T.rfft(F(x)) },
    { label: 'rfft batched [2,6]', args: [arg([2, 6])], f: (x) => T.rfft(F(x)) },
  ],
  irfft: [
    { label: 'irfft to n=8', args: [arg([5], 'c64')], f: (x) => T.irfft(C(x), 8) },
    { label: 'irfft to n=7', args: [arg([4], 'c64')], f: (x) => T.irfft(C(x), 7) },
    { label: 'irfft batched to n=6', args: [arg([2, 4], 'c64')], f: (x) => T.irfft(C(x), 6) },
  ],
  iota: [{ label: 'x scaled by an f32 iota', args: [arg(M)], f: (x) => T.mul(F(x), T.iota([2, 3], 1, 'f32')) }],
  custom_vjp: [
    {
      label: 'x·sin(x) with a VJP rule, f32',
      args: [arg(M)],
      f: (x) => T.customVjp((v: Tensor) => T.mul(F(v), T.sin(F(v))), ([v], _y, ct) => [T.mul(F(ct), T.add(T.sin(F(v)), T.mul(F(v), T.cos(F(v)))))])(x),
    },
    {
      label: 'z·w (c64, two arguments) with a VJP rule ct·conj(w), ct·conj(z)',
      args: [arg(M, 'c64'), arg(M, 'c64')],
      f: (z, w) => T.customVjp((a: Tensor, b: Tensor) => T.mul(C(a), C(b)), ([a, b], _y, ct) => [T.mul(C(ct), T.conj(C(b))), T.mul(C(ct), T.conj(C(a)))])(z, w),
    },
  ],
  custom_jvp: [
    {
      label: 'exp(x) − 1 with a JVP rule, f32',
      args: [arg(M)],
      f: (x) => T.customJvp((v: Tensor) => T.sub(T.exp(F(v)), 1), ([v], [t]) => [T.sub(T.exp(F(v)), 1), T.mul(F(t), T.exp(F(v)))])(x),
    },
    {
      label: 'exp(z) (c64) with a JVP rule',
      args: [arg(M, 'c64')],
      f: (z) => T.customJvp((v: Tensor) => T.exp(C(v)), ([v], [t]) => [T.exp(C(v)), T.mul(C(t), T.exp(C(v)))])(z),
    },
  ],
  checkpoint: [
    { label: 'tanh(x)·y checkpointed', args: [arg(M), arg(M)], f: (x, y) => T.checkpoint((a: Tensor, b: Tensor) => T.mul(T.tanh(F(a)), F(b)))(x, y) },
    { label: 'exp(z)·z (c64) checkpointed', args: [arg(M, 'c64')], f: (z) => T.checkpoint((a: Tensor) => T.mul(T.exp(C(a)), C(a)))(z) },
  ],
  stop_gradient: [
    ...(['f32', 'c64'] as const).map((d): PrimCase => ({ label: `stop_gradient ${d}`, args: [arg(M, d)], f: (x) => T.exp(T.stopGradient(x as Tensor<'f32'>)), zero: true, varies: true })),
  ],
  random_bits: [
    {
      label: 'random bits keyed by floor(8x)',
      args: [arg([2])],
      f: (x) => T.mul(toF32(bind1('random_bits', [T.cast('i32')(T.floor(T.mul(F(x), 8)))], { shape: [3] })), 2 ** -32),
      zero: true,
    },
    {
      label: 'x scaled by random bits of a fixed key',
      args: [arg([3])],
      f: (x) => T.mul(F(x), T.mul(toF32(bind1('random_bits', [fixedKey], { shape: [3] })), 2 ** -32)),
    },
  ],
};
