/**
 * Shared machinery of the tree scan and tree reduction along one axis:
 * problem validation, component dependency analysis of a combine snippet,
 * the per-thread sequential fold loop, and the up-sweep that reduces groups
 * of F nodes per level.
 *
 * Geometry: the element grid `shape` is viewed as [outer, T, inner] around
 * the folded axis; a "line" is one (outer, inner) pair. Level l holds
 * n_l = ceil(n_{l-1} / F) nodes per line (n_0 = T), stored
 * component-planar [component][outer][n_l][inner].
 */
import { type Dtype, type Epilogue } from '../operand';
import { type Binding, type BufferRef, PlanBuilder, assertCallerBindings } from '../plan';
import { type Shape, assertShape, indent, int, product, unravelStatements } from '../source';

/** Component expressions of left o right from component variable names. */
export type Combine = (left: readonly string[], right: readonly string[]) => readonly string[];

/** What every fold-shaped template (scan, reduction) takes: tuples of floats along an axis. */
export interface FoldInput {
  /** Shape of the element grid; the fold runs along `axis`. */
  readonly shape: Shape;
  readonly axis: number;
  /** Floats per tuple. */
  readonly components: number;
  readonly bindings: readonly Binding[];
  /** Component expressions of the element at `coords` (coords[axis] is the position). */
  readonly element: (coords: readonly string[]) => readonly string[];
  readonly combine: Combine;
}

export interface FoldOptions extends FoldInput {
  readonly name: string;
  readonly reverse?: boolean;
  readonly fanout: number;
}

export interface Dependencies {
  /** For each component i of combine(L, R): the L components it reads. */
  readonly left: readonly (readonly number[])[];
  readonly right: readonly (readonly number[])[];
}

/** A validated fold problem with its derived geometry. */
export interface FoldProblem {
  readonly opts: FoldOptions;
  readonly where: string;
  readonly k: number;
  readonly F: number;
  readonly T: number;
  readonly outer: number;
  readonly inner: number;
  readonly deps: Dependencies;
  /** n_0 = T > n_1 > ... > n_L with n_L <= F. */
  readonly sizes: readonly number[];
  /** Binds the line's outer/inner coordinates from _o and _in. */
  readonly lineStatements: readonly string[];
  /** Element coordinates at scan position `pos` (reversal applied). */
  readonly coordsAt: (pos: string) => string[];
}

function analyse(k: number, combine: Combine, where: string): Dependencies {
  const L = Array.from({ length: k }, (_, i) => `_L${i}`);
  const R = Array.from({ length: k }, (_, i) => `_R${i}`);
  const exprs = combine(L, R);
  if (exprs.length !== k) throw new Error(`${where}: combine returned ${exprs.length} components, expected ${k}`);
  const refs = (e: string, tag: string) =>
    [...new Set([...e.matchAll(new RegExp(`\\b${tag}(\\d+)\\b`, 'g'))].map((m) => Number(m[1])))];
  return { left: exprs.map((e) => refs(e, '_L')), right: exprs.map((e) => refs(e, '_R')) };
}

export function prepareFold(opts: FoldOptions, kind: string): FoldProblem {
  const where = `${kind} '${opts.name}'`;
  const { shape, axis } = opts;
  assertShape(shape, where);
  if (!Number.isInteger(axis) || axis < 0 || axis >= shape.length) {
    throw new Error(`${where}: axis ${axis} out of range for shape [${shape.join(', ')}]`);
  }
  const k = opts.components;
  if (!Number.isInteger(k) || k < 1) throw new Error(`${where}: components must be a positive integer`);
  const F = opts.fanout;
  if (!Number.isInteger(F) || F < 2) throw new Error(`${where}: fanout must be an integer >= 2, got ${F}`);
  assertCallerBindings(opts.bindings, where);
  const T = shape[axis];
  const sizes = [T];
  while (sizes[sizes.length - 1] > F) sizes.push(Math.ceil(sizes[sizes.length - 1] / F));
  const outerU = unravelStatements('_o', shape.slice(0, axis), '_io');
  const innerU = unravelStatements('_in', shape.slice(axis + 1), '_ii');
  const reverse = opts.reverse ?? false;
  return {
    opts, where, k, F, T, sizes,
    outer: product(shape.slice(0, axis)),
    inner: product(shape.slice(axis + 1)),
    deps: analyse(k, opts.combine, where),
    lineStatements: [...outerU.statements, ...innerU.statements],
    coordsAt: (pos) => [...outerU.coords, reverse ? `${int(T - 1)} - (${pos})` : `(${pos})`, ...innerU.coords],
  };
}

