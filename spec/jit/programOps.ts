/**
 * The operations random programs are built from. Each takes one or two earlier values (and
 * small integer parameters), says whether it applies to them, and gives its result type and
 * its DSL implementation. Every operation keeps values of order one (transcendental functions
 * get squashed arguments, divisions get denominators >= 1, recurrences get contractions) so a
 * long float32 chain stays comparable with the float64 interpreter.
 */
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { runningSoftmax, tropical } from '../autodiff/combines';

export type ValueDtype = 'f32' | 'c64';

export interface ValueType {
  readonly shape: readonly number[];
  readonly dtype: ValueDtype;
}

export interface ProgramOp {
  readonly name: string;
  /** 1: unary; 2: a second operand whose shape broadcasts with the first's. */
  readonly arity: 1 | 2;
  readonly applies: (a: ValueType, b?: ValueType) => boolean;
  readonly type: (p: number, a: ValueType, b?: ValueType) => ValueType;
  readonly apply: (p: number, a: Tensor, b?: Tensor) => Tensor;
}

const F = (x: Tensor): Tensor<'f32'> => x as Tensor<'f32'>;
const C = (x: Tensor): Tensor<'c64'> => x as Tensor<'c64'>;
const numel = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** numpy broadcasting of two shapes, or null. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(Math.max(x, y));
  }
  return out;
}

const real = (t: ValueType): boolean => t.dtype === 'f32';
const ranked = (t: ValueType): boolean => t.shape.length >= 1;
const axisOf = (p: number, t: ValueType): number => p % t.shape.length;
const promote = (a: ValueType, b: ValueType): ValueDtype => (a.dtype === 'c64' || b.dtype === 'c64' ? 'c64' : 'f32');
const same = (t: ValueType): ValueType => t;
const asReal = (t: ValueType): ValueType => ({ shape: t.shape, dtype: 'f32' });
const asComplex = (t: ValueType): ValueType => ({ shape: t.shape, dtype: 'c64' });
const withAxis = (t: ValueType, axis: number, size: number): ValueType => ({ ...t, shape: t.shape.map((d, i) => (i === axis ? size : d)) });
const MAX_ELEMENTS = 96;

/** |z| < 0.9 elementwise: z·0.9/(1 + |z|). */
const contraction = (x: Tensor): Tensor => (x.dtype === 'c64' ? T.mul(C(x), T.div(0.9, T.add(T.abs(C(x)), 1))) : T.mul(T.tanh(F(x)), 0.9));

/** Composition of affine maps v ↦ a·v + b (a contraction keeps the scan bounded). */
const affine: T.Combine = ([a1, b1], [a2, b2]) => [T.mul(C(a2), C(a1)), T.add(T.mul(C(a2), C(b1)), C(b2))];

const unary = (name: string, when: (t: ValueType) => boolean, f: (x: Tensor) => Tensor, type: (t: ValueType) => ValueType = same): ProgramOp => ({
  name,
  arity: 1,
  applies: when,
  type: (_p, a) => type(a),
  apply: (_p, a) => f(a),
});

/** A broadcasting binary op; its result has the promoted dtype unless `dtype` says otherwise. */
const binary = (name: string, when: (a: ValueType, b: ValueType) => boolean, f: (a: Tensor, b: Tensor) => Tensor, dtype: (a: ValueType, b: ValueType) => ValueDtype = promote): ProgramOp => ({
  name,
  arity: 2,
  applies: (a, b) => b !== undefined && broadcastShape(a.shape, b.shape) !== null && when(a, b),
  type: (_p, a, b) => ({ shape: broadcastShape(a.shape, (b as ValueType).shape) as number[], dtype: dtype(a, b as ValueType) }),
  apply: (_p, a, b) => f(a, b as Tensor),
});

const any = (): boolean => true;

