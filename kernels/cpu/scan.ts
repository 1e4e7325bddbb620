/**
 * CPU templates of the scans: cumulative sum, the diagonal linear recurrence
 * x_t = a_t·x_{t-1} + b_t (x_{-1} = 0) and the associative scan y_t = y_{t-1} ⊕ x_t with a
 * combine built by a callback. Semantics follow compiler/interpreter/scans.ts: a reversed scan
 * is flip, scan, flip (so the running value is always the left operand of ⊕); i32 sums wrap.
 *
 * What this module owns: the two strategies and the rule choosing between them.
 *
 * - Lines. Every position off the scanned axis is one line, scanned by a sequential loop. Lines
 *   are independent, so they are spread over work units, and several lines of one unit run in
 *   one loop ("in flight"), which hides the latency of the dependent chain (an f32 add is ~4
 *   cycles; a·x + b ~8). Lines adjacent along the line axis where the output is dense run as the
 *   lanes of f32x4/i32x4 vectors (one v128 load per component; c64 parts come from stride-2
 *   loads and go back with `storePair`), 1, 2 or 4 vectors in flight as the state's width
 *   allows; where the output is not dense, lanes are gathered when the step's arithmetic is
 *   worth it (the linear recurrence, wide combines) and otherwise up to four scalar lines run
 *   side by side (cumsum).
 * - Chunks (few lines, a long axis). Each line is cut into C chunks of length m (and a tail of
 *   n - C·m < C elements): kernel 1 reduces every chunk to its total (cumsum: the sum; linrec:
 *   the pair (A = Πa, X = the chunk's recurrence from 0); generic: the ⊕-fold), kernel 2 scans
 *   the C totals of each line sequentially into carries (chunk c's carry is the scan through
 *   chunk c-1) and finishes the tail, kernel 3 rescans every chunk from its carry. This
 *   "reduce, then rescan" reads the input twice but writes the output once and needs no
 *   per-element fix-up (a linrec fix-up x_t += (Π_{s≤t} a_s)·carry would need the running
 *   product again, i.e. a second sequential pass anyway). The chunks are the lines of kernels
 *   1 and 3, so they run in flight and across threads like any lines.
 * - The rule (`scanPlan`): with L lines of length n on T threads, chunk when L < 4·T (too few
 *   lines to keep every thread's lanes busy) and n ≥ 256; then C = min(16·T / L rounded up,
 *   n / 32) chunks per line, so chunks hold at least 32 elements and there are about 16 chunk
 *   lines per thread. Otherwise, lines.
 *
 * Denormals: WebAssembly has no flush-to-zero, and a recurrence whose state decays into the
 * subnormal range runs several times slower. The linear recurrence therefore flushes state
 * components with |x| < 2^-100 to 0 every 8 steps (loops are unrolled by 8, so the guard costs
 * 3 operations per component per 8 steps, off the critical path most of the time): a state that
 * decays by |a| per step stays above 2^-100·|a|^8, out of the subnormal range for |a| > 0.11,
 * and a faster decay crosses it within a few steps. The outputs are the recurrence's values,
 * unflushed. The interpreter keeps such values in float64; the deviation (< 2^-100 absolute
 * per step) is far below float32 tolerances. NaN and ±Inf states pass through unchanged.
 */
import type { DType } from '../../compiler/dtype';
import {
  Block, END, START, add, bin, constant, cvt, get, i32, iadd, idiv, imul, irem, load, mul, select, sub, un, vec,
} from '../ir/build';
import type { Expr, Kernel, KType, ScalarType } from '../ir/types';
import { LANES, storageOf, vectorOf } from '../ir/types';
import type { TemplateContext, View } from './template';

/** The generic scan's operator on components (c64 operands as two f32 components); called on f32 or f32x4 (i32/i32x4, bool/boolx4) expressions alike. */
export type Combine = (left: readonly Expr[], right: readonly Expr[], block: Block) => Expr[];

// ---------------------------------------------------------------- the rule

