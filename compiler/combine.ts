/**
 * Scan combines are sub-IRs over scalars: traceCombine traces a function over tuples of
 * scalars into one. applyCombine runs one elementwise over tensors of
 * any (common) shape: literals and scalar constants broadcast, scalar reshapes/broadcasts are
 * identities. A combine may only use elementwise primitives; this is checked here.
 */
import { concreteTensor, type Tensor } from './tensor';
import type { ClosedIR, IR, Var } from './ir';
import { Lit } from './ir';
import { isElementwise } from './primitives';
import type { Shape } from './shape';
import { bind, bind1, litTensor, traceFlat } from './tracer';
import type { DType } from './dtype';

export class CombineError extends Error {
  override readonly name = 'CombineError';
}

/** Checks that a combine is elementwise (the form every scan implementation relies on). */
export function checkElementwiseCombine(ir: IR): void {
  for (const e of ir.eqns) {
    const scalarCopy = (e.prim === 'broadcast_in_dim' || e.prim === 'reshape') && e.outputs[0].aval.shape.length === 0;
    if (!isElementwise(e.prim) && !scalarCopy) {
      throw new CombineError(`scan combine functions must be elementwise over scalars; '${e.prim}' is not`);
    }
  }
}

/** Applies a scalar IR elementwise to tensors of shape `shape` (consts must be scalars). */
export function applyElementwiseIR(ir: IR, consts: readonly Tensor[], args: readonly Tensor[], shape: Shape): Tensor[] {
  checkElementwiseCombine(ir);
  const spread = (t: Tensor): Tensor =>
    t.ndim === 0 && shape.length > 0 ? bind1('broadcast_in_dim', [t], { shape: [...shape], dims: [] }) : t;
  const env = new Map<Var, Tensor>();
  ir.constVars.forEach((v, i) => env.set(v, spread(consts[i])));
  ir.inVars.forEach((v, i) => env.set(v, args[i]));
  const read = (a: Var | Lit): Tensor => {
    if (a instanceof Lit) return spread(litTensor(a));
    const t = env.get(a);
    if (!t) throw new CombineError(`combine uses variable ${a.id} before it is defined`);
    return t;
  };
  for (const e of ir.eqns) {
    const ins = e.inputs.map(read);
    const outs = e.prim === 'broadcast_in_dim' || e.prim === 'reshape' ? [ins[0]] : bind(e.prim, ins, e.params);
    e.outputs.forEach((v, i) => env.set(v, outs[i]));
  }
  return ir.outAtoms.map(read);
}

export const applyCombine = (c: ClosedIR, args: readonly Tensor[], shape: Shape): Tensor[] =>
  applyElementwiseIR(c.ir, c.consts.map((v) => concreteTensor(v)), args, shape);

/** A combine over tuples: given the left (earlier) and right (later) tuples of scalars, returns their combination. */
export type Combine = (left: Tensor[], right: Tensor[]) => Tensor[];

/** Traces a combine on scalars of the given dtypes into a closed sub-IR. */
export function traceCombine(combine: Combine, dtypes: readonly DType[]): ClosedIR {
  const n = dtypes.length;
  const avals = [...dtypes, ...dtypes].map((dtype) => ({ shape: [], dtype }));
  const traced = traceFlat((...args) => combine(args.slice(0, n), args.slice(n)), avals);
  const consts = traced.consts.map((t) => {
    if (t.isTracer) throw new Error('associativeScan: the combine function must not capture traced values from outside it');
    return t.value();
  });
  return { ir: traced.ir, consts };
}
