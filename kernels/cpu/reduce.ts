/**
 * The CPU templates of reductions: `reduce` (sum over f32, i32 or c64; max over f32 or i32,
 * NaN-propagating) over any set of axes, and `argmax` (first index of the maximum, a NaN
 * counting as the maximum, as the interpreter) over one axis. The output drops the reduced axes.
 *
 * The operand is first normalised to float lanes: a c64 view becomes an f32 view with a kept
 * trailing "part" axis (size 2, stride 1); axes of size 1 are dropped; adjacent kept axes whose
 * input and output strides allow it are merged, and the reduced axes are ordered by stride and
 * merged likewise (`[8, 1024, 64]` over (0, 1) becomes one reduced axis of 8192 rows of stride 64).
 * Then a loop shape is chosen:
 *
 * - across (the innermost kept axis is contiguous with at least 4 outputs, e.g. the bias
 *   gradient `[B, L, H] -> [H]`): one unit per block of 16 outputs along that axis, four f32x4
 *   accumulators (scalars for a tail of < 4 outputs) looping over the reduced rows, the
 *   outermost reduced axis walked in blocks of about 64 rows whose partial sums are added to
 *   the running total. With several blocks of outputs over 512 or more rows, the rows are cut
 *   into chunks of about 256: the blocks of a chunk are consecutive units (one thread's), so
 *   the rows the first block reads are still in cache for the others; the chunks' partials are
 *   combined by a second kernel, as for a split reduction below.
 * - along (else, when the innermost reduced axis is contiguous, e.g. a row sum): one unit per
 *   output element; the row is read as f32x4 vectors into four accumulators (16 lanes; two
 *   accumulators, 8 lanes, when a computed operand calls a math function, whose calls make a
 *   step of four reads slower than two), refolded into a running total every 1024 elements,
 *   then summed horizontally; a contiguous
 *   c64 row is the same run over its interleaved floats, lanes 0 and 2 being real parts, 1
 *   and 3 imaginary.
 * - otherwise across again, its vectors gathered along a strided kept axis of at least 4
 *   outputs, or on scalars (one output a unit).
 *
 * Accuracy: float32 sums use 16 (or 8) lane accumulators refolded every block, so a sum of 2^20
 * positive values stays within 1e-6 relative of float64 (tested; ~1e-7 measured). i32 sums wrap
 * (exact in any order). When the units are too few for the threads and each reads a long
 * extent (the sum of a whole array, `[8192, 16] -> [16]`), the outermost reduced axis is split
 * into chunks (`reduceChunks`): each unit reduces one chunk into scratch partials and a second
 * kernel combines the chunks in order.
 *
 * The operand is a buffer view, or a `Computed` value: an elementwise producer fused into the
 * reads (`exp(x)·y` summed without a buffer for it). A computed operand is laid out as a virtual
 * row-major array of its shape; every read of the loops above asks it for the value (a scalar,
 * or four lanes `index + l·step`) at a virtual index, so the same loops stay vectorised when the
 * producer's value has a 4-lane form. Each read states what it knows of its index's alignment
 * (a multiple of 4 when every axis but the lane axis has a stride that is), so a producer reading
 * a broadcast operand finds its coordinates without a division per lane.
 */
import { Block, type Expr, END, START, bin, f32, i32, iadd, idiv, imul, irem, isub, lane, load, select, splat } from '../ir/build';
import type { KType, Kernel, ScalarType } from '../ir/types';
import { isVector, vectorOf } from '../ir/types';
import { forEachExpr } from '../ir/walk';
import { contiguousStrides, type TemplateContext, type View } from './template';

/**
 * A reduction operand computed where it is read: f32 or i32 values of `shape`, at row-major
 * element index `base + offset` (lane l of a vector type at `base + offset + l·step`; `base` a
 * multiple of `align`, and reads of one iteration share their base, so the coordinates of
 * `base` are computed once and the offsets added to the innermost one). `at` may bind locals in
 * `blk` before returning the value.
 */
export interface Computed {
  readonly kind: 'computed';
  readonly dtype: 'f32' | 'i32';
  readonly shape: readonly number[];
  at(blk: Block, base: Expr, offset: number, t: KType, step: number, align: number): Expr;
}

export type Operand = View | Computed;

const isComputed = (x: Operand): x is Computed => (x as Computed).kind === 'computed';