/** Chunks hold at least this many elements. */
const MIN_CHUNK = 32;
/** Lines shorter than this are never chunked. */
const MIN_CHUNKED_LENGTH = 8 * MIN_CHUNK;
/** Lines one thread wants in flight (lanes of its vectors or scalar lines side by side). */
const LINES_PER_THREAD = 4;
/** Chunk lines made per thread. */
const CHUNKS_PER_THREAD = 16;

/** Chunks per line for `lines` lines of length `n` on `threads` threads (1: no chunking). */
export function scanPlan(lines: number, n: number, threads: number): { chunks: number } {
  if (lines >= LINES_PER_THREAD * threads || n < MIN_CHUNKED_LENGTH) return { chunks: 1 };
  return { chunks: Math.max(2, Math.min(Math.ceil((CHUNKS_PER_THREAD * threads) / lines), Math.floor(n / MIN_CHUNK))) };
}

/** Magnitudes below this are flushed from the linear recurrence's state (see the header)… */
const TINY = 2 ** -100;
/** …every this many steps (a guarded loop is unrolled by this; unrolling unguarded loops measured no gain: they are bound by memory). */
const GUARD_EVERY = 8;

// ---------------------------------------------------------------- lines and operands

/** An affine function of the line coordinates: offset + Σ c_i·strides[i]. */
interface Affine {
  readonly offset: number;
  readonly strides: readonly number[];
}

/** A buffer read or written along every line; components follow each other (c64: re at +0, im at +1). */
interface Operand extends Affine {
  readonly buf: string;
  readonly comps: readonly ScalarType[];
  /** Storage elements per step along the scan. */
  readonly step: number;
}

/** The lines of a scan: the line axes (the axes off the scan), its length, the operands. */
interface Lines {
  readonly sizes: readonly number[];
  readonly n: number;
  readonly ins: readonly Operand[];
  readonly outs: readonly Operand[];
}

const componentsOf = (d: DType): ScalarType[] => (d === 'c64' ? ['f32', 'f32'] : [d]);
const product = (xs: readonly number[]): number => xs.reduce((p, x) => p * x, 1);
const without = <T>(xs: readonly T[], i: number): T[] => [...xs.slice(0, i), ...xs.slice(i + 1)];
const inserted = <T>(xs: readonly T[], i: number, x: T): T[] => [...xs.slice(0, i), x, ...xs.slice(i)];

function rowMajor(sizes: readonly number[]): number[] {
  const s = new Array<number>(sizes.length);
  let acc = 1;
  for (let i = sizes.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= sizes[i];
  }
  return s;
}

/** A view as an operand of a scan along `axis`; a reversed scan walks the axis backwards. */
function operandOf(v: View, axis: number, reverse: boolean): Operand {
  const n = v.shape[axis];
  const step = v.strides[axis];
  return {
    buf: v.buf,
    comps: componentsOf(v.dtype),
    offset: reverse ? v.offset + (n - 1) * step : v.offset,
    strides: without(v.strides, axis),
    step: reverse ? -step : step,
  };
}

function linesOf(ins: readonly View[], outs: readonly View[], axis: number, reverse: boolean): Lines {
  const shape = outs[0].shape;
  if (axis < 0 || axis >= shape.length) throw new Error(`scan: axis ${axis} out of range for rank ${shape.length}`);
  for (const v of [...ins, ...outs]) {
    if (v.shape.length !== shape.length || v.shape.some((d, i) => d !== shape[i])) throw new Error(`scan: operand shape [${v.shape}] differs from [${shape}]`);
  }
  return {
    sizes: without(shape, axis),
    n: shape[axis],
    ins: ins.map((v) => operandOf(v, axis, reverse)),
    outs: outs.map((v) => operandOf(v, axis, reverse)),
  };
}

/** The first C·m elements of every line as C lines of length m: a chunk axis inserted at `at`. */
function chunked(lines: Lines, at: number, C: number, m: number): Lines {
  const split = (o: Operand): Operand => ({ ...o, strides: inserted(o.strides, at, m * o.step) });
  return { sizes: inserted(lines.sizes, at, C), n: m, ins: lines.ins.map(split), outs: lines.outs.map(split) };
}

