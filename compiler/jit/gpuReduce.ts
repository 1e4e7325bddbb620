/**
 * Reductions along one axis for the gpu.js backends, as kernel IR (one unit per thread): sum
 * (f32 and c64), max and argmax, as fanout-F trees. A line of length T is folded by up-sweep
 * kernels (`up1`, `up2`, …: each node folds F nodes of the level below, levels stored
 * component-planar [component][outer][n_l][inner]) until at most F nodes remain, then one
 * `out` kernel folds those into the output. Each thread folds at most F values, so summation
 * error grows with F·log_F T rather than T. Elements are read through a
 * caller-supplied reader, so a fused producer is computed inside the first pass.
 *
 * max/argmax fold (value, index) pairs where a later element wins only if strictly greater: the
 * first index of the maximum.
 */
import { Block, START, bin, constant, cvt, get, i32, iadd, idiv, imul, irem, isub, load, select } from '../../kernels/ir/build';
import type { Expr, Kernel } from '../../kernels/ir/types';
import { OUTPUT } from '../../kernels/gpujs/render';
import { affine, type Ix } from './cpu/indexing';
import { Coords } from './cpu/emit';

/** The f32 components of the element at `axes` (im only for c64), computed in `block`. */
export type ElementReader = (block: Block, axes: readonly Ix[]) => { re: Expr; im?: Expr };

export type TreeReduceOp = 'sum' | 'max' | 'argmax';

export interface TreeReduceSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly axis: number;
  readonly op: TreeReduceOp;
  readonly complex: boolean;
  readonly read: ElementReader;
  readonly fanout?: number;
}

/**
 * Builds the kernels in order; `launch` adds one (given the level buffer it reads, if any; the
 * elements' buffers are those the reader read since the previous launch) and returns its
 * buffer id. Returns the output buffer's id: the reduced shape, c64 interleaved for complex sums.
 */
