/**
 * vmap: vectorising map over pytrees of tensors, as in JAX. vmap(f)(xs) computes f on every
 * slice of xs along a mapped axis and stacks the results, but as one batched program: f is
 * traced once for a single example and every equation is rewritten by its batching rule
 * (compiler/batching). The batched equations go to the current trace, so vmap composes with
 * jit, grad, jvp and itself, and compiled batched code fuses like code written for the batch.
 *
 * `inAxes` says where each argument is mapped: a number (negative counts from the end), null
 * (not mapped: every example sees the whole value), or, per positional argument, a tree that
 * is a prefix of the argument's tree. `outAxes` does the same for the result. Non-tensor leaves
 * (numbers, strings) are passed through unmapped.
 */
import { batchIR, type BatchedValue } from '../compiler/batching/transform';
import { type BatchDim, moveAxis, withBatchAt } from '../compiler/batching/rules';
import { showShape } from '../compiler/shape';
import { traceFlat } from '../compiler/tracer';
import { isJitted, jit } from './jit';
import { flatten, type TreeDef, unflatten } from './pytree';
import type { Tensor } from './tensor';

/** An axis for every leaf under a tree node: a number, null, or a tree of them matching the node. */
export type AxisSpec = number | null | readonly AxisSpec[] | { readonly [key: string]: AxisSpec };

export interface VmapOptions {
  /** Mapped axis of the arguments: one for all, or one entry (a prefix tree) per positional argument. Default 0. */
  readonly inAxes?: number | null | readonly AxisSpec[];
  /** Where the mapped axis goes in the result (a prefix tree of the result; null: not mapped). Default 0. */
  readonly outAxes?: AxisSpec;
  /** The batch size, required when no argument is mapped. */
  readonly axisSize?: number;
}

/** A tree type with tensor shapes loosened (the batched values have one more axis). */
export type BatchedTree<T> =
  T extends Tensor<infer D>
    ? Tensor<D>
    : T extends Promise<infer U>
      ? Promise<BatchedTree<U>>
      : T extends (...args: never[]) => unknown
        ? T
        : T extends object
          ? { [K in keyof T]: BatchedTree<T[K]> }
          : T;

interface LeafAxis {
  readonly axis: number | null;
  readonly path: string;
}

const describe = (spec: AxisSpec): string => (Array.isArray(spec) ? `a list of ${spec.length}` : spec === null ? 'null' : typeof spec === 'object' ? 'a record' : String(spec));

/** One axis per tensor leaf of `def`, from a spec that is a prefix of the tree. */
function leafAxes(option: string, spec: AxisSpec | undefined, def: TreeDef, path: string, out: LeafAxis[]): void {
  if (spec === undefined) throw new TypeError(`vmap: ${option} gives no axis for ${path}`);
  if (spec === null || typeof spec === 'number') {
    if (spec !== null && !Number.isInteger(spec)) throw new TypeError(`vmap: ${option} for ${path} must be an integer or null, got ${spec}`);
    const walk = (d: TreeDef, p: string): void => {
      if (d.kind === 'leaf') out.push({ axis: spec, path: p });
      else if (d.kind === 'array') d.children.forEach((c, i) => walk(c, `${p}[${i}]`));
      else if (d.kind === 'record') d.children.forEach((c, i) => walk(c, `${p}.${d.keys[i]}`));
    };
    walk(def, path);
    return;
  }
  const mismatch = (what: string): never => {
    throw new TypeError(`vmap: ${option} at ${path} is ${describe(spec)}, but the value there is ${what}`);
  };
  switch (def.kind) {
    case 'static':
      return;
    case 'leaf':
      return mismatch('a tensor');
    case 'array':
      if (!Array.isArray(spec)) return mismatch(`a list of ${def.children.length}`);
      if ((spec as readonly AxisSpec[]).length !== def.children.length) return mismatch(`a list of ${def.children.length}`);
      def.children.forEach((c, i) => leafAxes(option, (spec as readonly AxisSpec[])[i], c, `${path}[${i}]`, out));
      return;
    case 'record': {
      if (Array.isArray(spec)) return mismatch(`a record with keys ${def.keys.join(', ')}`);
      const rec = spec as { readonly [key: string]: AxisSpec };
      const keys = Object.keys(rec).sort();
      if (keys.join() !== def.keys.join()) return mismatch(`a record with keys ${def.keys.join(', ')} (the spec has ${keys.join(', ') || 'none'})`);
      def.children.forEach((c, i) => leafAxes(option, rec[def.keys[i]], c, `${path}.${def.keys[i]}`, out));
    }
  }
}

