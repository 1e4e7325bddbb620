/**
 * Reductions along one axis (sum, max, min, argmax, argmin, or any
 * associative combine over tuples) as a fanout-F tree: the up-sweep of
 * fold.ts until at most F nodes remain per line, then one kernel folding
 * those into the output. Each thread folds at most F nodes, so a line of
 * length T costs ceil(log_F T) kernels and O(T) work; summation error grows
 * with F * log_F T rather than T.
 *
 * The output drops the reduced axis (a rank-1 input reduces to shape [1]).
 * argmax/argmin return the first index of the extremum as f32. Comparisons
 * involving NaN follow each backend's float semantics (not specified).
 */
import { type Dtype, type Epilogue, type Operand, identityEpilogue, operandOf, widthOf } from '../operand';
import { PlanBuilder, mergeBindings } from '../plan';
import { int, product } from '../source';
import {
  type Combine, type FoldInput, type FoldOutput, checkFoldOutput, closure, groupFold, levelReader, prepareFold, upSweep, writeComponents,
} from './fold';

export interface AssociativeReduceOptions extends FoldInput {
  readonly name?: string;
  /** Tree fanout F >= 2 (default 16). */
  readonly fanout?: number;
  readonly output?: FoldOutput;
  readonly epilogue?: Epilogue;
}

/** Generic tree reduction of tuples along `axis`. */
export function associativeReduce(builder: PlanBuilder, opts: AssociativeReduceOptions): Operand {
  const name = opts.name ?? 'reduce';
  const p = prepareFold({ ...opts, name, fanout: opts.fanout ?? 16 }, 'associativeReduce');
  const out = opts.output ?? { components: Array.from({ length: p.k }, (_, i) => i), dtype: 'f32' as Dtype };
  const epilogue = opts.epilogue ?? identityEpilogue(out.dtype);
  checkFoldOutput(p, out, epilogue);
  const levels = upSweep(builder, p);
  const L = p.sizes.length - 1;
  const top = L === 0 ? null : levels[L - 1];

  const reducedShape = opts.shape.filter((_, i) => i !== opts.axis);
  const baseShape = reducedShape.length === 0 ? [1] : reducedShape;
  const m = out.components.length;
  const outShape = out.dtype === 'c64' || m === 1 ? baseShape : [...baseShape, m];
  const width = out.dtype === 'c64' ? widthOf(epilogue.dtype) : m;
  const prologue = [
    'const _cell = this.thread.x;',
    `const _q = Math.floor(_cell / ${int(width)});`,
    `const _part = _cell - _q * ${int(width)};`,
    `const _o = Math.floor(_q / ${int(p.inner)});`,
    `const _in = _q - _o * ${int(p.inner)};`,
    ...p.lineStatements,
  ];
  const fold = groupFold(p, closure(out.components, p.deps), '0', p.sizes[L], levelReader(p, L + 1, top));
  const coords = reducedShape.length === 0 ? ['0'] : p.coordsAt('0').filter((_, i) => i !== opts.axis);
  const writes = writeComponents(out, epilogue, coords);
  const bindings = mergeBindings(p.where, top ? [{ param: '_lvl', buffer: top }] : opts.bindings, epilogue.bindings);
  const result = builder.launch(`${name}_out`, bindings, [...prologue, ...fold, ...writes].join('\n'), [product(baseShape) * width]);
  return operandOf(result, outShape, epilogue.dtype);
}

export type ReduceOp = 'sum' | 'max' | 'min' | 'argmax' | 'argmin';

export interface ReduceOptions {
  readonly name?: string;
  readonly input: Operand;
  readonly axis: number;
  readonly op: ReduceOp;
  readonly fanout?: number;
  readonly epilogue?: Epilogue;
}

/** Extremum combine over (value, index): the later element wins only if strictly better. */
function extremum(better: '>' | '<'): Combine {
  return (l, r) => [`(${r[0]} ${better} ${l[0]} ? ${r[0]} : ${l[0]})`, `(${r[0]} ${better} ${l[0]} ? ${r[1]} : ${l[1]})`];
}

export function reduce(builder: PlanBuilder, opts: ReduceOptions): Operand {
  const { input, axis, op } = opts;
  const name = opts.name ?? op;
  const complex = input.dtype === 'c64';
  if (complex && op !== 'sum') throw new Error(`reduce '${name}': ${op} is not defined for c64 input`);
  const common = { name, shape: input.shape, axis, bindings: input.bindings, fanout: opts.fanout, epilogue: opts.epilogue };
  if (op === 'sum') {
    return associativeReduce(builder, {
      ...common,
      components: complex ? 2 : 1,
      element: (coords) => (complex ? [input.read(coords, 're'), input.read(coords, 'im')] : [input.read(coords, 're')]),
      combine: (l, r) => l.map((x, i) => `${x} + ${r[i]}`),
      output: complex ? { components: [0, 1], dtype: 'c64' } : { components: [0], dtype: 'f32' },
    });
  }
  const better = op === 'max' || op === 'argmax' ? '>' : '<';
  return associativeReduce(builder, {
    ...common,
    components: 2,
    element: (coords) => [input.read(coords, 're'), `(${coords[axis]}) * 1.0`],
    combine: extremum(better),
    output: { components: [op.startsWith('arg') ? 1 : 0], dtype: 'f32' },
  });
}