// ---------------------------------------------------------------- folds

/** A left fold along a line: state ← step(state, element). */
interface Fold {
  /** The state's component types. */
  readonly types: readonly ScalarType[];
  /** The state before the first element, when there is an identity; otherwise the state starts as the first element. */
  readonly identity?: readonly number[];
  step(state: readonly Expr[], x: readonly Expr[], b: Block): Expr[];
  /** Applied to the state every GUARD_EVERY steps (the linear recurrence's flush of tiny values). */
  readonly guard?: (state: readonly Expr[]) => Expr[];
}

/** A scan as the templates below need it. */
interface ScanSpec {
  readonly name: string;
  readonly lines: Lines;
  /** The scan itself: its state is the output's components. */
  readonly scan: Fold;
  /** A chunk's total; its first `scan.types.length` components are overwritten by the carries. */
  readonly reduce: Fold;
  /** A total as an element of `scan` (applying a chunk to the running carry). */
  totalAsElement(total: readonly Expr[]): Expr[];
}

const cumsumFold = (comps: readonly ScalarType[]): Fold => ({
  types: comps,
  identity: comps.map(() => 0),
  step: (s, x) => s.map((v, k) => add(v, x[k])),
});

/** x with |x| < TINY replaced by 0 (NaN and ±Inf kept). */
const flushed = (x: Expr): Expr => select(bin('lt', un('abs', x), constant(x.t, TINY)), constant(x.t, 0), x);

/** a·x on real or complex ([re, im]) components. */
function times(a: readonly Expr[], x: readonly Expr[], b: Block): Expr[] {
  if (a.length === 1) return [mul(a[0], x[0])];
  const [ar, ai] = a;
  const [xr, xi] = x.map((v) => b.bind(v));
  return [sub(mul(ar, xr), mul(ai, xi)), add(mul(ar, xi), mul(ai, xr))];
}

/** a·x + c (the interpreter's order: the complex product, then the sum). */
const affineStep = (a: readonly Expr[], x: readonly Expr[], c: readonly Expr[], b: Block): Expr[] => times(a, x, b).map((p, k) => add(p, c[k]));

function linrecFolds(w: number): Pick<ScanSpec, 'scan' | 'reduce' | 'totalAsElement'> {
  const f32s = (k: number): ScalarType[] => new Array<ScalarType>(k).fill('f32');
  // Elements are [a…, b…]; the reduce state is [X…, A…] (X first: the carries overwrite it).
  return {
    scan: { types: f32s(w), identity: f32s(w).map(() => 0), step: (x, e, b) => affineStep(e.slice(0, w), x, e.slice(w), b), guard: (x) => x.map(flushed) },
    reduce: {
      types: f32s(2 * w),
      guard: (x) => x.map(flushed),
      identity: [...f32s(w).map(() => 0), 1, ...f32s(w - 1).map(() => 0)],
      step: (s, e, b) => {
        const a = e.slice(0, w);
        return [...affineStep(a, s.slice(0, w), e.slice(w), b), ...times(a, s.slice(w), b)];
      },
    },
    totalAsElement: (t) => [...t.slice(w), ...t.slice(0, w)],
  };
}

// ---------------------------------------------------------------- blocks of lines in one loop

/** Lines run together: `vector` groups cover 4 adjacent lines of the lane axis, scalar groups one. */
interface Group {
  readonly lane: number;
  readonly vector: boolean;
}

function groupsOf(count: number, vector: boolean): Group[] {
  const groups: Group[] = [];
  let l = 0;
  if (vector) for (; l + LANES <= count; l += LANES) groups.push({ lane: l, vector: true });
  for (; l < count; l++) groups.push({ lane: l, vector: false });
  return groups;
}

/** How the lines of a kernel are cut into units: blocks of `width` lines along the lane axis. */
interface Blocks {
  readonly laneAxis: number;
  readonly width: number;
  readonly vector: boolean;
  readonly full: number;
  readonly rest: number;
  readonly perRow: number;
  readonly units: number;
}