export function treeReduce(spec: TreeReduceSpec, launch: (kernel: Kernel, level: string | undefined) => string): string {
  const { shape, axis, op, complex } = spec;
  const F = spec.fanout ?? 16;
  const where = `reduction '${spec.name}'`;
  if (!Number.isInteger(F) || F < 2) throw new Error(`${where}: fanout must be an integer >= 2, got ${F}`);
  if (!Number.isInteger(axis) || axis < 0 || axis >= shape.length) throw new Error(`${where}: axis ${axis} out of range for shape [${shape.join(', ')}]`);
  if (complex && op !== 'sum') throw new Error(`${where}: ${op} is not defined for c64`);
  const T = shape[axis];
  const outerShape = shape.slice(0, axis);
  const innerShape = shape.slice(axis + 1);
  const outer = outerShape.reduce((a, b) => a * b, 1);
  const inner = innerShape.reduce((a, b) => a * b, 1);
  const sizes = [T];
  while (sizes[sizes.length - 1] > F) sizes.push(Math.ceil(sizes[sizes.length - 1] / F));
  const L = sizes.length - 1;
  const k = complex || op !== 'sum' ? 2 : 1;
  const closure = (c: number): number[] => (op === 'sum' ? [c] : c === 0 ? [0] : [0, 1]);
  /** The combined components `comps` (a closure) of accumulator `a` and value `v`, listed alike. */
  const combine = (a: readonly Expr[], v: readonly Expr[]): Expr[] => {
    if (op === 'sum') return a.map((x, i) => bin('add', x, v[i]));
    // Extremum pairs (value, index): the value is component 0 and comes first in any closure.
    const better = bin('gt', v[0], a[0]);
    return a.map((x, i) => select(better, v[i], x));
  };
  const names = { next: 0, prefix: '_r' };

  /** Axes of line (o, in) at position `pos`. */
  const lineAxes = (o: Expr, inn: Expr, pos: Expr): Ix[] => [
    ...(outerShape.length ? Coords.fromFlat(outerShape, affine(o)).axes : []),
    affine(pos),
    ...(innerShape.length ? Coords.fromFlat(innerShape, affine(inn)).axes : []),
  ];

  /** Component `c` of node `pos` of level `l` (elements for l = 0). */
  const node = (block: Block, l: number, prev: string | undefined, o: Expr, inn: Expr, c: number, pos: Expr): Expr => {
    if (l === 0) {
      const v = spec.read(block, lineAxes(o, inn, pos));
      if (op === 'sum') return c === 0 ? v.re : (v.im ?? constant('f32', 0));
      return c === 0 ? v.re : cvt(pos, 'f32');
    }
    const n = sizes[l];
    const index = iadd(iadd(i32(c * outer * n * inner), imul(o, i32(n * inner))), iadd(imul(pos, i32(inner)), inn));
    return load(prev as string, index);
  };

  /** Folds nodes start .. min(start + F, n_l) - 1 of level l into the returned accumulators. */
  const fold = (block: Block, l: number, prev: string | undefined, o: Expr, inn: Expr, comps: readonly number[], start: Expr): Map<number, Expr> => {
    const acc = new Map<number, Expr>();
    for (const c of comps) {
      const first = block.bind(node(block, l, prev, o, inn, c, start));
      const name = block.fresh('_a');
      block.push({ k: 'let', name, t: 'f32', init: first });
      acc.set(c, get(name, 'f32'));
    }
    if (sizes[l] > 1) {
      const last = block.bind(isub(i32(sizes[l] - 1), start));
      block.for(i32(1), i32(Math.min(F, sizes[l])), (s, body) => {
        body.if(bin('le', s, last), (then) => {
          const pos = then.bind(iadd(start, s));
          const a = comps.map((c) => acc.get(c) as Expr);
          const v = comps.map((c) => then.bind(node(then, l, prev, o, inn, c, pos)));
          const next = combine(a, v).map((x) => then.bind(x));
          comps.forEach((c, i) => then.set(acc.get(c) as Expr, next[i]));
        });
      }, 1, '_s');
    }
    return acc;
  };

  let prev: string | undefined;
  for (let l = 1; l <= L; l++) {
    const n = sizes[l];
    const per = outer * n * inner;
    const block = new Block(names);
    const c = block.bind(idiv(START, per));
    const r0 = block.bind(irem(START, per));
    const o = block.bind(idiv(r0, n * inner));
    const r1 = block.bind(irem(r0, n * inner));
    const p = block.bind(idiv(r1, inner));
    const inn = block.bind(irem(r1, inner));
    const branch = (b: Block, comp: number): void => {
      if (comp === k - 1) {
        const acc = fold(b, l - 1, prev, o, inn, closure(comp), imul(p, i32(F)));
        b.store(OUTPUT, START, acc.get(comp) as Expr);
        return;
      }
      b.if(bin('eq', c, i32(comp)), (t) => {
        const acc = fold(t, l - 1, prev, o, inn, closure(comp), imul(p, i32(F)));
        t.store(OUTPUT, START, acc.get(comp) as Expr);
      }, (e) => branch(e, comp + 1));
    };
    branch(block, 0);
    const kernel: Kernel = { name: `${spec.name}_up${l}`, units: k * per, unitCost: F, body: block.stmts };
    prev = launch(kernel, prev);
  }

  const width = complex ? 2 : 1;
  const outComps = op === 'sum' ? (complex ? [0, 1] : [0]) : op === 'max' ? [0] : [1];
  const units = outer * inner * width;
  const block = new Block(names);
  const q = width === 1 ? START : block.bind(idiv(START, width));
  const o = block.bind(idiv(q, inner));
  const inn = block.bind(irem(q, inner));
  const acc = fold(block, L, prev, o, inn, [...new Set(outComps.flatMap(closure))], i32(0));
  if (complex) {
    const part = block.bind(irem(START, 2));
    block.if(bin('eq', part, i32(0)), (t) => t.store(OUTPUT, START, acc.get(0) as Expr), (e) => e.store(OUTPUT, START, acc.get(1) as Expr));
  } else {
    block.store(OUTPUT, START, acc.get(outComps[0]) as Expr);
  }
  const kernel: Kernel = { name: `${spec.name}_out`, units, unitCost: F, body: block.stmts };
  return launch(kernel, prev);
}