/** Components needed to compute all of `wanted` through repeated folding. */
export function closure(wanted: readonly number[], deps: Dependencies): number[] {
  const set = new Set(wanted);
  let grew = true;
  while (grew) {
    grew = false;
    for (const i of [...set]) {
      for (const j of deps.left[i]) {
        if (!set.has(j)) { set.add(j); grew = true; }
      }
    }
  }
  return [...set].sort((a, b) => a - b);
}

/** Right-operand components read when combining into `comps`. */
export function rightNeeds(comps: readonly number[], deps: Dependencies): number[] {
  return [...new Set(comps.flatMap((i) => deps.right[i]))].sort((a, b) => a - b);
}

/** Component c of node `pos` of level buffer `param` (n nodes per line) on line (_o, _in). */
export function levelRead(param: string, p: FoldProblem, n: number, c: number, pos: string): string {
  const line = p.outer === 1 ? '' : `_o * ${int(n * p.inner)} + `;
  const inner = p.inner === 1 ? `(${pos})` : `(${pos}) * ${int(p.inner)} + _in`;
  return `${param}[${int(c * p.outer * n * p.inner)} + ${line}${inner}]`;
}

/** Component c of the element at scan position `pos`. */
export function readElement(p: FoldProblem, c: number, pos: string): string {
  return p.opts.element(p.coordsAt(pos))[c];
}

/**
 * Fold loop over `_a{i}` (i in comps, already initialised): combines
 * positions s = 1 .. F-1 while s <= `last`, reading them with `read`.
 */
export function foldLoop(p: FoldProblem, comps: readonly number[], last: string, read: (c: number, s: string) => string): string[] {
  const acc = Array.from({ length: p.k }, (_, i) => `_a${i}`);
  const val = Array.from({ length: p.k }, (_, i) => `_v${i}`);
  const exprs = p.opts.combine(acc, val);
  return [
    `for (let _s = 1; _s < ${int(p.F)}; _s++) {`,
    `  if (_s <= ${last}) {`,
    ...rightNeeds(comps, p.deps).map((c) => `    const _v${c} = ${read(c, '_s')};`),
    ...comps.map((c) => `    const _n${c} = ${exprs[c]};`),
    ...comps.map((c) => `    _a${c} = _n${c};`),
    '  }',
    '}',
  ];
}

/** Thread prologue of a planar level kernel with n nodes per line: binds _c, _o, _p, _in. */
export function planarPrologue(p: FoldProblem, n: number): string[] {
  const perComponent = p.outer * n * p.inner;
  return [
    'const _cell = this.thread.x;',
    `const _c = Math.floor(_cell / ${int(perComponent)});`,
    `const _r0 = _cell - _c * ${int(perComponent)};`,
    `const _o = Math.floor(_r0 / ${int(n * p.inner)});`,
    `const _r1 = _r0 - _o * ${int(n * p.inner)};`,
    `const _p = Math.floor(_r1 / ${int(p.inner)});`,
    `const _in = _r1 - _p * ${int(p.inner)};`,
    ...p.lineStatements,
  ];
}

/**
 * Statements folding the group of F nodes starting at `start` (an
 * expression) of a level with `nPrev` nodes into `_a{i}`, i in comps.
 */
