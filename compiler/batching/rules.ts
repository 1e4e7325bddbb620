/**
 * Batching rules: one per primitive. A rule receives an equation's operands as batched tensors,
 * each with its batch axis (a number: where the mapped axis sits in that operand) or null (the
 * operand does not vary along the mapped axis), the equation's parameters and the batch size,
 * and binds primitives that compute the whole batch at once. It returns the outputs with their
 * batch axes. Rules are only called when at least one operand is batched.
 *
 * The rules keep the batch axis where it is whenever the primitive allows it, and otherwise
 * move it to the front (a transpose, which fusion treats as a free view); unbatched operands
 * that must meet batched ones are broadcast (also a free view). Gather and scatter with mapped
 * indices flatten the batch into the indexed axis and offset the indices; batched random keys
 * draw one block of bits per key.
 */
import { concreteTensor, type Tensor } from '../tensor';
import type { DType } from '../dtype';
import type { CallPrim } from '../calls';
import type { Prim, PrimParams } from '../primitives';
import { bind, bind1 } from '../tracer';

/** Where the mapped axis sits in a value, or null when the value does not depend on it. */
export type BatchDim = number | null;

export interface Batched {
  readonly outs: readonly Tensor[];
  readonly dims: readonly BatchDim[];
}

export type BatchRule<P extends Prim> = (args: readonly Tensor[], dims: readonly BatchDim[], params: PrimParams[P], size: number) => Batched;

// ---------------------------------------------------------------------------------------------
// Helpers

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** The batched position of a per-example axis when the batch axis sits at `dim`. */
const shifted = (axis: number, dim: number): number => (axis >= dim ? axis + 1 : axis);

/** Moves axis `from` of x to position `to` (a transpose; the identity when they agree). */
export function moveAxis(x: Tensor, from: number, to: number): Tensor {
  if (from === to) return x;
  const perm = range(x.ndim).filter((i) => i !== from);
  perm.splice(to, 0, from);
  return bind1('transpose', [x], { perm });
}

/**
 * Unbatched values that are broadcasts of smaller ones (recorded by the transformation). When
 * such a value meets a batched one, its source is broadcast to the batched shape in one step,
 * as code written for the batch would do; two chained broadcasts would cost a second reduction
 * in the VJP.
 */
export const broadcastSources = new WeakMap<Tensor, { readonly source: Tensor; readonly dims: readonly number[] }>();

/** Records that `out` = broadcast_in_dim(x, dims), composing with x's own source if it has one. */
export function recordBroadcast(out: Tensor, x: Tensor, dims: readonly number[]): void {
  const inner = broadcastSources.get(x);
  broadcastSources.set(out, inner ? { source: inner.source, dims: inner.dims.map((a) => dims[a]) } : { source: x, dims });
}

/**
 * x with its batch axis at `to`: moved there, or, when x is unbatched, broadcast along a new
 * axis of length `size` inserted there.
 */
export function withBatchAt(x: Tensor, dim: BatchDim, size: number, to: number): Tensor {
  if (dim !== null) return moveAxis(x, dim, to);
  const shape = [...x.shape];
  shape.splice(to, 0, size);
  const origin = broadcastSources.get(x);
  const source = origin ? origin.source : x;
  const dims = origin ? origin.dims : range(x.ndim);
  return bind1('broadcast_in_dim', [source], { shape, dims: dims.map((a) => shifted(a, to)) });
}

const firstDim = (dims: readonly BatchDim[]): number => {
  const d = dims.find((x) => x !== null);
  if (d === undefined || d === null) throw new Error('batching rule called without a batched operand');
  return d;
};

/** Operands that must share a shape: all brought to the first batched operand's batch axis. */
function aligned(args: readonly Tensor[], dims: readonly BatchDim[], size: number): { xs: Tensor[]; dim: number } {
  const dim = firstDim(dims);
  return { xs: args.map((x, i) => withBatchAt(x, dims[i], size, dim)), dim };
}

const same = (outs: readonly Tensor[], dim: BatchDim): Batched => ({ outs, dims: outs.map(() => dim) });

/** Elementwise and other shape-preserving n-ary primitives: operands aligned, batch axis kept. */
const elementwise =
  <P extends Prim>(prim: P): BatchRule<P> =>
  (args, dims, params, size) => {
    const { xs, dim } = aligned(args, dims, size);
    return same(bind(prim, xs, params), dim);
  };

/** Primitives acting on the last axis (the FFTs): a batch axis there moves to the front. */
const lastAxis =
  <P extends Prim>(prim: P): BatchRule<P> =>
  ([x], [d], params) => {
    const dim = d as number;
    const y = dim === x.ndim - 1 ? moveAxis(x, dim, 0) : x;
    return same(bind(prim, [y], params), dim === x.ndim - 1 ? 0 : dim);
  };

/** Scans along one axis, with operands of one shape: aligned, the scan axis shifted past the batch. */
const scan =
  <P extends 'cumsum' | 'linrec' | 'assoc_scan'>(prim: P): BatchRule<P> =>
  (args, dims, params, size) => {
    const { xs, dim } = aligned(args, dims, size);
    return same(bind(prim, xs, { ...params, axis: shifted(params.axis, dim) } as PrimParams[P]), dim);
  };

