/**
 * CPU template of scatter_add, the transpose of gather: with an index tensor of rank k,
 * out[pre, idx[p…], post] += updates[pre, p…, post] (out is zero elsewhere), as the interpreter's
 * rule in compiler/interpreter/structural.ts. The index tensor's k axes of `updates` (at `axis`)
 * become the single output axis `axis` of size `out.shape[axis]`.
 *
 * What this module owns: the split into independent units and the accumulation order.
 * - A unit owns the whole indexed axis of a block of output lines out[pre, :, post…]: it zeroes
 *   them, then walks all index positions p in order and adds updates[pre, p, post…] at
 *   out[pre, idx[p], post…]. Units touch disjoint outputs (no atomics), and every output element
 *   sums its updates in the interpreter's order (p ascending), so repeated indices are exact up
 *   to float32 rounding.
 * - Blocks run along the last output axis after `axis` (where a row-major output is dense): as
 *   f32x4/i32x4 lanes (c64 parts from stride-2 loads, stored back with `storePair`), up to 32
 *   lanes per unit so the index load and its check are shared; fewer lanes when that leaves
 *   too few units for the threads. With no axis after `axis`, a unit is one output line.
 * - Out-of-range indices (negative or ≥ size): the interpreter throws a RangeError; a kernel
 *   cannot, so their updates are dropped (as the GPU lowering's compare-per-element does).
 */
import { Block, END, START, add, bin, constant, i32, iadd, idiv, imul, irem, load } from '../ir/build';
import type { Expr, Kernel, KType, ScalarType } from '../ir/types';
import { LANES, vectorOf } from '../ir/types';
import type { TemplateContext, View } from './template';

/** Lanes one unit adds per index position at most. */
const MAX_LANES = 32;

const product = (xs: readonly number[]): number => xs.reduce((p, x) => p * x, 1);