export function groupFold(p: FoldProblem, comps: readonly number[], start: string, nPrev: number,
  read: (c: number, pos: string) => string): string[] {
  return [
    ...comps.map((i) => `let _a${i} = ${read(i, `${start} + 0`)};`),
    `const _last = ${int(nPrev - 1)} - ${start};`,
    ...foldLoop(p, comps, '_last', (c, s) => read(c, `${start} + ${s}`)),
  ];
}

/** Reader of level l - 1's node at `pos` (elements when l - 1 = 0). */
export function levelReader(p: FoldProblem, l: number, prev: BufferRef | null): (c: number, pos: string) => string {
  return prev ? (c, pos) => levelRead('_lvl', p, p.sizes[l - 1], c, pos) : (c, pos) => readElement(p, c, pos);
}

/** Up-sweep: levels 1..L, each node the fold of F nodes of the level below. */
export function upSweep(builder: PlanBuilder, p: FoldProblem): BufferRef[] {
  const levels: BufferRef[] = [];
  const L = p.sizes.length - 1;
  for (let l = 1; l <= L; l++) {
    const prev = l === 1 ? null : levels[l - 2];
    const read = levelReader(p, l, prev);
    const branches: string[] = [];
    for (let c = 0; c < p.k; c++) {
      const comps = closure([c], p.deps);
      const fold = groupFold(p, comps, `_p * ${int(p.F)}`, p.sizes[l - 1], read);
      branches.push(`if (_c == ${c}) {`, indent([...fold, `return _a${c};`].join('\n')), '}');
    }
    const bindings = prev ? [{ param: '_lvl', buffer: prev }] : p.opts.bindings;
    const body = [...planarPrologue(p, p.sizes[l]), ...branches, 'return 0.0;'].join('\n');
    levels.push(builder.launch(`${p.opts.name}_up${l}`, bindings, body, [p.k * p.outer * p.sizes[l] * p.inner]));
  }
  return levels;
}

/**
 * Which fold components a kernel writes and as what: one component as f32,
 * two as c64 (re, im), more as f32 with a trailing axis of that many.
 */
export interface FoldOutput {
  readonly components: readonly number[];
  readonly dtype: Dtype;
}

export function checkFoldOutput(p: FoldProblem, out: FoldOutput, epilogue: Epilogue): void {
  if (out.dtype === 'c64' && out.components.length !== 2) {
    throw new Error(`${p.where}: c64 output needs exactly 2 components, got ${out.components.length}`);
  }
  if (out.components.length === 0 || out.components.some((c) => !Number.isInteger(c) || c < 0 || c >= p.k)) {
    throw new Error(`${p.where}: output components [${out.components.join(', ')}] out of range 0..${p.k - 1}`);
  }
  if (out.dtype === 'f32' && epilogue.dtype !== 'f32') throw new Error(`${p.where}: an f32 output takes an f32 epilogue`);
  assertCallerBindings(epilogue.bindings, p.where);
}

/** Return statements selecting the written float by `_part`. */
export function writeComponents(out: FoldOutput, epilogue: Epilogue, coords: readonly string[]): string[] {
  if (out.dtype === 'c64') {
    const value = { re: `_a${out.components[0]}`, im: `_a${out.components[1]}` };
    if (epilogue.dtype === 'f32') return [`return ${epilogue.apply(value, coords, 're')};`];
    return ['if (_part == 0) {', `  return ${epilogue.apply(value, coords, 're')};`, '}', `return ${epilogue.apply(value, coords, 'im')};`];
  }
  const m = out.components.length;
  return out.components.map((c, j) => {
    const outCoords = m === 1 ? coords : [...coords, String(j)];
    const expr = epilogue.apply({ re: `_a${c}`, im: '0.0' }, outCoords, 're');
    return j === m - 1 ? `return ${expr};` : `if (_part == ${j}) {\n  return ${expr};\n}`;
  });
}

