/**
 * Generic inclusive associative scan along one axis, as a fanout-F tree scan
 * (Blelloch's up-sweep / down-sweep generalised to F children per node,
 * with sequential folds of at most F elements per thread).
 *
 * Elements are tuples of `components` floats; `combine(left, right)` is a
 * source snippet per component, `left` the earlier prefix. With T elements
 * per scan line and levels n_0 = T, n_{l+1} = ceil(n_l / F) down to n_L <= F:
 *
 *   up-sweep    v_{l+1}[j] = v_l[jF] o ... o v_l[min(jF+F, n_l) - 1]
 *   down-sweep  S_L[j] = v_L[0] o ... o v_L[j]
 *               S_l[j] = S_{l+1}[g-1] o v_l[gF] o ... o v_l[j],  g = floor(j/F)
 *
 * S_0 is the scan. Work is O(T F) with 2L+1 kernels, L = ceil(log_F T) - 1;
 * v_0 is never materialised (elements are read through the caller's hook at
 * both ends). Intermediate levels are stored component-planar:
 * [component][outer][n_l][inner].
 *
 * A thread computes one component, so it only folds the components that one
 * depends on (found by scanning the combine snippets for component names).
 */
import { type Dtype, type Epilogue, type Operand, identityEpilogue, operandOf, widthOf } from '../operand';
import { type Binding, type BufferRef, PlanBuilder, assertCallerBindings, mergeBindings } from '../plan';
import { type Shape, assertShape, indent, int, product, unravel } from '../source';

export interface ScanOptions {
  readonly name?: string;
  /** Shape of the element grid; the scan runs along `axis`. */
  readonly shape: Shape;
  readonly axis: number;
  /** Scan from the last element to the first. */
  readonly reverse?: boolean;
  /** Floats per tuple. */
  readonly components: number;
  readonly bindings: readonly Binding[];
  /** Component expressions of the element at `coords` (coords[axis] is the position). */
  readonly element: (coords: readonly string[]) => readonly string[];
  /** Component expressions of left o right, from component variable names. */
  readonly combine: (left: readonly string[], right: readonly string[]) => readonly string[];
  /** Tree fanout F >= 2 (default 8). */
  readonly fanout?: number;
  /**
   * Which prefix components to write and as what: one component as f32, two
   * as c64 (re, im), more as f32 with a trailing axis of that many.
   */
  readonly output?: { readonly components: readonly number[]; readonly dtype: Dtype };
  readonly epilogue?: Epilogue;
}

interface Dependencies {
  /** For each component i of combine(L, R): the L components it reads. */
  readonly left: readonly (readonly number[])[];
  readonly right: readonly (readonly number[])[];
}

function analyse(k: number, combine: ScanOptions['combine'], where: string): Dependencies {
  const L = Array.from({ length: k }, (_, i) => `_L${i}`);
  const R = Array.from({ length: k }, (_, i) => `_R${i}`);
  const exprs = combine(L, R);
  if (exprs.length !== k) throw new Error(`${where}: combine returned ${exprs.length} components, expected ${k}`);
  const refs = (e: string, tag: string) =>
    [...new Set([...e.matchAll(new RegExp(`\\b${tag}(\\d+)\\b`, 'g'))].map((m) => Number(m[1])))];
  return { left: exprs.map((e) => refs(e, '_L')), right: exprs.map((e) => refs(e, '_R')) };
}