/**
 * Lines one loop keeps in flight for a state of `k` components. Contiguous vector lanes: up to
 * 16/k vectors (a whole 256-byte row segment per step, which the prefetchers stream; measured
 * faster than fewer, even past the 16 xmm registers). Gathered lanes and scalar lines: a few
 * (each is its own memory stream).
 */
const inFlight = (k: number, lanes: 'dense' | 'gathered' | 'scalar'): number =>
  lanes === 'dense' ? Math.max(1, Math.floor(16 / k)) : lanes === 'gathered' ? (k <= 2 ? 2 : 1) : k <= 2 ? 4 : 2;

/** Expression nodes of one step of `fold` (an estimate of its scalar operations). */
function stepCost(fold: Fold, elementComps: readonly ScalarType[]): number {
  const count = (e: Expr): number => {
    switch (e.k) {
      case 'const':
      case 'get':
        return 0;
      case 'load':
        return 1 + count(e.index);
      case 'un':
      case 'cvt':
      case 'splat':
      case 'lane':
        return 1 + count(e.a);
      case 'bin':
        return 1 + count(e.a) + count(e.b);
      case 'select':
      case 'fma':
        return 1 + count(e.c) + count(e.a) + count(e.b);
      case 'vec':
        return e.lanes.reduce((s, l) => s + 1 + count(l), 0);
      case 'call':
        return e.args.reduce((s, a) => s + count(a), 8);
    }
  };
  const b = new Block({ next: 0, prefix: 'cost' });
  const out = fold.step(fold.types.map((t, k) => get(`s${k}`, t)), elementComps.map((t, k) => get(`x${k}`, t)), b);
  const lets = b.stmts.reduce((s, st) => s + (st.k === 'let' ? count(st.init) : 1), 0);
  return out.reduce((s, e) => s + count(e), lets);
}

/**
 * The lane axis is where the output is densest (the innermost line axis of a row-major output).
 * Its lines run as vector lanes when the output is dense there, or when the step's arithmetic
 * outweighs the cost of gathering: a gathered vector component costs ~8 operations (4 scalar
 * loads or stores and 4 lane moves) against 4 scalar ones, so vectors win when
 * 4·(components moved) < 3·(operations of a step).
 */
function blocksOf(lines: Lines, fold: Fold, outputs: boolean, threads: number): Blocks {
  const { sizes } = lines;
  const out = lines.outs[0];
  let laneAxis = sizes.length - 1;
  for (let i = sizes.length - 1; i >= 0; i--) {
    if (sizes[i] > 1 && (sizes[laneAxis] === 1 || Math.abs(out.strides[i]) < Math.abs(out.strides[laneAxis]))) laneAxis = i;
  }
  const V = sizes[laneAxis];
  const inComps = lines.ins.flatMap((o) => o.comps);
  const moved = inComps.length + (outputs ? fold.types.length : 0);
  const dense = (outputs ? lines.outs : lines.ins).every((o) => o.strides[laneAxis] === o.comps.length);
  const vector = V >= LANES && (dense || 4 * moved < 3 * stepCost(fold, inComps));
  const rows = product(sizes) / V;
  const per = vector ? LANES : 1;
  let g = inFlight(fold.types.length, !vector ? 'scalar' : dense ? 'dense' : 'gathered');
  const unitsFor = (w: number): number => rows * Math.ceil(V / w);
  while (g > 1 && unitsFor(g * per) < 2 * threads) g /= 2;
  const width = Math.min(g * per, vector ? V - (V % LANES) : V);
  const full = Math.floor(V / width);
  const rest = V - full * width;
  const perRow = full + (rest > 0 ? 1 : 0);
  return { laneAxis, width, vector, full, rest, perRow, units: rows * perRow };
}