/** out[pre, idx[p…], post] += updates[pre, p…, post] with the index axes of `updates` at `axis` (out zero elsewhere). */
export function scatterAdd(ctx: TemplateContext, updates: View, indices: View, axis: number, out: View): Kernel[] {
  const k = indices.shape.length;
  const r = out.shape.length;
  if (updates.dtype !== out.dtype || updates.dtype === 'bool') throw new Error(`scatterAdd: updates ${updates.dtype} into ${out.dtype}`);
  if (indices.dtype !== 'i32') throw new Error(`scatterAdd: indices must be i32, got ${indices.dtype}`);
  if (axis < 0 || axis >= r || updates.shape.length !== r - 1 + k) throw new Error(`scatterAdd: ranks ${updates.shape.length}, ${k}, ${r} at axis ${axis}`);
  const updAxis = (a: number): number => (a < axis ? a : a + k - 1); // the updates' axis of output axis a ≠ axis
  for (let a = 0; a < r; a++) {
    if (a !== axis && updates.shape[updAxis(a)] !== out.shape[a]) throw new Error(`scatterAdd: updates [${updates.shape}] do not fit out [${out.shape}]`);
  }
  indices.shape.forEach((d, j) => {
    if (updates.shape[axis + j] !== d) throw new Error(`scatterAdd: updates [${updates.shape}] must hold the index shape [${indices.shape}] at axis ${axis}`);
  });
  if (product(out.shape) === 0) return [];
  const size = out.shape[axis];
  const comps: ScalarType[] = out.dtype === 'c64' ? ['f32', 'f32'] : [out.dtype === 'i32' ? 'i32' : 'f32'];
  const w = comps.length;

  // The lane axis: the last output axis after `axis`, if any.
  const laneAxis = r - 1 > axis ? r - 1 : -1;
  const V = laneAxis >= 0 ? out.shape[laneAxis] : 1;
  const vector = laneAxis >= 0 && V >= LANES && out.strides[laneAxis] === w;
  const rows = product(out.shape) / size / V;
  let width = vector ? Math.min(V - (V % LANES), MAX_LANES) : Math.min(V, MAX_LANES / 4);
  while (width > (vector ? LANES : 1) && rows * Math.ceil(V / width) < 2 * ctx.threads) width = vector ? Math.max(LANES, (width / 2) & ~(LANES - 1)) : Math.ceil(width / 2);
  const full = Math.floor(V / width);
  const rest = V - full * width;
  const perRow = full + (rest > 0 ? 1 : 0);
  const P = product(indices.shape);

  const ls = laneAxis >= 0 ? out.strides[laneAxis] : 0;
  const us = laneAxis >= 0 ? updates.strides[updAxis(laneAxis)] : 0;
  const body = new Block();
  body.for(START, END, (u, ub) => {
    const j = perRow > 1 ? ub.let(irem(u, perRow), 'j') : i32(0);
    let q = perRow > 1 ? ub.let(idiv(u, perRow), 'r') : u;
    let outBase: Expr = i32(out.offset);
    let updBase: Expr = i32(updates.offset);
    for (let a = r - 1; a >= 0; a--) {
      if (a === axis || a === laneAxis || out.shape[a] === 1) continue;
      const c = ub.let(irem(q, out.shape[a]), 'c');
      q = idiv(q, out.shape[a]);
      outBase = iadd(outBase, imul(c, i32(out.strides[a])));
      updBase = iadd(updBase, imul(c, i32(updates.strides[updAxis(a)])));
    }
    if (laneAxis >= 0) {
      const lane0 = imul(j, i32(width));
      outBase = iadd(outBase, imul(lane0, i32(ls)));
      updBase = iadd(updBase, imul(lane0, i32(us)));
    }
    const ob = ub.bind(outBase, 'ob');
    const pb = ub.bind(updBase, 'ub');
    const block = (count: number) => (b: Block): void => {
      const groups: { lane: number; vector: boolean }[] = [];
      let l = 0;
      if (vector) for (; l + LANES <= count; l += LANES) groups.push({ lane: l, vector: true });
      for (; l < count; l++) groups.push({ lane: l, vector: false });
      const typeOf = (e: ScalarType, vec: boolean): KType => (vec ? vectorOf(e) : e);
      // Zero the unit's output lines.
      b.for(i32(0), i32(size), (i, zb) => {
        const row = zb.bind(iadd(ob, imul(i, i32(out.strides[axis]))), 'o');
        for (const g of groups) {
          const at = iadd(row, i32(g.lane * ls));
          if (g.vector && w === 2 && ls === 2) zb.storePair(out.buf, at, constant(vectorOf('f32'), 0), constant(vectorOf('f32'), 0));
          else comps.forEach((e, c) => zb.store(out.buf, iadd(at, i32(c)), constant(typeOf(e, g.vector), 0), ls));
        }
      });
      // Walk the index positions (k nested loops, p in row-major order) and accumulate.
      const walk = (lb: Block, d: number, idxAt: Expr, updAt: Expr): void => {
        if (d < k) {
          lb.for(i32(0), i32(indices.shape[d]), (p, inner) => {
            walk(inner, d + 1, iadd(idxAt, imul(p, i32(indices.strides[d]))), iadd(updAt, imul(p, i32(updates.strides[axis + d]))));
          }, 1, 'p');
          return;
        }
        const target = lb.let(load(indices.buf, idxAt, 'i32'), 'idx');
        const src = lb.bind(updAt, 'src');
        lb.if(bin('and', bin('ge', target, i32(0)), bin('lt', target, i32(size))), (ib) => {
          const row = ib.bind(iadd(ob, imul(target, i32(out.strides[axis]))), 'o');
          for (const g of groups) {
            const at = ib.bind(iadd(row, i32(g.lane * ls)), 'at');
            const from = iadd(src, i32(g.lane * us));
            const sums = comps.map((e, c) =>
              add(load(out.buf, iadd(at, i32(c)), typeOf(e, g.vector), ls), load(updates.buf, iadd(from, i32(c)), typeOf(e, g.vector), us)));
            if (g.vector && w === 2 && ls === 2) ib.storePair(out.buf, at, sums[0], sums[1]);
            else sums.forEach((v, c) => ib.store(out.buf, iadd(at, i32(c)), v, ls));
          }
        });
      };
      walk(b, 0, i32(indices.offset), pb);
    };
    if (full > 0 && rest > 0) ub.if(bin('lt', j, i32(full)), block(width), block(rest));
    else block(full > 0 ? width : rest)(ub);
  });
  return [{ name: `${ctx.name}_scatter_add`, units: rows * perRow, unitCost: width * w * (size + 3 * P), body: body.stmts }];
}
