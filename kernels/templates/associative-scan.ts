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
 * both ends). A thread computes one component, so it only folds the
 * components that one depends on (see fold.ts).
 */
import { type Dtype, type Epilogue, type Operand, identityEpilogue, operandOf, widthOf } from '../operand';
import { type Binding, type BufferRef, PlanBuilder, mergeBindings } from '../plan';
import { indent, int, product } from '../source';
import {
  type FoldInput, type FoldOutput, type FoldProblem, checkFoldOutput, closure, foldLoop, levelRead, planarPrologue, prepareFold, readElement,
  rightNeeds, upSweep, writeComponents,
} from './fold';

export interface ScanOptions extends FoldInput {
  readonly name?: string;
  /** Scan from the last element to the first. */
  readonly reverse?: boolean;
  /** Tree fanout F >= 2 (default 8). */
  readonly fanout?: number;
  /**
   * Which prefix components to write and as what: one component as f32, two
   * as c64 (re, im), more as f32 with a trailing axis of that many.
   */
  readonly output?: FoldOutput;
  readonly epilogue?: Epilogue;
}

/**
 * Down-sweep fold for one thread at position _p of group _g: the group's
 * first node, combined with the parent's prefix of the preceding groups
 * when there is a parent level, then the rest of the group up to _p.
 */
function downFold(p: FoldProblem, comps: readonly number[], read: (c: number, s: string) => string, nParent: number): string[] {
  const first = [...new Set([...comps, ...rightNeeds(comps, p.deps)])].sort((a, b) => a - b);
  const lines = first.map((i) => `const _f${i} = ${read(i, '0')};`);
  lines.push(...comps.map((i) => `let _a${i} = _f${i};`));
  if (nParent > 0) {
    const seeded = p.opts.combine(
      Array.from({ length: p.k }, (_, i) => `_pv${i}`),
      Array.from({ length: p.k }, (_, i) => `_f${i}`),
    );
    lines.push('if (_g > 0) {');
    lines.push(...comps.map((i) => `  const _pv${i} = ${levelRead('_par', p, nParent, i, '_g - 1')};`));
    lines.push(...comps.map((i) => `  const _m${i} = ${seeded[i]};`));
    lines.push(...comps.map((i) => `  _a${i} = _m${i};`));
    lines.push('}');
  }
  lines.push(...foldLoop(p, comps, `_p - _g * ${int(p.F)}`, read));
  return lines;
}

/** Adds the scan's kernels to `builder`; returns the scanned operand. */
export function associativeScan(builder: PlanBuilder, opts: ScanOptions): Operand {
  const name = opts.name ?? 'scan';
  const p = prepareFold({ ...opts, name, fanout: opts.fanout ?? 8 }, 'associativeScan');
  const { where, k, F, T, sizes } = p;
  const outSpec = opts.output ?? { components: Array.from({ length: k }, (_, i) => i), dtype: 'f32' as Dtype };
  const epilogue = opts.epilogue ?? identityEpilogue(outSpec.dtype);
  checkFoldOutput(p, outSpec, epilogue);
  const L = sizes.length - 1;

  const levels = upSweep(builder, p);

  // down-sweep: inclusive prefixes at levels L..1 (planar)
  let parent: BufferRef | null = null;
  for (let l = L; l >= 1; l--) {
    const n = sizes[l];
    const read = (c: number, s: string) => levelRead('_lvl', p, n, c, `_g * ${int(F)} + ${s}`);
    const branches: string[] = [];
    for (let c = 0; c < k; c++) {
      const fold = downFold(p, closure([c], p.deps), read, parent ? sizes[l + 1] : 0);
      branches.push(`if (_c == ${c}) {`, indent([...fold, `return _a${c};`].join('\n')), '}');
    }
    const bindings: Binding[] = [{ param: '_lvl', buffer: levels[l - 1] }];
    if (parent) bindings.push({ param: '_par', buffer: parent });
    const body = [...planarPrologue(p, n), `const _g = Math.floor(_p / ${int(F)});`, ...branches, 'return 0.0;'].join('\n');
    parent = builder.launch(`${name}_down${l}`, bindings, body, [k * p.outer * n * p.inner]);
  }

  // level 0: the scan itself, written in the tensor layout [outer, T, inner, width]
  const m = outSpec.components.length;
  const outShape = outSpec.dtype === 'c64' || m === 1 ? opts.shape : [...opts.shape, m];
  const outWidth = outSpec.dtype === 'c64' ? widthOf(epilogue.dtype) : m;
  const prologue = [
    'const _cell = this.thread.x;',
    `const _q = Math.floor(_cell / ${int(outWidth)});`,
    `const _part = _cell - _q * ${int(outWidth)};`,
    `const _o = Math.floor(_q / ${int(T * p.inner)});`,
    `const _r1 = _q - _o * ${int(T * p.inner)};`,
    `const _t = Math.floor(_r1 / ${int(p.inner)});`,
    `const _in = _r1 - _t * ${int(p.inner)};`,
    opts.reverse ? `const _p = ${int(T - 1)} - _t;` : 'const _p = _t;',
    ...p.lineStatements,
    `const _g = Math.floor(_p / ${int(F)});`,
  ];
  const fold = downFold(p, closure(outSpec.components, p.deps), (c, s) => readElement(p, c, `_g * ${int(F)} + ${s}`), L > 0 ? sizes[1] : 0);
  const writes = writeComponents(outSpec, epilogue, p.coordsAt('_p'));
  const bindings = mergeBindings(where, opts.bindings, epilogue.bindings, parent ? [{ param: '_par', buffer: parent }] : []);
  const result = builder.launch(`${name}_out`, bindings, [...prologue, ...fold, ...writes].join('\n'), [product(opts.shape) * outWidth]);
  return operandOf(result, outShape, epilogue.dtype);
}