/** The view-shaped description of an operand: a computed one as a contiguous virtual array. */
const layoutOf = (x: Operand): View => (isComputed(x) ? { buf: '', dtype: x.dtype, shape: x.shape, strides: contiguousStrides(x.shape, x.dtype), offset: 0 } : x);

/** Reads of an operand at storage (or virtual) indices. */
type Reader = (blk: Block, base: Expr, offset: number, t: KType, step: number, align: number) => Expr;

/**
 * Whether a vector read of the reader calls a function of the math library (a computed operand
 * with exp, tanh, ...). Such a read is long and its calls clobber the vector registers, so the
 * loops around it step over fewer vectors at a time: with four calls a step, `sum(exp(x)·y)` over
 * 2^20 floats took ~7% longer than with two (0.86 against 0.80 ms, two threads; one or two
 * measured alike) and no less time than a map kernel plus a sum of its buffer.
 */
function readsCall(read: Reader, t: KType): boolean {
  const probe = new Block();
  const value = read(probe, i32(0), 0, t, 1, 4);
  let calls = false;
  forEachExpr([...probe.stmts, { k: 'let', name: '', t: value.t, init: value }], (e) => (calls ||= e.k === 'call'));
  return calls;
}

const readerOf = (x: Operand): Reader =>
  isComputed(x) ? (blk, base, offset, t, step, align) => x.at(blk, base, offset, t, step, align) : (_blk, base, offset, t, step) => load(x.buf, iadd(base, i32(offset)), t, isVector(t) ? step : 1);

const gcd = (a: number, b: number): number => (b === 0 ? Math.abs(a) : gcd(b, a % b));
/** The alignment (dividing `unit`) of indices built from these strides and multiples of `unit`. */
const alignOf = (strides: readonly number[], unit: number): number => strides.reduce((g, s) => gcd(g, s), unit);

export type ReduceOp = 'sum' | 'max';

/** Outputs per unit of the "across" loops (four vectors). */
const ACROSS = 16;
/**
 * Floats per chunk quantum of the "along" loop, and per refold of its accumulators. Its step
 * reads four vectors (16 floats) into four accumulators, or two (8 floats) when the operand
 * calls a math function (see `readsCall`).
 */
const ALONG = 16;
const ALONG_BLOCK = 1024;
/** Elements per lane between refolds of the "across" accumulators. */
const ACROSS_BLOCK = 64;
/**
 * Reduced rows per chunk of an "across" loop with several blocks of columns: the blocks of one
 * chunk are consecutive units, so the rows the first reads are in cache for the others.
 */
const SHARED_ROWS = 256;
/** Splitting thresholds: a unit must read 2^14 elements, and each chunk 2^13. */
const SPLIT_MIN = 1 << 14;
const CHUNK_MIN = 1 << 13;

/**
 * Chunks of the reduced extent per output unit: 1 unless there are several threads, fewer
 * than two units per thread, and each unit reads at least 2^14 elements; then enough chunks for
 * about four units per thread, each of at least 2^13 elements.
 */
export function reduceChunks(units: number, elementsPerUnit: number, threads: number): number {
  if (threads < 2 || units >= 2 * threads || elementsPerUnit < SPLIT_MIN) return 1;
  return Math.max(1, Math.min(Math.ceil((4 * threads) / units), Math.floor(elementsPerUnit / CHUNK_MIN)));
}

interface Kept {
  readonly size: number;
  /** Input and output strides, in floats. */
  readonly xs: number;
  readonly os: number;
}
interface Red {
  readonly size: number;
  readonly xs: number;
}

/** A reduction normalised to float lanes (see the module comment). */
interface Problem {
  readonly e: ScalarType;
  readonly x: { readonly buf: string; readonly offset: number };
  /** Kept axes in output order (row-major over them is the output's flat order). */
  readonly kept: readonly Kept[];
  /** Reduced axes, outermost (largest stride) first. */
  readonly red: readonly Red[];
  /** Whether the last kept axis is a c64 part axis of its own (not merged). */
  readonly partAxis: boolean;
  /** Operands reduced in the same loops (the parts of a computed c64 value), each into its output. */
  readonly parts: readonly Part[];
}

interface Part {
  readonly read: Reader;
  readonly out: { readonly buf: string; readonly offset: number };
}