export const PROGRAM_OPS: readonly ProgramOp[] = [
  // elementwise, real and complex
  unary('neg', any, (x) => T.neg(F(x))),
  unary('sin', real, (x) => T.sin(F(x))),
  unary('cos', real, (x) => T.cos(F(x))),
  unary('tanh', real, (x) => T.tanh(F(x))),
  unary('sigmoid', real, (x) => T.sigmoid(F(x))),
  unary('erf', real, (x) => T.erf(F(x))),
  unary('exp(tanh x)', real, (x) => T.exp(T.tanh(F(x)))),
  unary('exp(tanh re + i im)', (t) => t.dtype === 'c64', (z) => T.exp(T.complex(T.tanh(T.real(C(z))), T.imag(C(z))))),
  unary('log(1 + x²)', real, (x) => T.log(T.add(T.square(F(x)), 1))),
  unary('sqrt(x² + 1)', real, (x) => T.sqrt(T.add(T.square(F(x)), 1))),
  unary('leaky relu', real, (x) => T.where(T.greater(F(x), 0), F(x), T.mul(F(x), 0.1))),
  unary('abs', any, (x) => T.abs(F(x)), asReal),
  unary('conj', (t) => t.dtype === 'c64', (z) => T.conj(C(z))),
  unary('real', (t) => t.dtype === 'c64', (z) => T.real(C(z)), asReal),
  unary('imag', (t) => t.dtype === 'c64', (z) => T.imag(C(z)), asReal),
  unary('cast to c64', real, (x) => T.cast('c64')(x), asComplex),
  binary('add', any, (a, b) => T.add(F(a), F(b))),
  binary('sub', any, (a, b) => T.sub(F(a), F(b))),
  binary('mul', any, (a, b) => T.mul(F(a), F(b))),
  binary('a / (1 + |b|²)', any, (a, b) => T.div(F(a), T.add(T.square(T.abs(F(b))), 1)), (a) => a.dtype),
  binary('maximum', (a, b) => real(a) && real(b), (a, b) => T.maximum(F(a), F(b))),
  binary('minimum', (a, b) => real(a) && real(b), (a, b) => T.minimum(F(a), F(b))),
  binary('complex(a, b)', (a, b) => real(a) && real(b), (a, b) => T.complex(F(a), F(b)), () => 'c64'),
  // structure
  {
    name: 'transpose',
    arity: 1,
    applies: (t) => t.shape.length >= 2,
    type: (p, t) => ({ ...t, shape: permutation(p, t.shape.length).map((i) => t.shape[i]) }),
    apply: (p, x) => T.transpose(x, permutation(p, x.ndim)),
  },
  { name: 'reverse', arity: 1, applies: ranked, type: (_p, t) => t, apply: (p, x) => T.reverse(x, p % x.ndim) },
  {
    name: 'slice [1:]',
    arity: 1,
    applies: (t) => t.shape.some((d) => d >= 2),
    type: (p, t) => withAxis(t, sliceAxis(p, t.shape), t.shape[sliceAxis(p, t.shape)] - 1),
    apply: (p, x) => T.sliceAxis(x, sliceAxis(p, x.shape), 1, x.shape[sliceAxis(p, x.shape)]),
  },
  {
    name: 'pad (1, 1)',
    arity: 1,
    applies: (t) => ranked(t) && numel(t.shape) * 3 <= MAX_ELEMENTS,
    type: (p, t) => withAxis(t, axisOf(p, t), t.shape[axisOf(p, t)] + 2),
    apply: (p, x) => T.pad(x, x.shape.map((_, i) => (i === p % x.ndim ? ([1, 1] as const) : ([0, 0] as const))), 0.5),
  },
  {
    name: 'concat with itself',
    arity: 1,
    applies: (t) => ranked(t) && numel(t.shape) * 2 <= MAX_ELEMENTS,
    type: (p, t) => withAxis(t, axisOf(p, t), 2 * t.shape[axisOf(p, t)]),
    apply: (p, x) => T.concat([x, T.neg(F(x))], p % x.ndim),
  },
  { name: 'flatten', arity: 1, applies: (t) => t.shape.length >= 2, type: (_p, t) => ({ ...t, shape: [numel(t.shape)] }), apply: (_p, x) => T.reshape(x, [x.size]) },
  {
    name: 'broadcast to a new leading axis of 2',
    arity: 1,
    applies: (t) => t.shape.length <= 2 && numel(t.shape) * 2 <= MAX_ELEMENTS,
    type: (_p, t) => ({ ...t, shape: [2, ...t.shape] }),
    apply: (_p, x) => T.broadcastTo(x, [2, ...x.shape]),
  },
  {
    name: 'take [last, 0, 0]',
    arity: 1,
    applies: ranked,
    type: (p, t) => withAxis(t, axisOf(p, t), 3),
    apply: (p, x) => T.take(x, T.tensor([x.shape[p % x.ndim] - 1, 0, 0], 'i32'), p % x.ndim),
  },
  // reductions
  {
    name: 'sum',
    arity: 1,
    applies: ranked,
    type: (p, t) => reducedType(p, t),
    apply: (p, x) => T.sum(F(x), { axis: p % x.ndim, keepdims: keepdims(p) }),
  },
  {
    name: 'mean',
    arity: 1,
    applies: ranked,
    type: (p, t) => reducedType(p, t),
    apply: (p, x) => T.mean(F(x), { axis: p % x.ndim, keepdims: keepdims(p) }),
  },
  { name: 'max', arity: 1, applies: (t) => ranked(t) && real(t), type: (p, t) => reducedType(p, t), apply: (p, x) => T.max(F(x), { axis: p % x.ndim, keepdims: keepdims(p) }) },
  // linear algebra
  {
    name: 'matmul a·aᵀ / K',
    arity: 1,
    applies: (t) => t.shape.length >= 2,
    type: (_p, t) => ({ ...t, shape: [...t.shape.slice(0, -1), t.shape[t.shape.length - 2]] }),
    apply: (_p, a) => T.div(F(T.matmul(a, T.mT(a))), a.shape[a.ndim - 1]),
  },
  {
    name: 'matmul by a constant [K, N]',
    arity: 1,
    applies: ranked,
    type: (p, t) => ({ ...t, shape: [...t.shape.slice(0, -1), 1 + (p % 5)] }),
    apply: (p, a) => {
      const W = constantMatrix(a.shape[a.ndim - 1], 1 + (p % 5), a.dtype as ValueDtype);
      return a.ndim === 1 ? T.reshape(T.matmul(T.reshape(a, [1, a.size]), W), [W.shape[1]]) : T.matmul(a, W);
    },
  },
  {
    name: 'matmul a·bᵀ / K',
    arity: 2,
    applies: (a, b) => a.shape.length >= 2 && b !== undefined && a.shape.join() === b.shape.join() && a.dtype === b.dtype,
    type: (_p, a) => ({ ...a, shape: [...a.shape.slice(0, -1), a.shape[a.shape.length - 2]] }),
    apply: (_p, a, b) => T.div(F(T.matmul(a, T.mT(b as Tensor))), a.shape[a.ndim - 1]),
  },
  // scans
  { name: 'cumsum', arity: 1, applies: ranked, type: (_p, t) => t, apply: (p, x) => T.cumsum(F(x), { axis: p % x.ndim, reverse: p % 2 === 1 }) },
  {
    name: 'linear recurrence v_t = c(x_t)·v_{t−1} + x_t',
    arity: 1,
    applies: ranked,
    type: (_p, t) => t,
    apply: (p, x) => T.linearRecurrence(F(contraction(x)), F(x), { axis: p % x.ndim, reverse: p % 3 === 1 }),
  },
  {
    name: 'associative scan of affine maps (complex)',
    arity: 1,
    applies: ranked,
    type: (_p, t) => asComplex(t),
    apply: (p, x) => T.associativeScan(affine, [T.cast('c64')(contraction(x)), T.cast('c64')(x)], { axis: p % x.ndim })[1],
  },
  {
    name: 'associative scan: (max, +) and running softmax',
    arity: 1,
    applies: (t) => ranked(t) && real(t),
    type: (_p, t) => t,
    apply: (p, x) => {
      const opts = { axis: p % x.ndim, reverse: p % 2 === 1 };
      const squashed = T.tanh(F(x));
      return p % 4 < 2 ? T.associativeScan(tropical.combine, [squashed, F(x)], opts)[1] : T.associativeScan(runningSoftmax.combine, [F(x), T.exp(squashed)], opts)[1];
    },
  },
  // spectral (last axis)
  { name: 'fft', arity: 1, applies: (t) => ranked(t) && t.dtype === 'c64', type: (_p, t) => t, apply: (p, x) => (p % 2 ? T.ifft(C(x)) : T.fft(C(x))) },
  {
    name: 'rfft',
    arity: 1,
    applies: (t) => ranked(t) && real(t),
    type: (_p, t) => ({ dtype: 'c64', shape: [...t.shape.slice(0, -1), Math.floor(t.shape[t.shape.length - 1] / 2) + 1] }),
    apply: (_p, x) => T.rfft(F(x)),
  },
  {
    name: 'irfft',
    arity: 1,
    applies: (t) => ranked(t) && t.dtype === 'c64' && t.shape[t.shape.length - 1] >= 2,
    type: (_p, t) => ({ dtype: 'f32', shape: [...t.shape.slice(0, -1), 2 * (t.shape[t.shape.length - 1] - 1)] }),
    apply: (_p, x) => T.irfft(C(x), 2 * (x.shape[x.ndim - 1] - 1)),
  },
];

/** A fixed matrix of entries ±1/√K (deterministic in its shape), captured by the program as a constant. */
function constantMatrix(K: number, N: number, dtype: ValueDtype): Tensor {
  const data = Array.from({ length: K * N * (dtype === 'c64' ? 2 : 1) }, (_, i) => (((i * 7919) % 13) % 2 ? 1 : -1) / Math.sqrt(K));
  return T.tensor(data, dtype, [K, N]);
}

/** The p-th permutation of n axes that is not the identity (rank 2: the swap). */
function permutation(p: number, n: number): number[] {
  const rotate = 1 + (p % (n - 1));
  return Array.from({ length: n }, (_, i) => (i + rotate) % n);
}

const sliceAxis = (p: number, shape: readonly number[]): number => {
  const axes = shape.flatMap((d, i) => (d >= 2 ? [i] : []));
  return axes[p % axes.length];
};

const keepdims = (p: number): boolean => Math.floor(p / 8) % 2 === 1;

function reducedType(p: number, t: ValueType): ValueType {
  const axis = axisOf(p, t);
  return { ...t, shape: keepdims(p) ? withAxis(t, axis, 1).shape : t.shape.filter((_, i) => i !== axis) };
}