/** The argument leaves' axes: one spec for all arguments, or a list with one entry per argument. */
function inputAxes(inAxes: VmapOptions['inAxes'], def: TreeDef, nArgs: number): LeafAxis[] {
  const out: LeafAxis[] = [];
  const spec = inAxes === undefined ? 0 : inAxes;
  if (Array.isArray(spec) && spec.length !== nArgs) {
    throw new TypeError(`vmap: inAxes has ${spec.length} entries, one per positional argument, but the function was called with ${nArgs}`);
  }
  if (def.kind !== 'array') throw new Error('vmap: internal: the arguments do not flatten to a list');
  def.children.forEach((c, i) => leafAxes('inAxes', Array.isArray(spec) ? (spec as readonly AxisSpec[])[i] : (spec as number | null), c, `args[${i}]`, out));
  return out;
}

function normalize(option: string, axis: number | null, rank: number, shape: readonly number[], path: string): BatchDim {
  if (axis === null) return null;
  const a = axis < 0 ? axis + rank : axis;
  if (!(a >= 0 && a < rank)) {
    throw new RangeError(`vmap: ${option} ${axis} for ${path} is out of range for ${rank === shape.length ? 'a tensor' : 'a result'} of shape ${showShape(shape)}${rank === shape.length ? '' : ' (per example)'}`);
  }
  return a;
}

/** The common size of the mapped axes, or a clear error listing every mapped argument. */
function batchSize(leaves: readonly Tensor[], dims: readonly BatchDim[], paths: readonly string[], axisSize: number | undefined): number {
  const mapped = leaves.flatMap((t, i) => (dims[i] === null ? [] : [{ path: paths[i], size: t.shape[dims[i] as number], axis: dims[i] as number, shape: t.shape }]));
  const sizes = new Set(mapped.map((m) => m.size));
  if (axisSize !== undefined) {
    if (!(Number.isInteger(axisSize) && axisSize >= 0)) throw new RangeError(`vmap: axisSize must be a non-negative integer, got ${axisSize}`);
    sizes.add(axisSize);
  }
  if (sizes.size > 1) {
    const list = mapped.map((m) => `${m.path} has size ${m.size} at axis ${m.axis} (shape ${showShape(m.shape)})`);
    if (axisSize !== undefined) list.push(`axisSize is ${axisSize}`);
    throw new RangeError(`vmap: the mapped axes must all have the same size, but ${list.join('; ')}`);
  }
  if (sizes.size === 0) throw new TypeError('vmap: no argument is mapped (every inAxes entry is null and there is no tensor to map); pass axisSize');
  return [...sizes][0];
}

/** vmap(f, { inAxes, outAxes, axisSize })(...args): f mapped over an axis of its arguments. */
export function vmap<A extends unknown[], R>(f: (...args: A) => R, opts: VmapOptions = {}): (...args: BatchedTree<A>) => BatchedTree<R> {
  if (isJitted(f)) return jit(vmap(f.fun as (...args: A) => unknown, opts), f.options) as never;
  return ((...args: unknown[]) => {
    const [leafValues, inDef] = flatten(args);
    const leaves = leafValues as Tensor[];
    const axes = inputAxes(opts.inAxes, inDef, args.length);
    const dims = leaves.map((t, i) => normalize('inAxes', axes[i].axis, t.ndim, t.shape, axes[i].path));
    const size = batchSize(leaves, dims, axes.map((a) => a.path), opts.axisSize);
    const exampleAvals = leaves.map((t, i) => ({ shape: t.shape.filter((_, j) => j !== dims[i]), dtype: t.dtype }));
    let outDef: TreeDef | undefined;
    const traced = traceFlat((...xs) => {
      const [outs, def] = flatten((f as (...a: unknown[]) => unknown)(...unflatten<unknown[]>(inDef, xs)));
      outDef = def;
      return outs as Tensor[];
    }, exampleAvals);
    const ins: BatchedValue[] = leaves.map((value, i) => ({ value, dim: dims[i] }));
    const outs = batchIR(traced.ir, traced.consts, ins, size);
    const def = outDef as TreeDef;
    const outAxes: LeafAxis[] = [];
    leafAxes('outAxes', opts.outAxes === undefined ? 0 : opts.outAxes, def, 'output', outAxes);
    const results = outs.map(({ value, dim }, i) => {
      const { axis, path } = outAxes[i];
      const exampleShape = traced.ir.outAtoms[i].aval.shape;
      const to = normalize('outAxes', axis, exampleShape.length + 1, exampleShape, path);
      if (to === null) {
        if (dim !== null) throw new Error(`vmap: outAxes is null for ${path}, but that result varies along the mapped axis`);
        return value;
      }
      return dim === null ? withBatchAt(value, null, size, to) : moveAxis(value, dim, to);
    });
    return unflatten(def, results);
  }) as never;
}