function normalise(operand: Operand, axes: readonly number[], out: View, what: string): Problem {
  const x = layoutOf(operand);
  const rank = x.shape.length;
  if (axes.some((a) => !Number.isInteger(a) || a < 0 || a >= rank) || new Set(axes).size !== axes.length) {
    throw new Error(`${what} template: axes [${axes}] of a rank-${rank} operand`);
  }
  const keptAxes = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  if (out.shape.length !== keptAxes.length || keptAxes.some((a, j) => out.shape[j] !== x.shape[a])) {
    throw new Error(`${what} template: [${x.shape}] over [${axes}] -> [${out.shape}]`);
  }
  const complex = x.dtype === 'c64';
  const kept: Kept[] = [];
  const push = (k: Kept): void => {
    if (k.size === 1) return;
    const prev = kept[kept.length - 1];
    if (prev && prev.xs === k.xs * k.size && prev.os === k.os * k.size) kept[kept.length - 1] = { size: prev.size * k.size, xs: k.xs, os: k.os };
    else kept.push(k);
  };
  keptAxes.forEach((a, j) => push({ size: x.shape[a], xs: x.strides[a], os: out.strides[j] }));
  if (complex) push({ size: 2, xs: 1, os: 1 });
  // The part axis stays an axis of its own unless it merged with a kept axis of stride 2.
  const lastKept = kept[kept.length - 1];
  const partAxis = complex && lastKept.size === 2 && lastKept.xs === 1 && lastKept.os === 1;
  const sorted = axes.map((a) => ({ size: x.shape[a], xs: x.strides[a] })).filter((d) => d.size !== 1).sort((p, q) => Math.abs(q.xs) - Math.abs(p.xs));
  const red: Red[] = [];
  for (const d of sorted) {
    const prev = red[red.length - 1];
    if (prev && prev.xs === d.xs * d.size) red[red.length - 1] = { size: prev.size * d.size, xs: d.xs };
    else red.push(d);
  }
  const e: ScalarType = complex || x.dtype === 'f32' ? 'f32' : 'i32';
  return { e, x: { buf: x.buf, offset: x.offset }, kept, red, partAxis, parts: [{ read: readerOf(operand), out: { buf: out.buf, offset: out.offset } }] };
}

const product = (dims: readonly { size: number }[]): number => dims.reduce((n, d) => n * d.size, 1);
const identity = (op: ReduceOp, e: ScalarType): Expr => (op === 'sum' ? (e === 'f32' ? f32(0) : i32(0)) : e === 'f32' ? f32(-Infinity) : i32(-(2 ** 31)));
const combine = (op: ReduceOp, a: Expr, b: Expr): Expr => bin(op === 'sum' ? 'add' : 'max', a, b);
const storageOf = (e: ScalarType): 'f32' | 'i32' => (e === 'f32' ? 'f32' : 'i32');

/** i32 locals Σ coord_d · strides[v]_d of the row-major flat index `flat` over `sizes`, one per stride list. */
function unflatten(blk: Block, flat: Expr, sizes: readonly number[], strides: readonly (readonly number[])[]): Expr[] {
  const offs: Expr[] = strides.map(() => i32(0));
  let rest = flat;
  for (let d = sizes.length - 1; d >= 0; d--) {
    const coord = d === 0 ? rest : blk.bind(irem(rest, sizes[d]), 'c');
    if (d > 0) rest = blk.bind(idiv(rest, sizes[d]), 'q');
    strides.forEach((s, v) => (offs[v] = iadd(offs[v], imul(coord, i32(s[d])))));
  }
  return offs.map((o) => blk.bind(o, 'o'));
}

/** The accumulators combined pairwise: ((a0 + a1) + (a2 + a3)). */
const pairwise = (op: ReduceOp, a: readonly Expr[]): Expr => (a.length === 1 ? a[0] : combine(op, pairwise(op, a.slice(0, a.length >> 1)), pairwise(op, a.slice(a.length >> 1))));

/** Static or dynamic min of two i32 expressions. */
const imin = (a: Expr, b: Expr): Expr => (a.k === 'const' && b.k === 'const' ? i32(Math.min(a.v, b.v)) : bin('min', a, b));

