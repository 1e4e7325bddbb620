/**
 * Inclusive associative scans along one axis for the gpu.js backends, as kernel IR (one unit per
 * thread): cumulative sums, linear recurrences and the generic `assoc_scan`, as trees (Blelloch's
 * up-sweep / down-sweep generalised to F children per node, sequential folds of at most F nodes
 * per thread). Elements are tuples of
 * k f32 components; with T elements per line and n_0 = T, n_{l+1} = ceil(n_l / F) down to n_L <= F:
 *
 *   up-sweep    v_{l+1}[j] = v_l[jF] ∘ … ∘ v_l[min(jF+F, n_l) − 1]           kernels up1 … upL
 *   down-sweep  S_L[j] = v_L[0] ∘ … ∘ v_L[j]                                   kernels downL … down1
 *               S_l[j] = S_{l+1}[g−1] ∘ v_l[gF] ∘ … ∘ v_l[j],  g = ⌊j/F⌋
 *   output      S_0, written in the tensor layout                               kernel out
 *
 * Levels are stored component-planar [component][outer][n_l][inner]. A unit computes one
 * component, so it folds only the components that one depends on (found by walking the
 * combine's expressions). v_0 is never materialised: elements are read through a caller-supplied
 * reader at both ends, so a fused producer is computed in the first and the last kernel.
 */
import { Block, START, add, bin, constant, get, i32, iadd, idiv, imul, irem, isub, load, mul, sub } from '../../kernels/ir/build';
import type { Expr, Kernel } from '../../kernels/ir/types';
import { forEachExpr } from '../../kernels/ir/walk';
import { OUTPUT } from '../../kernels/gpujs/render';
import { Coords } from './cpu/emit';
import { affine, type Ix } from './cpu/indexing';

/** The tree's default fanout F: a line of at most F elements is scanned by one kernel. */
export const SCAN_FANOUT = 8;

/** Component expressions of left ∘ right (left the earlier prefix). */
export type ScanCombine = (left: readonly Expr[], right: readonly Expr[]) => readonly Expr[];

/**
 * The linear recurrence x_t = a_t x_{t−1} + b_t as a scan of (A, B) pairs,
 * (A1, B1) ∘ (A2, B2) = (A2 A1, A2 B1 + B2): components (A, B) when real, (A.re, A.im, B.re,
 * B.im) when complex; the state x_t is the B components of the prefix.
 */
export function recurrenceCombine(complex: boolean): ScanCombine {
  if (!complex) return (l, r) => [mul(r[0], l[0]), add(mul(r[0], l[1]), r[1])];
  return ([a1r, a1i, b1r, b1i], [a2r, a2i, b2r, b2i]) => [
    sub(mul(a2r, a1r), mul(a2i, a1i)),
    add(mul(a2r, a1i), mul(a2i, a1r)),
    add(sub(mul(a2r, b1r), mul(a2i, b1i)), b2r),
    add(add(mul(a2r, b1i), mul(a2i, b1r)), b2i),
  ];
}

/** The cumulative sum's combine: componentwise addition. */
export const sumCombine: ScanCombine = (l, r) => l.map((v, i) => add(v, r[i]));

/**
 * The element at `axes`, computed in `block`: a function giving its f32 component c (called
 * only for the components a unit needs, each at most once).
 */
export type ScanReader = (block: Block, axes: readonly Ix[]) => (c: number) => Expr;

export interface TreeScanSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly axis: number;
  readonly reverse: boolean;
  /** Floats per tuple. */
  readonly components: number;
  readonly combine: ScanCombine;
  readonly read: ScanReader;
  /**
   * The prefix components written: one as f32 values, two as c64 (`complex`, re and im
   * interleaved), more as f32 with a trailing axis of that many.
   */
  readonly output: { readonly components: readonly number[]; readonly complex: boolean };
  /** Tree fanout F >= 2 (default 8). */
  readonly fanout?: number;
}

interface Deps {
  readonly left: readonly (readonly number[])[];
  readonly right: readonly (readonly number[])[];
}

/** Which components of each side every component of the combine reads. */
function analyse(spec: TreeScanSpec): Deps {
  const k = spec.components;
  const side = (tag: string) => Array.from({ length: k }, (_, i) => get(`${tag}${i}`, 'f32'));
  const exprs = spec.combine(side('_L'), side('_R'));
  if (exprs.length !== k) throw new Error(`scan '${spec.name}': combine returned ${exprs.length} components, expected ${k}`);
  const refs = (e: Expr, tag: string): number[] => {
    const found = new Set<number>();
    forEachExpr([{ k: 'let', name: '', t: e.t, init: e }], (x) => {
      if (x.k === 'get' && x.name.startsWith(tag)) found.add(Number(x.name.slice(tag.length)));
    });
    return [...found].sort((a, b) => a - b);
  };
  return { left: exprs.map((e) => refs(e, '_L')), right: exprs.map((e) => refs(e, '_R')) };
}

