/**
 * Differentiation for users: grad, valueAndGrad (with hasAux and argnums), vjp and jvp over
 * pytrees of tensors. Each traces the function to an IR, transforms the IR (compiler/autodiff)
 * and runs the result: eagerly through the interpreter, or inlined into an enclosing trace,
 * so grad(grad(f)) and jit(grad(f)) are ordinary compositions.
 *
 * grad(jit(f)) is jit(grad(f)): an async function, compiled.
 *
 * Complex parameters: for a real loss of z = x + iy, grad returns ∂L/∂x + i·∂L/∂y, so plain
 * gradient descent z ← z − η·grad works on c64 parameters.
 */
import { jvpIR, vjpIR } from '../compiler/autodiff/transform';
import { ShapeDtypeError, userCallSite } from '../compiler/errors';
import { ndarray } from '../compiler/ndarray';
import { applyIR, type TracedIR } from '../compiler/tracer';
import { flatten, type TreeDef, treePaths, unflatten } from './pytree';
import { concreteTensor, Tensor } from './tensor';
import { isJitted, jit, type Jitted } from './jit';
import { isArgLeaf, type TracedProgram, traceTree } from './trace';

export interface GradOptions {
  /** Which positional argument(s) to differentiate (default 0). */
  readonly argnums?: number | readonly number[];
  /** f returns [value, aux]; aux is passed through undifferentiated. */
  readonly hasAux?: boolean;
}

/** The differentiated argument(s): A[n] for `argnums: n` (default 0), a tuple for a list. */
export type GradArgs<A extends readonly unknown[], O> = O extends { readonly argnums: infer N }
  ? N extends number
    ? A[N]
    : N extends readonly number[]
      ? { -readonly [K in keyof N]: A[N[K] & number] }
      : A[0]
  : A[0];

/** A tree like T with any tensor at each tensor leaf (cotangents and tangents need not repeat static shapes). */
export type Loose<T> = T extends Tensor ? Tensor : T extends (...args: never[]) => unknown ? T : T extends object ? { [K in keyof T]: Loose<T[K]> } : T;

/** The aux part of f's result [loss, aux]. */
export type AuxOf<R> = R extends readonly [unknown, infer X] ? X : unknown;

/** What grad(f, opts) returns: the gradient in the argument's own tree type, with aux when hasAux. */
export type GradResult<A extends readonly unknown[], R, O> = O extends { readonly hasAux: true } ? [GradArgs<A, O>, AuxOf<R>] : GradArgs<A, O>;

/** What valueAndGrad(f, opts) returns: [f's result, the gradient]. */
export type ValueAndGradResult<A extends readonly unknown[], R, O> = [R, GradArgs<A, O>];

const ones = (t: Tensor): Tensor => {
  const a = ndarray(t.dtype, t.shape);
  for (let i = 0; i < t.size; i++) a.data[i * (t.dtype === 'c64' ? 2 : 1)] = 1;
  return concreteTensor(a);
};

interface Flat {
  prog: TracedProgram;
  argLeaves: Tensor[];
  /** Leaf index ranges of each positional argument. */
  argRanges: [number, number][];
  /** The VJP program, built on first use and reused by every later pullback. */
  vjp?: TracedIR;
}

function traceArgs(f: (...args: never[]) => unknown, args: readonly unknown[]): Flat {
  const prog = traceTree(f, args);
  const argLeaves = flatten(args, isArgLeaf)[0] as Tensor[];
  const argRanges: [number, number][] = [];
  let pos = 0;
  for (const a of args) {
    const n = flatten(a, isArgLeaf)[0].length;
    argRanges.push([pos, pos + n]);
    pos += n;
  }
  return { prog, argLeaves, argRanges };
}

function argnumList(opts: GradOptions, nArgs: number): number[] {
  const list = opts.argnums === undefined ? [0] : typeof opts.argnums === 'number' ? [opts.argnums] : [...opts.argnums];
  for (const a of list) if (!(Number.isInteger(a) && a >= 0 && a < nArgs)) throw new RangeError(`grad: argnums ${a} out of range for ${nArgs} argument(s)`);
  return list;
}