/** Loops over `dims` (all their coordinates), calling `visit` with the input offset. */
function nest(blk: Block, dims: readonly Red[], base: Expr, visit: (b: Block, off: Expr) => void): void {
  if (dims.length === 0) return visit(blk, base);
  const [d, ...rest] = dims;
  blk.for(i32(0), i32(d.size), (r, inner) => nest(inner, rest, inner.bind(iadd(base, imul(r, i32(d.xs))), 'x'), visit), 1, 'r');
}

/** The range [lo, hi) of chunk `ch` of an extent of `size` in chunks of `cs`. */
function chunkRange(blk: Block, ch: Expr, cs: number, size: number): [Expr, Expr] {
  const lo = blk.bind(imul(ch, i32(cs)), 'lo');
  return [lo, blk.bind(imin(iadd(lo, i32(cs)), i32(size)), 'hi')];
}

/** Where a unit's results go: the output, or the chunk's row of the partials. */
interface Sink {
  /** Stores `value` (scalar or vector of consecutive outputs) at flat output `flat`, output offset `off` (step `os` between outputs). */
  (blk: Block, value: Expr, flat: Expr, off: Expr, os: number): void;
}

/** Reduces `x` over `axes` with `op` into `out` (contiguous or not). */
export function reduce(ctx: TemplateContext, x: Operand, axes: readonly number[], op: ReduceOp, out: View): Kernel[] {
  return reduceParts(ctx, [x], axes, op, [out]);
}

/**
 * Reduces several operands of one shape over `axes` in the same loops, each into its output
 * (outputs of one shape and strides): the real and imaginary parts of a computed c64 value,
 * whose reads then share one computation of the value.
 */
export function reduceParts(ctx: TemplateContext, xs: readonly Operand[], axes: readonly number[], op: ReduceOp, outs: readonly View[]): Kernel[] {
  const [x, out] = [xs[0], outs[0]];
  const okDtype = op === 'sum' ? x.dtype === 'f32' || x.dtype === 'i32' || x.dtype === 'c64' : x.dtype === 'f32' || x.dtype === 'i32';
  if (!okDtype || out.dtype !== x.dtype) throw new Error(`reduce template: ${op} of ${x.dtype} -> ${out.dtype}`);
  if (xs.length !== outs.length || xs.some((y) => y.dtype !== x.dtype || y.shape.join() !== x.shape.join()) || outs.some((o) => o.strides.join() !== out.strides.join())) {
    throw new Error(`reduce template: ${xs.length} operands of one shape into ${outs.length} outputs of one layout`);
  }
  if (xs.length > 1 && x.dtype === 'c64') throw new Error('reduce template: parts of a c64 operand are f32 operands');
  const first = normalise(x, axes, out, 'reduce');
  const p: Problem = { ...first, parts: xs.map((y, i) => ({ read: readerOf(y), out: { buf: outs[i].buf, offset: outs[i].offset } })) };
  if (p.kept.some((k) => k.size === 0)) return [];
  if (p.red.some((r) => r.size === 0)) return p.parts.map((part) => fill(ctx, p, part, identity(op, p.e)));
  const last = p.kept[p.kept.length - 1];
  const inner = p.red[p.red.length - 1];
  if (last && last.xs === 1 && last.size >= 4) return across(ctx, p, op, last);
  if (inner && inner.xs === 1) return along(ctx, p, op, 1);
  if (inner && inner.xs === 2 && p.partAxis) return along(ctx, p, op, 2);
  return across(ctx, p, op, last && last.size >= 4 ? last : null);
}

/** The scratch buffers of partials, [chunk][flat output] for each part, when there are several chunks. */
const partialsOf = (ctx: TemplateContext, p: Problem, chunks: number): string[] =>
  p.parts.map(() => (chunks > 1 ? ctx.scratch(chunks * product(p.kept), storageOf(p.e), 'partial reductions of chunks') : ''));

/** A sink writing to the part's output (no split; `off` relative to its offset) or to row `ch` of its partials. */
function sinkOf(p: Problem, part: Part, chunks: number, partial: string, ch: Expr): Sink {
  if (chunks === 1) return (blk, value, _flat, off, os) => blk.store(part.out.buf, iadd(i32(part.out.offset), off), value, os);
  const n = product(p.kept);
  return (blk, value, flat) => blk.store(partial, iadd(imul(ch, i32(n)), flat), value, 1);
}

/**
 * The "across" loops: units of up to 16 consecutive outputs along `inner` (or single outputs
 * when `inner` is null), accumulating over every reduced coordinate.
 */
