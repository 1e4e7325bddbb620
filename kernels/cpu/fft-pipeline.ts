/**
 * The pipeline of the CPU FFT templates: a transform is a chain of steps (Stockham stages,
 * Bluestein's chirp passes, the real-FFT split passes), each reading its row from the previous
 * step and writing the next. This module owns
 *
 *  - `Step`, a pass over one row split into independent work items, and `elementPass`, the
 *    shape of the elementwise steps (items of four elements: a vector variant where its
 *    condition holds, scalar code for the rest);
 *  - `assemble`, which places the intermediates in planar scratch rows (alternating between
 *    two buffers, or a scratch and the not-yet-written output when the output is contiguous
 *    and wide enough), and turns the chain into kernels in one of two forms:
 *      'rows'   one kernel, a unit per row running every step (the row stays in cache);
 *      'stages' a kernel per step, a unit per (row, chunk of items) (one long row spread over
 *               threads).
 */
import { type Expr, Block, END, START, bin, i32, iadd, idiv, imul, isub } from '../ir/build';
import type { Kernel } from '../ir/types';
import { type Port, type RowIO, planarPort } from './fft-ports';
import type { TemplateContext } from './template';

export interface Step {
  readonly name: string;
  /** Independent work items per row. */
  readonly items: number;
  /** Estimated scalar operations of one item. */
  readonly itemCost: number;
  /** Complex values per row this step writes (the planar room it needs as an intermediate). */
  readonly outLength: number;
  /** Emits items [lo, hi) of the row whose ports are `src` and `dst`. */
  emit(b: Block, src: RowIO, dst: RowIO, lo: Expr, hi: Expr): void;
}

export type Form = 'rows' | 'stages';

/** A contiguous output buffer seen as rows of `rowStride` elements from `offset`. */
export interface OutRows {
  readonly buf: string;
  readonly offset: number;
  readonly rowStride: number;
}

const imin = (a: Expr, b: Expr): Expr => (a.k === 'const' && b.k === 'const' ? i32(Math.min(a.v, b.v)) : bin('min', a, b));
const imax = (a: Expr, b: Expr): Expr => (a.k === 'const' && b.k === 'const' ? i32(Math.max(a.v, b.v)) : bin('max', a, b));
const isConst = (e: Expr, v: number): boolean => e.k === 'const' && e.v === v;

/**
 * Items it = blk·inner + q of [lo, hi) as nested loops over blocks and the position in a block
 * (no division per item); `body(b, blk, q)`.
 */
export function blockedRange(b: Block, lo: Expr, hi: Expr, inner: number, body: (b: Block, blk: Expr, q: Expr) => void): void {
  if (inner === 1) return b.for(lo, hi, (it, ib) => body(ib, it, i32(0)), 1, 'it');
  if (isConst(lo, 0) && hi.k === 'const' && hi.v % inner === 0) {
    return b.for(i32(0), i32(hi.v / inner), (blk, ib) => ib.for(i32(0), i32(inner), (q, qb) => body(qb, blk, q), 1, 'q'), 1, 'blk');
  }
  const first = b.bind(idiv(lo, inner), 'b0');
  const last = b.bind(idiv(iadd(hi, i32(inner - 1)), inner), 'b1');
  b.for(first, last, (blk, ib) => {
    const at = ib.bind(imul(blk, i32(inner)), 'bo');
    const from = ib.bind(imax(isub(lo, at), i32(0)), 'qf');
    const to = ib.bind(imin(isub(hi, at), i32(inner)), 'qt');
    ib.for(from, to, (q, qb) => body(qb, blk, q), 1, 'q');
  }, 1, 'blk');
}

/** A vector form of an elementwise step, used for items whose condition holds (null: always). */
export interface Variant {
  cond(k0: Expr): Expr | null;
  emit(b: Block, src: RowIO, dst: RowIO, k0: Expr): void;
}

const and = (a: Expr | null, b: Expr | null): Expr | null => (a === null ? b : b === null ? a : bin('and', a, b));

/**
 * An elementwise step over `count` elements in items of four: the first variant whose
 * condition holds (items running past `count` never qualify), else `scalar` per element.
 */