/** Components needed to compute all of `wanted` through repeated folding. */
function closure(wanted: readonly number[], deps: Dependencies): number[] {
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

function rightNeeds(comps: readonly number[], deps: Dependencies): number[] {
  return [...new Set(comps.flatMap((i) => deps.right[i]))].sort((a, b) => a - b);
}

/** Scan geometry shared by all levels. */
interface Geometry {
  readonly outer: number;
  readonly inner: number;
  readonly T: number;
  readonly k: number;
  readonly F: number;
}

/** A level buffer read: component c of node `pos` on scan line (o, in). */
function levelRead(param: string, g: Geometry, n: number, c: number, pos: string): string {
  const line = g.outer === 1 ? '' : `_o * ${int(n * g.inner)} + `;
  const inner = g.inner === 1 ? `(${pos})` : `(${pos}) * ${int(g.inner)} + _in`;
  return `${param}[${int(c * g.outer * n * g.inner)} + ${line}${inner}]`;
}

/**
 * Fold statements: `_a{i}` for i in comps starts from `init(i)`, then folds
 * positions start + s for s = 1 .. F-1 while s <= last (an expression).
 */
function foldLoop(comps: readonly number[], deps: Dependencies, F: number, last: string,
  read: (c: number, s: string) => string, combine: ScanOptions['combine'], k: number): string[] {
  const needR = rightNeeds(comps, deps);
  const acc = Array.from({ length: k }, (_, i) => `_a${i}`);
  const val = Array.from({ length: k }, (_, i) => `_v${i}`);
  const exprs = combine(acc, val);
  if (F < 2) return [];
  return [
    `for (let _s = 1; _s < ${int(F)}; _s++) {`,
    `  if (_s <= ${last}) {`,
    ...needR.map((c) => `    const _v${c} = ${read(c, '_s')};`),
    ...comps.map((c) => `    const _n${c} = ${exprs[c]};`),
    ...comps.map((c) => `    _a${c} = _n${c};`),
    '  }',
    '}',
  ];
}

/** Binds _o, _in and the element coordinates for position `pos` of the scan line. */
function lineCoords(shape: Shape, axis: number, reverse: boolean, T: number): {
  statements: string[];
  coordsAt: (pos: string) => string[];
} {
  const outerShape = shape.slice(0, axis);
  const innerShape = shape.slice(axis + 1);
  const outerU = unravel('_o', outerShape, '_io');
  const innerU = unravel('_in', innerShape, '_ii');
  return {
    statements: [...outerU.statements, ...innerU.statements],
    coordsAt: (pos) => [...outerU.coords, reverse ? `${int(T - 1)} - (${pos})` : `(${pos})`, ...innerU.coords],
  };
}

/** Adds the scan's kernels to `builder`; returns the scanned operand. */
export function associativeScan(builder: PlanBuilder, opts: ScanOptions): Operand {
  const where = `associativeScan '${opts.name ?? 'scan'}'`;
  const name = opts.name ?? 'scan';
  assertShape(opts.shape, where);
  const { shape, axis } = opts;
  if (!Number.isInteger(axis) || axis < 0 || axis >= shape.length) {
    throw new Error(`${where}: axis ${axis} out of range for shape [${shape.join(', ')}]`);
  }
  const k = opts.components;
  if (!Number.isInteger(k) || k < 1) throw new Error(`${where}: components must be a positive integer`);
  const F = opts.fanout ?? 8;
  if (!Number.isInteger(F) || F < 2) throw new Error(`${where}: fanout must be an integer >= 2, got ${F}`);
  const outSpec = opts.output ?? { components: Array.from({ length: k }, (_, i) => i), dtype: 'f32' as Dtype };
  if (outSpec.dtype === 'c64' && outSpec.components.length !== 2) {
    throw new Error(`${where}: c64 output needs exactly 2 components, got ${outSpec.components.length}`);
  }
  if (outSpec.components.some((c) => !Number.isInteger(c) || c < 0 || c >= k)) {
    throw new Error(`${where}: output components [${outSpec.components.join(', ')}] out of range 0..${k - 1}`);
  }
  const deps = analyse(k, opts.combine, where);
  assertCallerBindings(opts.bindings, where);
  const reverse = opts.reverse ?? false;
  const T = shape[axis];
  const g: Geometry = { outer: product(shape.slice(0, axis)), inner: product(shape.slice(axis + 1)), T, k, F };
  const line = lineCoords(shape, axis, reverse, T);
  const readElement = (c: number, pos: string) => opts.element(line.coordsAt(pos))[c];

  // level sizes n_0 = T > n_1 > ... > n_L, with n_L <= F
  const sizes = [T];
  while (sizes[sizes.length - 1] > F) sizes.push(Math.ceil(sizes[sizes.length - 1] / F));
  const L = sizes.length - 1;

  /** Planar level thread prologue: binds _c, _o, _p, _in. */
  const planarPrologue = (n: number) => [
    'const _cell = this.thread.x;',
    `const _c = Math.floor(_cell / ${int(g.outer * n * g.inner)});`,
    `const _r0 = _cell - _c * ${int(g.outer * n * g.inner)};`,
    `const _o = Math.floor(_r0 / ${int(n * g.inner)});`,
    `const _r1 = _r0 - _o * ${int(n * g.inner)};`,
    `const _p = Math.floor(_r1 / ${int(g.inner)});`,
    `const _in = _r1 - _p * ${int(g.inner)};`,
    ...line.statements,
  ];

  // ---- up-sweep: levels 1..L
  const levels: BufferRef[] = [];
  for (let l = 1; l <= L; l++) {
    const nPrev = sizes[l - 1];
    const prev = l === 1 ? null : levels[l - 2];
    const read = (c: number, s: string) =>
      prev ? levelRead('_lvl', g, nPrev, c, `_p * ${int(F)} + ${s}`) : readElement(c, `_p * ${int(F)} + ${s}`);
    const branches: string[] = [];
    for (let c = 0; c < k; c++) {
      const comps = closure([c], deps);
      branches.push(
        `if (_c == ${c}) {`,
        indent([
          ...comps.map((i) => `let _a${i} = ${read(i, '0')};`),
          `const _last = ${int(nPrev - 1)} - _p * ${int(F)};`,
          ...foldLoop(comps, deps, F, '_last', read, opts.combine, k),
          `return _a${c};`,
        ].join('\n')),
        '}',
      );
    }
    const bindings = prev ? [{ param: '_lvl', buffer: prev }] : opts.bindings;
    const body = [...planarPrologue(sizes[l]), ...branches, 'return 0.0;'].join('\n');
    levels.push(builder.launch(`${name}_up${l}`, bindings, body, [k * g.outer * sizes[l] * g.inner]));
  }

  // ---- down-sweep: prefixes at levels L..1 (planar), then level 0 (output)
  let parent: BufferRef | null = null;
  for (let l = L; l >= 1; l--) {
    const n = sizes[l];
    const own = levels[l - 1];
    const read = (c: number, s: string) => levelRead('_lvl', g, n, c, `_g * ${int(F)} + ${s}`);
    const branches: string[] = [];
    for (let c = 0; c < k; c++) {
      const comps = closure([c], deps);
      branches.push(`if (_c == ${c}) {`, indent([...downFold(comps, read, parent ? sizes[l + 1] : 0), `return _a${c};`].join('\n')), '}');
    }
    const bindings: Binding[] = [{ param: '_lvl', buffer: own }];
    if (parent) bindings.push({ param: '_par', buffer: parent });
    const body = [...planarPrologue(n), `const _g = Math.floor(_p / ${int(F)});`, ...branches, 'return 0.0;'].join('\n');
    parent = builder.launch(`${name}_down${l}`, bindings, body, [k * g.outer * n * g.inner]);
  }

  /**
   * Down-sweep fold for one thread: the group's first element, combined
   * with the parent's prefix of the preceding groups when there is one,
   * then the rest of the group up to position _p.
   */
  function downFold(comps: readonly number[], read: (c: number, s: string) => string, nParent: number): string[] {
    const first = [...new Set([...comps, ...rightNeeds(comps, deps)])].sort((a, b) => a - b);
    const lines = first.map((i) => `const _f${i} = ${read(i, '0')};`);
    lines.push(...comps.map((i) => `let _a${i} = _f${i};`));
    if (nParent > 0) {
      const seeded = opts.combine(
        Array.from({ length: k }, (_, i) => `_pv${i}`),
        Array.from({ length: k }, (_, i) => `_f${i}`),
      );
      lines.push('if (_g > 0) {');
      lines.push(...comps.map((i) => `  const _pv${i} = ${levelRead('_par', g, nParent, i, '_g - 1')};`));
      lines.push(...comps.map((i) => `  const _m${i} = ${seeded[i]};`));
      lines.push(...comps.map((i) => `  _a${i} = _m${i};`));
      lines.push('}');
    }
    lines.push(...foldLoop(comps, deps, F, `_p - _g * ${int(F)}`, read, opts.combine, k));
    return lines;
  }

  // ---- level 0: the scan itself, in the output layout
  const m = outSpec.components.length;
  const outDtype = outSpec.dtype;
  const outShape = outDtype === 'c64' || m === 1 ? shape : [...shape, m];
  const epilogue = opts.epilogue ?? identityEpilogue(outDtype);
  if (outDtype === 'f32' && epilogue.dtype !== 'f32') {
    throw new Error(`${where}: an f32 scan output takes an f32 epilogue`);
  }
  assertCallerBindings(epilogue.bindings, where);
  const outWidth = outDtype === 'c64' ? widthOf(epilogue.dtype) : m;
  const comps = closure(outSpec.components, deps);
  const prologue = [
    'const _cell = this.thread.x;',
    `const _q = Math.floor(_cell / ${int(outWidth)});`,
    `const _part = _cell - _q * ${int(outWidth)};`,
    `const _o = Math.floor(_q / ${int(T * g.inner)});`,
    `const _r1 = _q - _o * ${int(T * g.inner)};`,
    `const _t = Math.floor(_r1 / ${int(g.inner)});`,
    `const _in = _r1 - _t * ${int(g.inner)};`,
    reverse ? `const _p = ${int(T - 1)} - _t;` : 'const _p = _t;',
    ...line.statements,
    `const _g = Math.floor(_p / ${int(F)});`,
  ];
  const read0 = (c: number, s: string) => readElement(c, `_g * ${int(F)} + ${s}`);
  const fold = downFold(comps, read0, L > 0 ? sizes[1] : 0);
  const coords = line.coordsAt('_p');
  const writes = emitOutputWrites(outSpec, epilogue, coords, m);
  const bindings = mergeBindings(where, opts.bindings, epilogue.bindings, parent ? [{ param: '_par', buffer: parent }] : []);
  const body = [...prologue, ...fold, ...writes].join('\n');
  const result = builder.launch(`${name}_out`, bindings, body, [product(shape) * outWidth]);
  return operandOf(result, outShape, epilogue.dtype);
}

/** Return statements selecting the written float by `_part`. */
function emitOutputWrites(out: { components: readonly number[]; dtype: Dtype }, epilogue: Epilogue, coords: readonly string[], m: number): string[] {
  if (out.dtype === 'c64') {
    const value = { re: `_a${out.components[0]}`, im: `_a${out.components[1]}` };
    if (epilogue.dtype === 'f32') return [`return ${epilogue.apply(value, coords, 're')};`];
    return [`if (_part == 0) {`, `  return ${epilogue.apply(value, coords, 're')};`, '}', `return ${epilogue.apply(value, coords, 'im')};`];
  }
  const lines: string[] = [];
  out.components.forEach((c, j) => {
    const outCoords = m === 1 ? coords : [...coords, String(j)];
    const expr = epilogue.apply({ re: `_a${c}`, im: '0.0' }, outCoords, 're');
    lines.push(j === m - 1 ? `return ${expr};` : `if (_part == ${j}) {\n  return ${expr};\n}`);
  });
  return lines;
}