function across(ctx: TemplateContext, p: Problem, op: ReduceOp, inner: Kept | null): Kernel[] {
  const outer = inner ? p.kept.slice(0, -1) : p.kept;
  const m = inner ? inner.size : 1;
  const W = inner ? ACROSS : 1;
  const blocks = Math.ceil(m / W);
  const lastWidth = m - W * (blocks - 1);
  const U0 = product(outer) * blocks;
  const [d0, ...rest] = p.red;
  // Column blocks reading the same rows run one after another over a chunk of rows still in cache.
  const rowsPerShared = d0 ? Math.ceil(SHARED_ROWS / product(rest)) : 1;
  const shared = d0 && blocks > 1 && product(p.red) >= 2 * SHARED_ROWS ? Math.floor(d0.size / rowsPerShared) : 1;
  const C0 = d0 ? Math.max(reduceChunks(U0, product(p.red) * W, ctx.threads), shared) : 1;
  const cs = d0 ? Math.ceil(d0.size / C0) : 0;
  const C = d0 ? Math.ceil(d0.size / cs) : 1;
  const partial = partialsOf(ctx, p, C);
  // Rows of d0 per refold of the partial sums: about ACROSS_BLOCK elements per accumulator lane.
  const innerRows = product(rest);
  const rowsPerBlock = op === 'sum' && d0 ? Math.max(1, Math.ceil(ACROSS_BLOCK / innerRows)) : Infinity;
  const xsIn = inner ? inner.xs : 0;
  const osIn = inner ? inner.os : 0;
  const vt = vectorOf(p.e);
  // Bases: the unit's first column (a multiple of 16) plus multiples of the other axes' strides.
  const align = alignOf([...outer.map((k) => k.xs), ...p.red.map((r) => r.xs)], ACROSS);

  const blk = new Block();
  blk.for(START, END, (u, body) => {
    const ch = C > 1 ? body.bind(idiv(u, U0), 'ch') : i32(0);
    const r0 = C > 1 ? body.bind(irem(u, U0), 'u') : u;
    const o = body.bind(idiv(r0, blocks), 'o');
    const cb = body.bind(irem(r0, blocks), 'cb');
    const [xo, oo] = unflatten(body, o, outer.map((k) => k.size), [outer.map((k) => k.xs), outer.map((k) => k.os)]);
    const col0 = body.bind(imul(cb, i32(W)), 'j');
    const xBase = body.bind(iadd(i32(p.x.offset), iadd(xo, imul(col0, i32(xsIn)))), 'xb');
    const oBase = body.bind(iadd(oo, imul(col0, i32(osIn))), 'ob');
    const flat0 = body.bind(iadd(imul(o, i32(m)), col0), 'f');
    const sinks = p.parts.map((part, q) => sinkOf(p, part, C, partial[q], ch));

    const columns = (w: number) => (cb2: Block): void => {
      // Slots: vectors of 4 outputs, then scalars; slot s starts at output column start[s].
      const nv = Math.floor(w / 4);
      const slots = [...Array.from({ length: nv }, (_, v) => ({ col: 4 * v, vector: true })), ...Array.from({ length: w - 4 * nv }, (_, s) => ({ col: 4 * nv + s, vector: false }))];
      // Accumulators [part][slot].
      const init = (b: Block, hint: string): Expr[][] => p.parts.map(() => slots.map((s) => b.let(s.vector ? splat(identity(op, p.e)) : identity(op, p.e), hint)));
      const read = (part: Part, b: Block, off: Expr, s: { col: number; vector: boolean }): Expr =>
        s.vector ? part.read(b, off, s.col * xsIn, vt, xsIn, align) : part.read(b, off, s.col * xsIn, p.e, 0, align);
      const step = (b: Block, acc: Expr[][], off: Expr): void =>
        slots.forEach((s, k) => p.parts.forEach((part, q) => b.set(acc[q][k], combine(op, acc[q][k], read(part, b, off, s)))));
      const accumulate = (b: Block, acc: Expr[][], lo: Expr, hi: Expr): void => {
        b.for(lo, hi, (r, rb) => nest(rb, rest, rb.bind(iadd(xBase, imul(r, i32(d0.xs))), 'x'), (ib, off) => step(ib, acc, off)), 1, 'r');
      };
      const total = init(cb2, 'tot');
      if (!d0) step(cb2, total, xBase);
      else {
        const [lo, hi] = C > 1 ? chunkRange(cb2, ch, cs, d0.size) : [i32(0), i32(d0.size)];
        if (rowsPerBlock >= (C > 1 ? cs : d0.size)) accumulate(cb2, total, lo, hi);
        else {
          cb2.for(lo, hi, (b0, bb) => {
            const acc = init(bb, 'acc');
            accumulate(bb, acc, b0, bb.bind(imin(iadd(b0, i32(rowsPerBlock)), hi), 'be'));
            total.forEach((tq, q) => tq.forEach((t, k) => bb.set(t, combine(op, t, acc[q][k]))));
          }, rowsPerBlock, 'b');
        }
      }
      total.forEach((tq, q) => slots.forEach((s, k) => sinks[q](cb2, tq[k], iadd(flat0, i32(s.col)), iadd(oBase, i32(s.col * osIn)), osIn)));
    };
    if (lastWidth === W) columns(W)(body);
    else if (blocks === 1) columns(lastWidth)(body);
    else body.if(bin('lt', cb, i32(blocks - 1)), columns(W), columns(lastWidth));
  });
  const kernels: Kernel[] = [{ name: `${ctx.name}_across`, units: C * U0, unitCost: Math.ceil(product(p.red) / C) * W, body: blk.stmts }];
  if (C > 1) p.parts.forEach((part, q) => kernels.push(combineChunks(ctx, p, part, op, partial[q], C, q)));
  return kernels;
}