/** One kernel pass over lines: a fold, its start, and where its states go. */
interface Pass {
  readonly fold: Fold;
  /** identity / the first element / a carry from `carries` (or, without identity: the first element in chunk 0). */
  readonly init: 'identity' | 'first' | 'carry';
  /** Store the state after every element into the outputs. */
  readonly outputs: boolean;
  /** Scratch buffers (one per state component, indexed by line) receiving the final states. */
  readonly totals?: readonly string[];
  /** Scratch buffers holding each line's carry (one per state component). */
  readonly carries?: readonly string[];
  /** The chunk coordinate, when `init` is 'carry' for a fold without identity. */
  readonly chunk?: Affine;
}

const keyOf = (a: Affine): string => `${a.offset}:${a.strides.join(',')}`;

/** The storage-level load of component type `e` (bool is stored as i32 0/1). */
function loadComponent(buf: string, index: Expr, e: ScalarType, vector: boolean, stride: number): Expr {
  const st: KType = e === 'f32' ? 'f32' : 'i32';
  const v = load(buf, index, vector ? vectorOf(st) : st, stride);
  return e === 'bool' ? cvt(v, 'bool') : v;
}
const storable = (v: Expr): Expr => (v.t === 'bool' || v.t === 'boolx4' ? cvt(v, 'i32') : v);

/** Sets every state component to its new value (all computed before any is set). */
function assign(b: Block, state: readonly Expr[], next: readonly Expr[]): void {
  const bound = next.map((e) => b.bind(e, 'n'));
  state.forEach((s, k) => b.set(s, bound[k]));
}