/**
 * The differentiated arguments must hold f32 or c64 tensors (a gradient with respect to an
 * integer or boolean would be zero, not a derivative): an error naming the argument and leaf.
 */
function checkDifferentiable(args: readonly unknown[], argnums: readonly number[]): void {
  for (const i of argnums) {
    const [leaves] = flatten(args[i], isArgLeaf);
    const paths = treePaths(args[i]);
    leaves.forEach((leaf, k) => {
      const aval = leaf instanceof Tensor ? leaf.aval : (leaf as { dtype: string; shape: readonly number[] });
      if (aval.dtype !== 'f32' && aval.dtype !== 'c64') {
        const where = paths[k] ? ` at '${paths[k]}'` : '';
        throw new TypeError(
          `grad: argument ${i}${where} is ${aval.dtype}[${aval.shape.join(',')}]; only f32 and c64 tensors can be differentiated ` +
            '(pass integer or boolean data as an argument not in argnums)',
        );
      }
    });
  }
}

/** Cotangents of all leaves, for a given output cotangent per output leaf. */
function pullback(flat: Flat, outCts: readonly Tensor[]): { outs: Tensor[]; argCts: Tensor[] } {
  const { prog, argLeaves } = flat;
  const vjp = (flat.vjp ??= vjpIR(prog.ir));
  const nOut = prog.ir.outAtoms.length;
  const nConst = prog.consts.length;
  const res = applyIR(vjp.ir, vjp.consts, [...prog.consts, ...argLeaves, ...outCts]);
  return { outs: res.slice(0, nOut), argCts: res.slice(nOut + nConst) };
}

function gradsFor(flat: Flat, args: readonly unknown[], argCts: Tensor[], argnums: number[], single: boolean): unknown {
  const grads = argnums.map((i) => {
    const [lo, hi] = flat.argRanges[i];
    const [, def] = flatten(args[i], isArgLeaf);
    return unflatten(def, argCts.slice(lo, hi));
  });
  return single ? grads[0] : grads;
}

function scalarLoss(flat: Flat, hasAux: boolean): { lossIndex: number; auxDef?: TreeDef } {
  const def = flat.prog.outDef;
  const lossDef = hasAux ? (def.kind === 'array' ? def.children[0] : undefined) : def;
  if (!lossDef || lossDef.kind !== 'leaf') {
    throw new TypeError(hasAux ? 'valueAndGrad(hasAux): f must return [loss, aux]' : 'grad: f must return a single scalar tensor');
  }
  const aval = flat.prog.ir.outAtoms[0].aval;
  if (aval.shape.length !== 0 || aval.dtype !== 'f32') {
    throw new ShapeDtypeError('grad', [aval], 'the differentiated function must return an f32 scalar', userCallSite());
  }
  return { lossIndex: 0 };
}

/**
 * valueAndGrad(f)(...args) = [f(...args), ∂f/∂args[argnums]]; with hasAux, [[loss, aux], grads].
 * The gradient has the type of the argument it is taken with respect to (`Params` for
 * `(p: Params, ...) => Tensor<'f32'>`).
 */
export function valueAndGrad<A extends unknown[], R, const O extends GradOptions = {}>(f: Jitted<A, R>, opts?: O): Jitted<A, ValueAndGradResult<A, R, O>>;
export function valueAndGrad<A extends unknown[], R, const O extends GradOptions = {}>(f: (...args: A) => R, opts?: O): (...args: A) => ValueAndGradResult<A, R, O>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function valueAndGrad<A extends unknown[]>(f: (...args: A) => unknown, opts: GradOptions = {}): any {
  if (isJitted(f)) return jit(valueAndGrad(f.fun as (...args: A) => unknown, opts), f.options) as unknown as (...args: A) => [unknown, unknown];
  if (typeof f !== 'function') throw new TypeError(`valueAndGrad: argument f must be a function, got ${typeof f}`);
  return (...args: A): [unknown, unknown] => {
    const argnums = argnumList(opts, args.length);
    checkDifferentiable(args, argnums);
    const flat = traceArgs(f as never, args);
    scalarLoss(flat, opts.hasAux ?? false);
    const outAvals = flat.prog.ir.outAtoms.map((a) => a.aval);
    const cts = outAvals.map((a, i) => (i === 0 ? ones(concreteTensor(ndarray(a.dtype, a.shape))) : zerosOf(a)));
    const { outs, argCts } = pullback(flat, cts);
    const value = unflatten(flat.prog.outDef, outs);
    return [value, gradsFor(flat, args, argCts, argnums, typeof opts.argnums !== 'object')];
  };
}

