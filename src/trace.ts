/**
 * Tracing entry points: makeIR(f)(...args) turns a function over pytrees of tensors into an
 * IR (arguments given as example tensors or as shape specs), and `checked` runs a function
 * with fp-ts errors as values instead of exceptions.
 */
import * as E from 'fp-ts/Either';
import type { DType } from '../compiler/dtype';
import { ShapeDtypeError } from '../compiler/errors';
import type { AVal, IR } from '../compiler/ir';
import { printIR } from '../compiler/printer';
import type { Shape } from '../compiler/shape';
import { traceFlat } from '../compiler/tracer';
import { flatten, type TreeDef, unflatten } from './pytree';
import { Tensor } from './tensor';

/** An abstract argument: a shape and dtype without values. */
export interface ShapeSpec<D extends DType = DType, S extends Shape = Shape> {
  readonly kind: 'spec';
  readonly shape: S;
  readonly dtype: D;
}

export const spec = <const S extends Shape, D extends DType = 'f32'>(shape: S, dtype?: D): ShapeSpec<D, S> => ({
  kind: 'spec',
  shape,
  dtype: (dtype ?? 'f32') as D,
});

const isSpec = (x: unknown): x is ShapeSpec => typeof x === 'object' && x !== null && (x as ShapeSpec).kind === 'spec';
export const isArgLeaf = (x: unknown): boolean => x instanceof Tensor || isSpec(x);

export const avalOf = (x: Tensor | ShapeSpec): AVal => (x instanceof Tensor ? x.aval : { shape: [...x.shape], dtype: x.dtype });

export interface TracedProgram {
  readonly ir: IR;
  /** Values of ir.constVars: captured tensors (concrete, or tracers of an enclosing trace). */
  readonly consts: readonly Tensor[];
  readonly inDef: TreeDef;
  readonly outDef: TreeDef;
  toString(): string;
}

/**
 * A traced function's result holds tensors and static data, never functions: a function there
 * is almost always a data-last op (`T.mul(y)`) whose data argument was missing.
 */
function checkOutput(def: TreeDef, path: string): void {
  if (def.kind === 'static' && typeof def.value === 'function') {
    throw new TypeError(
      `the transformed function returned a function${path ? ` at '${path}'` : ''} instead of a tensor ` +
        '(a data-last op such as T.mul(y) given one argument returns a function)',
    );
  }
  if (def.kind === 'array') def.children.forEach((c, i) => checkOutput(c, `${path}[${i}]`));
  if (def.kind === 'record') def.children.forEach((c, i) => checkOutput(c, path ? `${path}.${def.keys[i]}` : def.keys[i]));
}

/** Traces `f` on pytree arguments whose leaves are tensors or specs. */
export function traceTree(f: (...args: never[]) => unknown, args: readonly unknown[]): TracedProgram {
  const [leaves, inDef] = flatten(args, isArgLeaf);
  let outDef: TreeDef | undefined;
  const { ir, consts } = traceFlat((...flat) => {
    const out = (f as (...a: unknown[]) => unknown)(...unflatten<unknown[]>(inDef, flat));
    const [outs, def] = flatten(out);
    checkOutput(def, '');
    outDef = def;
    return outs as Tensor[];
  }, leaves.map((l) => avalOf(l as Tensor | ShapeSpec)));
  const def = outDef as TreeDef;
  return { ir, consts, inDef, outDef: def, toString: () => printIR(ir) };
}

/** makeIR(f)(...args): the IR of f at these argument shapes and dtypes. */
export const makeIR =
  <A extends unknown[]>(f: (...args: A) => unknown) =>
  (...args: { [K in keyof A]: unknown }): TracedProgram =>
    traceTree(f as never, args);

/** Runs f, returning shape/dtype and other errors as an fp-ts Left instead of throwing. */
export const checked =
  <A extends unknown[], R>(f: (...args: A) => R) =>
  (...args: A): E.Either<ShapeDtypeError | Error, R> =>
    E.tryCatch(
      () => f(...args),
      (e) => (e instanceof Error ? e : new Error(String(e))),
    );