/** The kernel running `pass` over `lines`. */
function passKernel(name: string, lines0: Lines, pass: Pass, threads: number): Kernel {
  // A scan of rank 1 has no line axis: give it one of size 1.
  const lines: Lines = lines0.sizes.length > 0 ? lines0 : {
    sizes: [1], n: lines0.n,
    ins: lines0.ins.map((o) => ({ ...o, strides: [0] })), outs: lines0.outs.map((o) => ({ ...o, strides: [0] })),
  };
  const { fold } = pass;
  const bl = blocksOf(lines, fold, pass.outputs, threads);
  const { sizes, n } = lines;
  const λ = bl.laneAxis;
  const lineIds: Affine = { offset: 0, strides: rowMajor(sizes) };
  const ops = [...lines.ins, ...(pass.outputs ? lines.outs : [])];
  const ptrKey = (o: Operand): string => `${keyOf(o)};${o.step}`;
  const body = new Block();
  body.for(START, END, (u, ub) => {
    // Decode the unit: block j along the lane axis, then the other line axes (last fastest).
    const j = bl.perRow > 1 ? ub.let(irem(u, bl.perRow), 'j') : i32(0);
    let r = bl.perRow > 1 ? ub.let(idiv(u, bl.perRow), 'r') : u;
    const coords = new Array<Expr>(sizes.length).fill(i32(0));
    for (let i = sizes.length - 1; i >= 0; i--) {
      if (i === λ || sizes[i] === 1) continue;
      coords[i] = ub.let(irem(r, sizes[i]), 'c');
      r = idiv(r, sizes[i]);
    }
    coords[λ] = imul(j, i32(bl.width));
    const bases = new Map<string, Expr>();
    const baseOf = (a: Affine): Expr => {
      const key = keyOf(a);
      let e = bases.get(key);
      if (!e) {
        e = ub.bind(coords.reduce((acc, c, i) => iadd(acc, imul(c, i32(a.strides[i]))), i32(a.offset)), 'base');
        bases.set(key, e);
      }
      return e;
    };
    const emitBlock = (b: Block, groups: readonly Group[]): void => {
      // Running pointers, one per distinct layout; `dt` steps ahead of a pointer in unrolled code.
      const ptrs = new Map<string, Expr>();
      for (const o of ops) if (!ptrs.has(ptrKey(o))) ptrs.set(ptrKey(o), b.let(baseOf(o), 'p'));
      const advance = (b2: Block, steps: number): void => {
        const done = new Set<string>();
        for (const o of ops) {
          if (done.has(ptrKey(o)) || o.step === 0) continue;
          done.add(ptrKey(o));
          b2.set(ptrs.get(ptrKey(o))!, iadd(ptrs.get(ptrKey(o))!, i32(steps * o.step)));
        }
      };
      const at = (o: Operand, g: Group, dt: number): Expr => iadd(ptrs.get(ptrKey(o))!, i32(g.lane * o.strides[λ] + dt * o.step));
      const element = (b2: Block, g: Group, dt: number): Expr[] =>
        lines.ins.flatMap((o) => o.comps.map((e, c) => b2.bind(loadComponent(o.buf, iadd(at(o, g, dt), i32(c)), e, g.vector, o.strides[λ]), 'x')));
      const storeOutputs = (b2: Block, g: Group, dt: number, state: readonly Expr[]): void => {
        let k = 0;
        for (const o of lines.outs) {
          const idx = at(o, g, dt);
          const s = o.strides[λ];
          if (g.vector && o.comps.length === 2 && s === 2) b2.storePair(o.buf, idx, state[k], state[k + 1]);
          else o.comps.forEach((_, c) => b2.store(o.buf, iadd(idx, i32(c)), storable(state[k + c]), s));
          k += o.comps.length;
        }
      };
      const scratchAt = (g: Group): Expr => iadd(baseOf(lineIds), i32(g.lane * lineIds.strides[λ]));
      const typeOf = (e: ScalarType, g: Group): KType => (g.vector ? vectorOf(e) : e);
      const carryOf = (b2: Block, g: Group): Expr[] =>
        pass.carries!.map((buf, k) => b2.bind(loadComponent(buf, scratchAt(g), fold.types[k], g.vector, lineIds.strides[λ]), 'carry'));
      // Initial states; a fold without identity starts from the first element (t = 0).
      const first = !fold.identity;
      const states = groups.map((g) => {
        let s: Expr[];
        if (pass.init === 'identity') s = fold.identity!.map((v, k) => constant(typeOf(fold.types[k], g), v));
        else if (pass.init === 'carry' && !first) s = carryOf(b, g);
        else {
          const x0 = element(b, g, 0);
          s = x0;
          if (pass.init === 'carry') {
            // Chunk 0 has no carry: its state starts as its first element.
            const withCarry = fold.step(carryOf(b, g), x0, b).map((e) => b.bind(e));
            const c0 = baseOf(pass.chunk!);
            const cs = pass.chunk!.strides[λ];
            const ci = g.vector ? vec([0, 1, 2, 3].map((l) => iadd(c0, i32((g.lane + l) * cs)))) : iadd(c0, i32(g.lane * cs));
            const isFirst = b.bind(bin('eq', ci, constant(ci.t, 0)), 'first');
            s = x0.map((x, k) => select(isFirst, x, withCarry[k]));
          }
        }
        return s.map((e) => b.let(e, 's'));
      });
      if (first) {
        if (pass.outputs) groups.forEach((g, i) => storeOutputs(b, g, 0, states[i]));
        advance(b, 1);
      }
      // `unroll` steps of every group per iteration (the guard, if any, once per iteration).
      const steps = (lb: Block, unroll: number): void => {
        if (fold.guard) states.forEach((s) => assign(lb, s, fold.guard!(s)));
        for (let dt = 0; dt < unroll; dt++) {
          groups.forEach((g, i) => {
            assign(lb, states[i], fold.step(states[i], element(lb, g, dt), lb));
            if (pass.outputs) storeOutputs(lb, g, dt, states[i]);
          });
        }
        advance(lb, unroll);
      };
      const t0 = first ? 1 : 0;
      const U = fold.guard ? GUARD_EVERY : 1;
      const mid = t0 + U * Math.floor((n - t0) / U);
      if (mid > t0) b.for(i32(t0), i32(mid), (_t, lb) => steps(lb, U), U, 't');
      if (n > mid) b.for(i32(mid), i32(n), (_t, lb) => steps(lb, 1), 1, 't');
      if (pass.totals) {
        groups.forEach((g, i) => pass.totals!.forEach((buf, k) => b.store(buf, scratchAt(g), storable(states[i][k]), lineIds.strides[λ])));
      }
    };
    const block = (count: number) => (bb: Block) => emitBlock(bb, groupsOf(count, bl.vector));
    if (bl.full > 0 && bl.rest > 0) ub.if(bin('lt', j, i32(bl.full)), block(bl.width), block(bl.rest));
    else block(bl.full > 0 ? bl.width : bl.rest)(ub);
  });
  const perElement = lines.ins.reduce((s, o) => s + o.comps.length, 0) + 3 * fold.types.length;
  return { name, units: bl.units, unitCost: bl.width * Math.max(n, 1) * perElement, body: body.stmts };
}