/**
 * The "along" loops: one unit per output (a pair of outputs, re and im, when `g` = 2), the
 * contiguous innermost reduced axis read as runs of vectors; outer reduced axes loop around.
 */
function along(ctx: TemplateContext, p: Problem, op: ReduceOp, g: 1 | 2): Kernel[] {
  const kept = g === 2 ? p.kept.slice(0, -1) : p.kept;
  const run = p.red[p.red.length - 1];
  const outerRed = p.red.slice(0, -1);
  const n = run.size * g;
  const U0 = product(kept);
  const C0 = reduceChunks(U0, product(p.red) * g, ctx.threads);
  // The chunked extent: the outermost outer reduced axis, or the run itself (in steps of 16 floats).
  const chunkRun = outerRed.length === 0;
  const cs = chunkRun ? Math.ceil(n / C0 / ALONG) * ALONG : Math.ceil(outerRed[0].size / C0);
  const C = chunkRun ? Math.ceil(n / cs) : Math.ceil(outerRed[0].size / cs);
  const partial = partialsOf(ctx, p, C);
  const vt = vectorOf(p.e);
  // Vectors (and accumulators) per step of the main loop; steps start at multiples of 4·per floats from their row's base.
  const per = p.parts.some((part) => readsCall(part.read, vt)) ? 2 : 4;
  const stepFloats = 4 * per;
  const align = alignOf([...kept.map((k) => k.xs), ...outerRed.map((r) => r.xs)], stepFloats);

  const blk = new Block();
  blk.for(START, END, (u, body) => {
    const ch = C > 1 ? body.bind(idiv(u, U0), 'ch') : i32(0);
    const o = C > 1 ? body.bind(irem(u, U0), 'o') : u;
    const [xo, oo] = unflatten(body, o, kept.map((k) => k.size), [kept.map((k) => k.xs), kept.map((k) => k.os)]);
    const xBase = body.bind(iadd(i32(p.x.offset), xo), 'xb');
    const total = p.parts.map(() => body.let(splat(identity(op, p.e)), 'tot'));
    const tail = p.parts.map(() => Array.from({ length: g }, () => body.let(identity(op, p.e), 'tail')));

    /** Folds x[off + i] for floats i in [lo, hi) into the totals (lo a multiple of 16). */
    const runLoop = (b: Block, off: Expr, lo: Expr, hi: Expr): void => {
      const len = b.bind(isub(hi, lo), 'len');
      const mainEnd = b.bind(isub(hi, irem(len, stepFloats)), 'me');
      const vecEnd = b.bind(isub(hi, irem(len, 4)), 've');
      b.for(lo, mainEnd, (b0, bb) => {
        const acc = p.parts.map(() => Array.from({ length: per }, () => bb.let(splat(identity(op, p.e)), 'acc')));
        bb.for(b0, bb.bind(imin(iadd(b0, i32(ALONG_BLOCK)), mainEnd), 'be'), (i, ib) => {
          const at = ib.bind(iadd(off, i), 'at');
          for (let k = 0; k < per; k++) p.parts.forEach((part, q) => ib.set(acc[q][k], combine(op, acc[q][k], part.read(ib, at, 4 * k, vt, 1, align))));
        }, stepFloats, 'i');
        acc.forEach((a, q) => bb.set(total[q], combine(op, total[q], pairwise(op, a))));
      }, ALONG_BLOCK, 'b');
      b.for(mainEnd, vecEnd, (i, ib) => p.parts.forEach((part, q) => ib.set(total[q], combine(op, total[q], part.read(ib, iadd(off, i), 0, vt, 1, gcd(align, 4))))), 4, 'v');
      b.for(vecEnd, hi, (i, ib) => {
        const at = ib.bind(iadd(off, i), 'at');
        for (let c = 0; c < g; c++) p.parts.forEach((part, q) => ib.set(tail[q][c], combine(op, tail[q][c], part.read(ib, at, c, p.e, 0, 1))));
      }, g, 't');
    };
    if (chunkRun) {
      const [lo, hi] = C > 1 ? chunkRange(body, ch, cs, n) : [i32(0), i32(n)];
      runLoop(body, xBase, lo, hi);
    } else {
      const [d0, ...rest] = outerRed;
      const [lo, hi] = C > 1 ? chunkRange(body, ch, cs, d0.size) : [i32(0), i32(d0.size)];
      body.for(lo, hi, (r, rb) => nest(rb, rest, rb.bind(iadd(xBase, imul(r, i32(d0.xs))), 'x'), (ib, off) => runLoop(ib, off, i32(0), i32(n))), 1, 'r');
    }
    const oBase = oo;
    p.parts.forEach((part, q) => {
      const sink = sinkOf(p, part, C, partial[q], ch);
      const t = total[q];
      if (g === 1) {
        const h = combine(op, combine(op, lane(t, 0), lane(t, 1)), combine(op, lane(t, 2), lane(t, 3)));
        sink(body, combine(op, h, tail[q][0]), o, oBase, 1);
      } else {
        for (let c = 0; c < 2; c++) {
          sink(body, combine(op, combine(op, lane(t, c), lane(t, c + 2)), tail[q][c]), iadd(imul(o, i32(2)), i32(c)), iadd(oBase, i32(c)), 1);
        }
      }
    });
  });
  const kernels: Kernel[] = [{ name: `${ctx.name}_along`, units: C * U0, unitCost: Math.ceil((product(p.red) * g) / C), body: blk.stmts }];
  if (C > 1) p.parts.forEach((part, q) => kernels.push(combineChunks(ctx, p, part, op, partial[q], C, q)));
  return kernels;
}

