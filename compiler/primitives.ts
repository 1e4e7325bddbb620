/**
 * The closed table of primitives. Every primitive is a key of `PrimParams`, whose value is the
 * type of its static parameters. Every rule table (shape/dtype inference, interpreter, VJP,
 * JVP, code generation) is a mapped type over `Prim`, so adding a primitive here without a
 * rule everywhere is a compile error.
 *
 * Conventions (the frontend enforces them before binding):
 * - elementwise n-ary primitives take operands of identical shape and dtype (the frontend
 *   inserts broadcast_in_dim and casts); comparisons return bool;
 * - axes in parameters are already normalised to be non-negative;
 * - fft/rfft/irfft act on the last axis;
 * - matmul is [...batch, M, K] x [...batch, K, N] -> [...batch, M, N] with equal batch dims;
 * - stop_gradient is the identity everywhere except in differentiation, where its derivative
 *   is zero; the jit's first pass (simplify) removes it, so it never reaches a kernel.
 */
import type { DType } from './dtype';
import type { ClosedIR, IR } from './ir';

type None = Record<string, never>;

export interface PrimParams {
  // elementwise unary
  neg: None;
  exp: None;
  log: None;
  sin: None;
  cos: None;
  tanh: None;
  logistic: None;
  sqrt: None;
  erf: None;
  abs: None;
  sign: None;
  floor: None;
  not: None;
  // elementwise binary
  add: None;
  sub: None;
  mul: None;
  div: None;
  pow: None;
  max: None;
  min: None;
  atan2: None;
  and: None;
  or: None;
  lt: None;
  le: None;
  gt: None;
  ge: None;
  eq: None;
  ne: None;
  // elementwise ternary and conversions
  select: None;
  cast: { dtype: DType };
  // complex
  complex: None;
  real: None;
  imag: None;
  conj: None;
  // structural
  broadcast_in_dim: { shape: readonly number[]; dims: readonly number[] };
  reshape: { shape: readonly number[] };
  transpose: { perm: readonly number[] };
  slice: { start: readonly number[]; limit: readonly number[] };
  pad: { lo: readonly number[]; hi: readonly number[]; value: number };
  concat: { axis: number };
  reverse: { axes: readonly number[] };
  gather: { axis: number };
  scatter_add: { axis: number; size: number };
  // reductions
  reduce_sum: { axes: readonly number[] };
  reduce_max: { axes: readonly number[] };
  argmax: { axis: number };
  // linear algebra
  matmul: None;
  // scans
  cumsum: { axis: number; reverse: boolean };
  linrec: { axis: number; reverse: boolean };
  assoc_scan: { axis: number; reverse: boolean; combine: ClosedIR };
  // spectral
  fft: { inverse: boolean };
  rfft: None;
  irfft: { n: number };
  // differentiation: the identity, whose derivative is taken to be zero
  stop_gradient: None;
  // calls: a sub-program applied to the equation's inputs, which bind its constVars, then its
  // inVars (values it captured travel as leading inputs); jit inlines them before lowering.
  /** body computes the outputs; bwd: (args, outs, cts) -> arg cts, linear in cts (a user's VJP). */
  custom_vjp: { body: IR; bwd: ClosedIR };
  /** body computes the outputs; jvp: (args, tangents) -> (outs, out tangents), linear in tangents. */
  custom_jvp: { body: IR; jvp: ClosedIR };
  /** body computes the outputs; its VJP recomputes body's forward instead of storing it. */
  checkpoint: { body: IR };
  // sources
  iota: { shape: readonly number[]; axis: number; dtype: DType };
  random_bits: { shape: readonly number[] };
}

export type Prim = keyof PrimParams;

/** A table with one entry per primitive: the shape every rule table has. */
export type PrimTable<F extends { [P in Prim]: unknown }> = { readonly [P in Prim]: F[P] };

export type UnaryElementwise =
  | 'neg' | 'exp' | 'log' | 'sin' | 'cos' | 'tanh' | 'logistic' | 'sqrt' | 'erf' | 'abs' | 'sign'
  | 'floor' | 'not' | 'real' | 'imag' | 'conj' | 'cast';
export type BinaryElementwise =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'max' | 'min' | 'atan2' | 'and' | 'or'
  | 'lt' | 'le' | 'gt' | 'ge' | 'eq' | 'ne' | 'complex';
export type Comparison = 'lt' | 'le' | 'gt' | 'ge' | 'eq' | 'ne';

const ELEMENTWISE: ReadonlySet<Prim> = new Set<Prim>([
  'neg', 'exp', 'log', 'sin', 'cos', 'tanh', 'logistic', 'sqrt', 'erf', 'abs', 'sign', 'floor', 'not',
  'add', 'sub', 'mul', 'div', 'pow', 'max', 'min', 'atan2', 'and', 'or',
  'lt', 'le', 'gt', 'ge', 'eq', 'ne', 'select', 'cast', 'complex', 'real', 'imag', 'conj', 'stop_gradient',
]);

/** Primitives computed independently per element: the fusion pass chains these. */
export const isElementwise = (p: Prim): boolean => ELEMENTWISE.has(p);

export const COMPARISONS: readonly Comparison[] = ['lt', 'le', 'gt', 'ge', 'eq', 'ne'];