/** Components needed to compute all of `wanted` through repeated folding. */
function closure(wanted: readonly number[], deps: Deps): number[] {
  const set = new Set(wanted);
  let grew = true;
  while (grew) {
    grew = false;
    for (const i of [...set]) {
      for (const j of deps.left[i]) {
        if (!set.has(j)) {
          set.add(j);
          grew = true;
        }
      }
    }
  }
  return [...set].sort((a, b) => a - b);
}

const rightNeeds = (comps: readonly number[], deps: Deps): number[] => [...new Set(comps.flatMap((i) => deps.right[i]))].sort((a, b) => a - b);

/** Builds the kernels in order; `launch` adds one (given the level buffers it reads) and returns its buffer id. */
export function treeScan(spec: TreeScanSpec, launch: (kernel: Kernel, levels: readonly string[]) => string): string {
  const { shape, axis, reverse, combine } = spec;
  const k = spec.components;
  const F = spec.fanout ?? SCAN_FANOUT;
  if (!Number.isInteger(F) || F < 2) throw new Error(`scan '${spec.name}': fanout must be an integer >= 2, got ${F}`);
  if (!Number.isInteger(axis) || axis < 0 || axis >= shape.length) throw new Error(`scan '${spec.name}': axis ${axis} out of range for shape [${shape.join(', ')}]`);
  const T = shape[axis];
  const outerShape = shape.slice(0, axis), innerShape = shape.slice(axis + 1);
  const outer = outerShape.reduce((a, b) => a * b, 1);
  const inner = innerShape.reduce((a, b) => a * b, 1);
  const sizes = [T];
  while (sizes[sizes.length - 1] > F) sizes.push(Math.ceil(sizes[sizes.length - 1] / F));
  const L = sizes.length - 1;
  const deps = analyse(spec);
  const names = { next: 0, prefix: '_c' };
  const zero = constant('f32', 0);

  /** Reads component c of node `pos` of a line (o, inn). */
  type NodeRead = (block: Block, c: number, pos: Expr) => Expr;
  const elements = (o: Expr, inn: Expr): NodeRead => {
    // One reader per position expression, so each element is read once per block.
    const cache = new Map<string, Map<Block, (c: number) => Expr>>();
    return (block, c, pos) => {
      const key = JSON.stringify(pos);
      const byBlock = cache.get(key) ?? new Map<Block, (c: number) => Expr>();
      cache.set(key, byBlock);
      let at = byBlock.get(block);
      if (!at) {
        const p = reverse ? block.bind(isub(i32(T - 1), pos)) : pos;
        const axes = [
          ...(outerShape.length ? Coords.fromFlat(outerShape, affine(o)).axes : []),
          affine(p),
          ...(innerShape.length ? Coords.fromFlat(innerShape, affine(inn)).axes : []),
        ];
        at = spec.read(block, axes);
        byBlock.set(block, at);
      }
      return at(c);
    };
  };
  const level = (buf: string, n: number, o: Expr, inn: Expr): NodeRead => (_block, c, pos) =>
    load(buf, iadd(iadd(i32(c * outer * n * inner), imul(o, i32(n * inner))), iadd(imul(pos, i32(inner)), inn)));

  /** Declares accumulators for `comps` from `first` (component → value). */
  const accumulators = (block: Block, comps: readonly number[], first: (c: number) => Expr): Expr[] => {
    const acc: Expr[] = Array.from({ length: k }, () => zero);
    for (const c of comps) {
      const name = block.fresh('_a');
      block.push({ k: 'let', name, t: 'f32', init: first(c) });
      acc[c] = get(name, 'f32');
    }
    return acc;
  };

  /** Combines nodes base + s, s = 1 .. F − 1 while s <= last, into `acc` (components `comps`). */
  const foldLoop = (block: Block, comps: readonly number[], acc: readonly Expr[], base: Expr, last: Expr, read: NodeRead): void => {
    block.for(i32(1), i32(F), (s, body) => {
      body.if(bin('le', s, last), (then) => {
        const pos = then.bind(iadd(base, s));
        const v: Expr[] = Array.from({ length: k }, () => zero);
        for (const c of rightNeeds(comps, deps)) v[c] = then.bind(read(then, c, pos));
        const next = combine(acc, v);
        const bound = comps.map((c) => then.bind(next[c]));
        comps.forEach((c, i) => then.set(acc[c], bound[i]));
      });
    }, 1, '_s');
  };

  /** Down-sweep fold of position p (group g): the parent's prefix of earlier groups, then the group up to p. */
  const downFold = (block: Block, comps: readonly number[], p: Expr, read: NodeRead, parent: NodeRead | undefined): Expr[] => {
    const g = block.bind(idiv(p, F), '_g');
    const base = block.bind(imul(g, i32(F)), '_b');
    const firstComps = [...new Set([...comps, ...rightNeeds(comps, deps)])].sort((a, b) => a - b);
    const first: Expr[] = Array.from({ length: k }, () => zero);
    for (const c of firstComps) first[c] = block.bind(read(block, c, base));
    const acc = accumulators(block, comps, (c) => first[c]);
    if (parent) {
      block.if(bin('gt', g, i32(0)), (then) => {
        const before = then.bind(isub(g, i32(1)));
        const pv: Expr[] = Array.from({ length: k }, () => zero);
        for (const c of comps) pv[c] = then.bind(parent(then, c, before));
        const seeded = combine(pv, first);
        const bound = comps.map((c) => then.bind(seeded[c]));
        comps.forEach((c, i) => then.set(acc[c], bound[i]));
      });
    }
    foldLoop(block, comps, acc, base, block.bind(isub(p, base)), read);
    return acc;
  };

  /** The planar level prologue: component, line and node of the unit. */
  const planar = (block: Block, n: number) => {
    const per = outer * n * inner;
    const c = block.bind(idiv(START, per), '_cc');
    const r0 = block.bind(irem(START, per));
    const o = block.bind(idiv(r0, n * inner), '_o');
    const r1 = block.bind(irem(r0, n * inner));
    const p = block.bind(idiv(r1, inner), '_p');
    const inn = block.bind(irem(r1, inner), '_in');
    return { c, o, p, inn, units: k * per };
  };

  /** One branch per component (the unit's component chosen by `which`), each storing `value(c)`. */
  const branches = (block: Block, which: Expr, list: readonly number[], value: (b: Block, c: number, j: number) => Expr): void => {
    const from = (b: Block, j: number): void => {
      if (j === list.length - 1) return b.store(OUTPUT, START, value(b, list[j], j));
      b.if(bin('eq', which, i32(j)), (t) => t.store(OUTPUT, START, value(t, list[j], j)), (e) => from(e, j + 1));
    };
    from(block, 0);
  };
  const all = Array.from({ length: k }, (_, c) => c);

  // Up-sweep.
  const levels: string[] = [];
  for (let l = 1; l <= L; l++) {
    const block = new Block(names);
    const { c, o, p, inn, units } = planar(block, sizes[l]);
    const prev = levels[l - 2];
    const read = prev ? level(prev, sizes[l - 1], o, inn) : elements(o, inn);
    branches(block, c, all, (b, comp) => {
      const comps = closure([comp], deps);
      const base = b.bind(imul(p, i32(F)), '_b');
      const acc = accumulators(b, comps, (x) => read(b, x, base));
      foldLoop(b, comps, acc, base, b.bind(isub(i32(sizes[l - 1] - 1), base)), read);
      return acc[comp];
    });
    levels.push(launch({ name: `${spec.name}_up${l}`, units, unitCost: F, body: block.stmts }, prev ? [prev] : []));
  }

  // Down-sweep.
  let parent: string | undefined;
  for (let l = L; l >= 1; l--) {
    const block = new Block(names);
    const { c, o, p, inn, units } = planar(block, sizes[l]);
    const read = level(levels[l - 1], sizes[l], o, inn);
    const par = parent ? level(parent, sizes[l + 1], o, inn) : undefined;
    branches(block, c, all, (b, comp) => downFold(b, closure([comp], deps), p, read, par)[comp]);
    const reads = parent ? [levels[l - 1], parent] : [levels[l - 1]];
    parent = launch({ name: `${spec.name}_down${l}`, units, unitCost: 2 * F, body: block.stmts }, reads);
  }

  // The scan, in the tensor layout [outer, T, inner, width].
  const { components, complex } = spec.output;
  const width = complex ? 2 : components.length;
  const block = new Block(names);
  const q = block.bind(idiv(START, width), '_q');
  const part = width > 1 ? block.bind(irem(START, width), '_part') : i32(0);
  const o = block.bind(idiv(q, T * inner), '_o');
  const r1 = block.bind(irem(q, T * inner));
  const t = block.bind(idiv(r1, inner), '_t');
  const inn = block.bind(irem(r1, inner), '_in');
  const p = reverse ? block.bind(isub(i32(T - 1), t), '_p') : t;
  const acc = downFold(block, closure(components, deps), p, elements(o, inn), parent ? level(parent, sizes[1], o, inn) : undefined);
  branches(block, part, components, (_b, c) => acc[c]);
  const units = shape.reduce((a, b) => a * b, 1) * width;
  return launch({ name: `${spec.name}_out`, units, unitCost: 2 * F, body: block.stmts }, parent ? [parent] : []);
}