/** Output flat index -> the part's output offset, over the kept axes. */
function outOffset(blk: Block, p: Problem, part: Part, f: Expr): Expr {
  const [off] = unflatten(blk, f, p.kept.map((k) => k.size), [p.kept.map((k) => k.os)]);
  return iadd(i32(part.out.offset), off);
}

/** The second kernel of a split reduction: out[f] = op over chunks of partial[chunk, f], one unit per output float. */
function combineChunks(ctx: TemplateContext, p: Problem, part: Part, op: ReduceOp, partial: string, C: number, q: number): Kernel {
  const n = product(p.kept);
  const blk = new Block();
  blk.for(START, END, (f, body) => {
    const acc = body.let(load(partial, f, p.e), 'acc');
    body.for(i32(1), i32(C), (ch, cb) => cb.set(acc, combine(op, acc, load(partial, iadd(f, imul(ch, i32(n))), p.e))), 1, 'ch');
    body.store(part.out.buf, outOffset(body, p, part, f), acc);
  });
  return { name: `${ctx.name}_chunks${q ? `_${q}` : ''}`, units: n, unitCost: C, body: blk.stmts };
}

/** Every output set to `value` (a reduction over an empty extent). */
function fill(ctx: TemplateContext, p: Problem, part: Part, value: Expr): Kernel {
  const blk = new Block();
  blk.for(START, END, (f, body) => body.store(part.out.buf, outOffset(body, p, part, f), value));
  return { name: `${ctx.name}_fill`, units: product(p.kept), unitCost: 1, body: blk.stmts };
}