/**
 * Kernel 2 of a chunked scan: per line, the carries of its chunks (the scan of the chunk totals,
 * written over the totals' first components) and the tail after the last chunk.
 */
function carriesKernel(name: string, spec: ScanSpec, at: number, C: number, m: number, totals: readonly string[]): Kernel {
  const { lines, scan } = spec;
  const { sizes } = lines;
  const lineIds = rowMajor(inserted(sizes, at, C));
  const idOf = without(lineIds, at);
  const chunkStride = lineIds[at];
  const tail = lines.n - C * m;
  const w = scan.types.length;
  const body = new Block();
  body.for(START, END, (u, ub) => {
    let r: Expr = u;
    const coords = new Array<Expr>(sizes.length).fill(i32(0));
    for (let i = sizes.length - 1; i >= 0; i--) {
      if (sizes[i] === 1) continue;
      coords[i] = ub.let(irem(r, sizes[i]), 'c');
      r = idiv(r, sizes[i]);
    }
    const affine = (offset: number, strides: readonly number[]): Expr =>
      ub.bind(coords.reduce((acc, c, i) => iadd(acc, imul(c, i32(strides[i]))), i32(offset)));
    const id0 = affine(0, idOf);
    const totalAt = (b: Block, id: Expr): Expr[] => totals.map((buf, k) => b.bind(loadComponent(buf, id, spec.reduce.types[k], false, 1), 'tot'));
    let state: Expr[];
    if (scan.identity) state = scan.identity.map((v, k) => ub.let(constant(scan.types[k], v), 's'));
    else state = totalAt(ub, id0).map((e) => ub.let(e, 's')); // chunk 0's slot keeps its own total
    // Short loops: the guard (if any) runs at every step.
    const advanceWith = (b: Block, x: readonly Expr[]): void => assign(b, state, scan.step(scan.guard ? scan.guard(state).map((e) => b.bind(e)) : state, x, b));
    ub.for(i32(scan.identity ? 0 : 1), i32(C), (c, lb) => {
      const id = lb.bind(iadd(id0, imul(c, i32(chunkStride))), 'id');
      const total = totalAt(lb, id);
      for (let k = 0; k < w; k++) lb.store(totals[k], id, storable(state[k]));
      advanceWith(lb, spec.totalAsElement(total));
    });
    if (tail > 0) {
      const ptrOf = (o: Operand): Expr => ub.let(affine(o.offset + C * m * o.step, o.strides), 'p');
      const ins = lines.ins.map(ptrOf);
      const outs = lines.outs.map(ptrOf);
      ub.for(i32(0), i32(tail), (_t, lb) => {
        advanceWith(lb, lines.ins.flatMap((o, i) => o.comps.map((e, c) => lb.bind(loadComponent(o.buf, iadd(ins[i], i32(c)), e, false, 1), 'x'))));
        let k = 0;
        lines.outs.forEach((o, i) => o.comps.forEach((_, c) => lb.store(o.buf, iadd(outs[i], i32(c)), storable(state[k++]))));
        lines.ins.forEach((o, i) => lb.set(ins[i], iadd(ins[i], i32(o.step))));
        lines.outs.forEach((o, i) => lb.set(outs[i], iadd(outs[i], i32(o.step))));
      });
    }
  });
  return { name, units: product(sizes), unitCost: (C + tail) * 4 * spec.reduce.types.length, body: body.stmts };
}