export function elementPass(
  name: string,
  count: number,
  outLength: number,
  itemCost: number,
  variants: readonly Variant[],
  scalar: (b: Block, src: RowIO, dst: RowIO, k: Expr) => void,
): Step {
  const items = Math.ceil(count / 4);
  return {
    name, items, itemCost, outLength,
    emit(b, src, dst, lo, hi) {
      b.for(lo, hi, (it, ib) => {
        const k0 = ib.bind(imul(it, i32(4)), 'k');
        const full = count % 4 === 0 ? null : bin('le', iadd(k0, i32(4)), i32(count));
        const scalarTail = (sb: Block): void =>
          sb.for(k0, imin(iadd(k0, i32(4)), i32(count)), (k, kb) => scalar(kb, src, dst, k), 1, 'k');
        const chain = (cb: Block, v: number): void => {
          if (v === variants.length) return scalarTail(cb);
          const c = and(full, variants[v].cond(k0));
          if (c === null) return variants[v].emit(cb, src, dst, k0);
          cb.if(c, (tb) => variants[v].emit(tb, src, dst, k0), (eb) => chain(eb, v + 1));
        };
        chain(ib, 0);
      }, 1, 'it');
    },
  };
}

/** Splits the launches of form 'stages': about this many units per thread. */
const UNITS_PER_THREAD = 4;

/**
 * Kernels running `steps` on `rows` rows from `input` to `output`. `outRows`, when given, is
 * the output buffer seen as planar rows (contiguous output): it may hold intermediates the
 * last step does not read.
 */
export function assemble(
  ctx: TemplateContext,
  rows: number,
  input: Port,
  steps: readonly Step[],
  output: Port,
  outRows: OutRows | null,
  form: Form,
): Kernel[] {
  if (rows === 0 || steps.length === 0) return [];
  // intermediate i (written by step i, read by step i + 1) goes to A when an even number of
  // intermediates follow it, else to B: consecutive ones differ, and the last one, read by the
  // step writing the output, is never the output's own storage
  const mids = steps.slice(0, -1).map((s) => s.outLength);
  const inA = (i: number): boolean => (mids.length - 1 - i) % 2 === 0;
  const widest = (a: boolean): number => Math.max(0, ...mids.filter((_, i) => inA(i) === a));
  const scratch = (len: number, label: string): Port =>
    planarPort(ctx.scratch(rows * 2 * len, 'f32', `fft intermediates ${label}`), 2 * len, len);
  const A = mids.length > 0 ? scratch(widest(true), 'A') : null;
  const B = mids.length < 2 ? null
    : outRows !== null && 2 * widest(false) <= outRows.rowStride
      ? planarPort(outRows.buf, outRows.rowStride, Math.floor(outRows.rowStride / 2), outRows.offset)
      : scratch(widest(false), 'B');
  const ports = [input, ...mids.map((_, i) => (inA(i) ? A! : B!)), output];

  if (form === 'rows') {
    const body = new Block();
    body.for(START, END, (row, rb) => {
      steps.forEach((s, i) => s.emit(rb, ports[i].bind(rb, row), ports[i + 1].bind(rb, row), i32(0), i32(s.items)));
    }, 1, 'row');
    const cost = steps.reduce((c, s) => c + s.items * s.itemCost, 0);
    return [{ name: `${ctx.name}_fft_rows`, units: rows, unitCost: cost, body: body.stmts }];
  }
  const target = Math.max(1, ctx.threads * UNITS_PER_THREAD);
  return steps.map((s, i) => {
    const chunk = Math.ceil(s.items / Math.min(s.items, Math.max(1, Math.ceil(target / rows))));
    const parts = Math.ceil(s.items / chunk);
    const body = new Block();
    body.for(START, END, (u, ub) => {
      const row = parts === 1 ? u : ub.bind(idiv(u, parts), 'row');
      const lo = parts === 1 ? i32(0) : ub.bind(imul(isub(u, imul(row, i32(parts))), i32(chunk)), 'lo');
      const hi = parts === 1 ? i32(s.items) : ub.bind(imin(iadd(lo, i32(chunk)), i32(s.items)), 'hi');
      s.emit(ub, ports[i].bind(ub, row), ports[i + 1].bind(ub, row), lo, hi);
    }, 1, 'u');
    return { name: `${ctx.name}_fft${i}_${s.name}`, units: rows * parts, unitCost: chunk * s.itemCost, body: body.stmts };
  });
}