/**
 * argmax over `axis` (f32 or i32 operand, i32 indices out): the first index of the maximum, or
 * of the first NaN. Vectorised across the innermost kept axis (16 outputs a unit) when it has
 * 4 or more outputs, else one output a unit. Each lane keeps (best, index), starting from
 * index 0 and taking index r when x_r > best or x_r is NaN, unless best is already NaN.
 */
export function argmax(ctx: TemplateContext, operand: Operand, axis: number, out: View): Kernel[] {
  const x = layoutOf(operand);
  if ((x.dtype !== 'f32' && x.dtype !== 'i32') || out.dtype !== 'i32') throw new Error(`argmax template: ${x.dtype} -> ${out.dtype}`);
  const p = normalise(operand, [axis], out, 'argmax');
  if (p.kept.some((k) => k.size === 0)) return [];
  const n = x.shape[axis];
  if (n === 0) throw new Error('argmax template: an empty axis');
  const xs = x.strides[axis];
  const last = p.kept[p.kept.length - 1];
  const inner = last && last.size >= 4 ? last : null;
  const outer = inner ? p.kept.slice(0, -1) : p.kept;
  const m = inner ? inner.size : 1;
  const W = inner ? ACROSS : 1;
  const blocks = Math.ceil(m / W);
  const lastWidth = m - W * (blocks - 1);
  const xsIn = inner ? inner.xs : 0;
  const osIn = inner ? inner.os : 0;
  const e = p.e;
  const align = alignOf([...outer.map((k) => k.xs), xs], ACROSS);

  const blk = new Block();
  blk.for(START, END, (u, body) => {
    const o = body.bind(idiv(u, blocks), 'o');
    const cb = body.bind(irem(u, blocks), 'cb');
    const [xo, oo] = unflatten(body, o, outer.map((k) => k.size), [outer.map((k) => k.xs), outer.map((k) => k.os)]);
    const col0 = body.bind(imul(cb, i32(W)), 'j');
    const xBase = body.bind(iadd(i32(p.x.offset), iadd(xo, imul(col0, i32(xsIn)))), 'xb');
    const [{ read: readX, out: outX }] = p.parts;
    const oBase = body.bind(iadd(i32(outX.offset), iadd(oo, imul(col0, i32(osIn)))), 'ob');
    const columns = (w: number) => (cbk: Block): void => {
      const nv = Math.floor(w / 4);
      const slots = [...Array.from({ length: nv }, (_, v) => ({ col: 4 * v, t: vectorOf(e) })), ...Array.from({ length: w - 4 * nv }, (_, s) => ({ col: 4 * nv + s, t: e }))];
      const read = (b: Block, off: Expr, s: (typeof slots)[number]): Expr => readX(b, off, s.col * xsIn, s.t, s.t === e ? 0 : xsIn, align);
      const best = slots.map((s) => cbk.let(read(cbk, xBase, s), 'best'));
      const index = slots.map((s) => cbk.let(s.t === e ? i32(0) : splat(i32(0)), 'idx'));
      cbk.for(i32(1), i32(n), (r, rb) => {
        const off = rb.bind(iadd(xBase, imul(r, i32(xs))), 'x');
        const rv = nv > 0 ? rb.bind(splat(r), 'rv') : r;
        slots.forEach((s, k) => {
          const v = rb.let(read(rb, off, s), 'v');
          const better = e === 'f32'
            ? bin('and', bin('or', bin('gt', v, best[k]), bin('ne', v, v)), bin('eq', best[k], best[k]))
            : bin('gt', v, best[k]);
          const take = rb.let(better, 'take');
          rb.set(best[k], select(take, v, best[k]));
          rb.set(index[k], select(take, s.t === e ? r : rv, index[k]));
        });
      }, 1, 'r');
      slots.forEach((s, k) => cbk.store(outX.buf, iadd(oBase, i32(s.col * osIn)), index[k], osIn));
    };
    if (lastWidth === W) columns(W)(body);
    else if (blocks === 1) columns(lastWidth)(body);
    else body.if(bin('lt', cb, i32(blocks - 1)), columns(W), columns(lastWidth));
  });
  return [{ name: `${ctx.name}_argmax`, units: product(outer) * blocks, unitCost: n * W * 3, body: blk.stmts }];
}