/** The kernels of a scan: one pass over the lines, or reduce / carries / rescan over chunks. */
function scanKernels(ctx: TemplateContext, spec: ScanSpec, axis: number): Kernel[] {
  const { lines } = spec;
  const L = product(lines.sizes);
  if (L === 0 || lines.n === 0) return [];
  const { chunks: C } = scanPlan(L, lines.n, ctx.threads);
  const base = `${ctx.name}_${spec.name}`;
  const init = spec.scan.identity ? 'identity' : 'first';
  if (C === 1) return [passKernel(base, lines, { fold: spec.scan, init, outputs: true }, ctx.threads)];
  const m = Math.floor(lines.n / C);
  const parts = chunked(lines, axis, C, m);
  const totals = spec.reduce.types.map((t, k) => ctx.scratch(L * C, storageOf(t), `${spec.name} chunk totals ${k}`));
  const chunkCoord: Affine = { offset: 0, strides: parts.sizes.map((_, i) => (i === axis ? 1 : 0)) };
  return [
    passKernel(`${base}_totals`, parts, { fold: spec.reduce, init: spec.reduce.identity ? 'identity' : 'first', outputs: false, totals }, ctx.threads),
    carriesKernel(`${base}_carries`, spec, axis, C, m, totals),
    passKernel(`${base}_chunks`, parts, { fold: spec.scan, init: 'carry', outputs: true, carries: totals.slice(0, spec.scan.types.length), chunk: chunkCoord }, ctx.threads),
  ];
}

// ---------------------------------------------------------------- the templates

/** Inclusive cumulative sum along `axis` (f32, i32 wrapping, c64); `reverse` sums from the end. */
export function cumsum(ctx: TemplateContext, x: View, axis: number, reverse: boolean, out: View): Kernel[] {
  if (x.dtype === 'bool') throw new Error('cumsum: bool operand');
  const fold = cumsumFold(componentsOf(x.dtype));
  return scanKernels(ctx, { name: 'cumsum', lines: linesOf([x], [out], axis, reverse), scan: fold, reduce: fold, totalAsElement: (t) => [...t] }, axis);
}

/** x_t = a_t·x_{t-1} + b_t, x_{-1} = 0, along `axis` (f32, or c64 with complex products); `reverse` runs from the end. */
export function linearRecurrence(ctx: TemplateContext, a: View, b: View, axis: number, reverse: boolean, out: View): Kernel[] {
  if (a.dtype !== b.dtype || (a.dtype !== 'f32' && a.dtype !== 'c64')) throw new Error(`linearRecurrence: operands ${a.dtype}, ${b.dtype} (f32 or c64, both alike)`);
  const spec = { name: 'linrec', lines: linesOf([a, b], [out], axis, reverse), ...linrecFolds(a.dtype === 'c64' ? 2 : 1) };
  return scanKernels(ctx, spec, axis);
}

/** Inclusive scan out_t = out_{t-1} ⊕ x_t with an associative `combine` over the components of all operands. */
export function associativeScan(ctx: TemplateContext, xs: readonly View[], axis: number, reverse: boolean, combine: Combine, outs: readonly View[]): Kernel[] {
  if (xs.length === 0 || xs.length !== outs.length) throw new Error(`associativeScan: ${xs.length} operands, ${outs.length} outputs`);
  const types = xs.flatMap((x) => componentsOf(x.dtype));
  const fold: Fold = {
    types,
    step: (s, x, b) => {
      const r = combine(s, x, b);
      if (r.length !== types.length) throw new Error(`associativeScan: combine returned ${r.length} components, expected ${types.length}`);
      return r;
    },
  };
  return scanKernels(ctx, { name: 'scan', lines: linesOf(xs, outs, axis, reverse), scan: fold, reduce: fold, totalAsElement: (t) => [...t] }, axis);
}

export { scatterAdd } from './scatter';