/** Reductions over a list of axes: the batch axis is kept, shifted left past reduced axes before it. */
const reduction =
  <P extends 'reduce_sum' | 'reduce_max'>(prim: P): BatchRule<P> =>
  ([x], [d], { axes }) => {
    const dim = d as number;
    const y = bind1(prim, [x], { axes: axes.map((a) => shifted(a, dim)) } as PrimParams[P]);
    return same([y], dim - axes.filter((a) => a < dim).length);
  };

function scalarTensor(value: number, dtype: DType): Tensor {
  return concreteTensor({ dtype, shape: [], data: Float64Array.of(value) });
}

/**
 * Indices `idx` (batch axis at 0, shape [B, ...]) offset by b·n for batch element b: indices
 * into an axis where the batch and an axis of length n have been flattened together.
 */
function offsetIndices(idx: Tensor, n: number): Tensor {
  const shape = [...idx.shape];
  const b = bind1('iota', [], { shape, axis: 0, dtype: 'i32' });
  const scale = bind1('broadcast_in_dim', [scalarTensor(n, 'i32')], { shape, dims: [] });
  return bind1('add', [idx, bind1('mul', [b, scale], {})], {});
}

// ---------------------------------------------------------------------------------------------
// Structural rules

const broadcastInDim: BatchRule<'broadcast_in_dim'> = ([x], [d], { shape, dims }, size) => {
  const dim = d as number;
  // The batch axis goes right after the output axis of the operand axis before it, which keeps dims increasing.
  const out = dim === 0 ? 0 : dims[dim - 1] + 1;
  const newDims = range(x.ndim).map((i) => (i < dim ? dims[i] : i === dim ? out : dims[i - 1] + 1));
  const newShape = [...shape];
  newShape.splice(out, 0, size);
  return same([bind1('broadcast_in_dim', [x], { shape: newShape, dims: newDims })], out);
};

const reshape: BatchRule<'reshape'> = ([x], [d], { shape }, size) =>
  same([bind1('reshape', [moveAxis(x, d as number, 0)], { shape: [size, ...shape] })], 0);

const transpose: BatchRule<'transpose'> = ([x], [d], { perm }) => {
  const dim = d as number;
  const newPerm = perm.map((p) => shifted(p, dim));
  newPerm.splice(dim, 0, dim);
  return same([bind1('transpose', [x], { perm: newPerm })], dim);
};

const slice: BatchRule<'slice'> = ([x], [d], { start, limit }, size) => {
  const dim = d as number;
  const s = [...start];
  const l = [...limit];
  s.splice(dim, 0, 0);
  l.splice(dim, 0, size);
  return same([bind1('slice', [x], { start: s, limit: l })], dim);
};

const pad: BatchRule<'pad'> = ([x], [d], { lo, hi, value }) => {
  const dim = d as number;
  const l = [...lo];
  const h = [...hi];
  l.splice(dim, 0, 0);
  h.splice(dim, 0, 0);
  return same([bind1('pad', [x], { lo: l, hi: h, value })], dim);
};

const concat: BatchRule<'concat'> = (args, dims, { axis }, size) => {
  const { xs, dim } = aligned(args, dims, size);
  return same([bind1('concat', xs, { axis: shifted(axis, dim) })], dim);
};

const reverse: BatchRule<'reverse'> = ([x], [d], { axes }) => {
  const dim = d as number;
  return same([bind1('reverse', [x], { axes: axes.map((a) => shifted(a, dim)) })], dim);
};

/** out[pre, j..., post] = x[pre, idx[j...], post]. */
const gather: BatchRule<'gather'> = ([x, idx], [dx, di], { axis }, size) => {
  if (di === null) {
    // Only the operand is mapped: an ordinary gather on a larger operand.
    const dim = dx as number;
    const ax = shifted(axis, dim);
    const out = bind1('gather', [x, idx], { axis: ax });
    return same([out], dim < ax ? dim : dim + idx.ndim - 1);
  }
  if (dx === null) {
    // Only the indices are mapped: the batch axis is one of the index axes of the result.
    return same([bind1('gather', [x, idx], { axis })], axis + di);
  }
  // Both mapped: flatten (batch, indexed axis) into one axis and offset each batch's indices.
  const xb = moveAxis(x, dx, axis); // [pre, B, n, post]
  const n = xb.shape[axis + 1];
  const flat = bind1('reshape', [xb], { shape: [...xb.shape.slice(0, axis), size * n, ...xb.shape.slice(axis + 2)] });
  const ib = offsetIndices(moveAxis(idx, di, 0), n);
  return same([bind1('gather', [flat, ib], { axis })], axis);
};