/**
 * grad(f)(...args) = ∂f/∂args[argnums], in the tree shape and type of the argument(s): grad of
 * `(p: Params, x: Tensor<'f32'>) => Tensor<'f32'>` is `(p: Params, x: Tensor<'f32'>) => Params`.
 * f must return an f32 scalar (with hasAux, [f32 scalar, aux]); the differentiated arguments'
 * tensors must be f32 or c64.
 */
export function grad<A extends unknown[], R, const O extends GradOptions = {}>(f: Jitted<A, R>, opts?: O): Jitted<A, GradResult<A, R, O>>;
export function grad<A extends unknown[], R, const O extends GradOptions = {}>(f: (...args: A) => R, opts?: O): (...args: A) => GradResult<A, R, O>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function grad<A extends unknown[]>(f: (...args: A) => unknown, opts: GradOptions = {}): any {
  if (isJitted(f)) return jit(grad(f.fun as (...args: A) => unknown, opts), f.options) as unknown as (...args: A) => unknown;
  const vg = valueAndGrad(f, opts) as (...args: A) => [unknown, unknown];
  return (...args: A): unknown => {
    const [value, g] = vg(...args);
    return opts.hasAux ? [g, (value as unknown[])[1]] : g;
  };
}

const zerosOf = (a: { shape: readonly number[]; dtype: Tensor['dtype'] }): Tensor => concreteTensor(ndarray(a.dtype, a.shape));

/** vjp(f, ...primals) = [f(...primals), ct => cotangents of primals (a tuple of trees typed as the primals)]. */
export function vjp<A extends unknown[], R>(f: (...args: A) => R, ...primals: A): [R, (ct: Loose<R>) => A] {
  const flat = traceArgs(f as never, primals);
  const out = unflatten(flat.prog.outDef, applyIR(flat.prog.ir, flat.prog.consts, flat.argLeaves));
  const back = (ct: Loose<R>): A => {
    const [cts] = flatten(ct);
    if (cts.length !== flat.prog.ir.outAtoms.length) throw new TypeError(`vjp: the cotangent must have the output's structure (${flat.prog.ir.outAtoms.length} tensors)`);
    const { argCts } = pullback(flat, cts as Tensor[]);
    return primals.map((_, i) => gradsFor(flat, primals, argCts, [i], true)) as A;
  };
  return [out as R, back];
}

/** jvp(f, primals, tangents) = [f(...primals), the directional derivative along tangents], both typed as f's result. */
export function jvp<A extends unknown[], R>(f: (...args: A) => R, primals: A, tangents: NoInfer<Loose<A>>): [R, R] {
  const flat = traceArgs(f as never, primals);
  const [tanLeaves] = flatten(tangents, (x) => x instanceof Tensor);
  if (tanLeaves.length !== flat.argLeaves.length) throw new TypeError('jvp: tangents must have the structure of the primals');
  const prog = jvpIR(flat.prog.ir);
  const constTangents = flat.prog.consts.map((c) => zerosOf(c.aval));
  const res = applyIR(prog.ir, prog.consts, [...flat.prog.consts, ...flat.argLeaves, ...constTangents, ...(tanLeaves as Tensor[])]);
  const nOut = flat.prog.ir.outAtoms.length;
  return [unflatten<R>(flat.prog.outDef, res.slice(0, nOut)), unflatten<R>(flat.prog.outDef, res.slice(nOut))];
}