/** out[pre, idx[j...], post] += upd[pre, j..., post]. */
const scatterAdd: BatchRule<'scatter_add'> = ([upd, idx], [du, di], { axis, size: n }, size) => {
  const k = idx.ndim - (di === null ? 0 : 1);
  if (di === null) {
    // Only the updates are mapped: an ordinary scatter, with the batch axis outside the index axes.
    const dim = du as number;
    if (dim >= axis && dim < axis + k) {
      const out = bind1('scatter_add', [moveAxis(upd, dim, 0), idx], { axis: axis + 1, size: n });
      return same([out], 0);
    }
    const out = bind1('scatter_add', [upd, idx], { axis: dim < axis ? axis + 1 : axis, size: n });
    return same([out], dim < axis ? dim : dim - k + 1);
  }
  // Mapped indices: scatter batch b into rows [b·n, (b+1)·n) of one long axis, then split it.
  const ub = withBatchAt(upd, du, size, axis); // [pre, B, j..., post]
  const ib = offsetIndices(moveAxis(idx, di, 0), n); // [B, j...]
  const flat = bind1('scatter_add', [ub, ib], { axis, size: size * n }); // [pre, B·n, post]
  const shape = [...flat.shape.slice(0, axis), size, n, ...flat.shape.slice(axis + 1)];
  return same([bind1('reshape', [flat], { shape })], axis);
};

const argmax: BatchRule<'argmax'> = ([x], [d], { axis }) => {
  const dim = d as number;
  return same([bind1('argmax', [x], { axis: shifted(axis, dim) })], axis < dim ? dim - 1 : dim);
};

/**
 * [..., M, K] x [..., K, N]: both operands get the batch axis among the leading batch axes (where
 * the first mapped operand has it, or at the front), an unbatched operand broadcast to it.
 */
const matmul: BatchRule<'matmul'> = (args, dims, _, size) => {
  const d = firstDim(dims);
  const dim = d <= args[0].ndim - (dims[0] === null ? 2 : 3) ? d : 0;
  const xs = args.map((x, i) => withBatchAt(x, dims[i], size, dim));
  return same([bind1('matmul', xs, {})], dim);
};

/** One key per batch element: bits drawn for each key and stacked along a new leading axis. */
const randomBits: BatchRule<'random_bits'> = ([key], [d], { shape }, size) => {
  if (size === 0) return same([bind1('broadcast_in_dim', [scalarTensor(0, 'i32')], { shape: [0, ...shape], dims: [] })], 0);
  const keys = moveAxis(key, d as number, 0); // [B, 2]
  const blocks = range(size).map((b) => {
    const k = bind1('reshape', [bind1('slice', [keys], { start: [b, 0], limit: [b + 1, 2] })], { shape: [2] });
    return bind1('reshape', [bind1('random_bits', [k], { shape })], { shape: [1, ...shape] });
  });
  return same([blocks.length === 1 ? blocks[0] : bind1('concat', blocks, { axis: 0 })], 0);
};

/** Sources take no operands, so they are never batched. */
const unbatchedSource =
  <P extends Prim>(prim: P): BatchRule<P> =>
  (args, _, params) =>
    same(bind(prim, args, params), null);

/** The rules of every primitive but the calls, whose rules need the transformation itself (./calls). */
export const batchRules: { readonly [P in Exclude<Prim, CallPrim>]: BatchRule<P> } = {
  neg: elementwise('neg'),
  exp: elementwise('exp'),
  log: elementwise('log'),
  sin: elementwise('sin'),
  cos: elementwise('cos'),
  tanh: elementwise('tanh'),
  logistic: elementwise('logistic'),
  sqrt: elementwise('sqrt'),
  erf: elementwise('erf'),
  abs: elementwise('abs'),
  sign: elementwise('sign'),
  floor: elementwise('floor'),
  not: elementwise('not'),
  stop_gradient: elementwise('stop_gradient'),
  add: elementwise('add'),
  sub: elementwise('sub'),
  mul: elementwise('mul'),
  div: elementwise('div'),
  pow: elementwise('pow'),
  max: elementwise('max'),
  min: elementwise('min'),
  atan2: elementwise('atan2'),
  and: elementwise('and'),
  or: elementwise('or'),
  lt: elementwise('lt'),
  le: elementwise('le'),
  gt: elementwise('gt'),
  ge: elementwise('ge'),
  eq: elementwise('eq'),
  ne: elementwise('ne'),
  select: elementwise('select'),
  cast: elementwise('cast'),
  complex: elementwise('complex'),
  real: elementwise('real'),
  imag: elementwise('imag'),
  conj: elementwise('conj'),
  broadcast_in_dim: broadcastInDim,
  reshape,
  transpose,
  slice,
  pad,
  concat,
  reverse,
  gather,
  scatter_add: scatterAdd,
  reduce_sum: reduction('reduce_sum'),
  reduce_max: reduction('reduce_max'),
  argmax,
  matmul,
  cumsum: scan('cumsum'),
  linrec: scan('linrec'),
  assoc_scan: scan('assoc_scan'),
  fft: lastAxis('fft'),
  rfft: lastAxis('rfft'),
  irfft: lastAxis('irfft'),
  iota: unbatchedSource('iota'),
  random_bits: randomBits,
};
