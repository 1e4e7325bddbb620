/**
 * Reverse-mode differentiation as a program transformation, IR -> IR.
 *
 * vjpIR(ir) has inputs (consts, args, output cotangents) as inVars and outputs (outs, one
 * cotangent per const and arg): the forward equations replayed, then every equation's VJP rule
 * in reverse order, cotangents summed where a variable is used more than once. The result is
 * an ordinary IR, so it can be printed, interpreted, compiled, and differentiated again.
 *
 * jvpIR(ir) is the transpose of the VJP's linear part (the VJP is linear in its cotangent, so
 * its own VJP applies the Jacobian): inputs (consts, args, tangents), outputs (outs, output
 * tangents). One rule table serves both directions.
 */
import { concreteTensor, type Tensor } from '../tensor';
import type { Atom, IR, Var } from '../ir';
import { Lit } from '../ir';
import { ndarray } from '../ndarray';
import { dce } from '../passes/dce';
import type { Prim } from '../primitives';
import { applyIR, bind, litTensor, traceFlat, type TracedIR } from '../tracer';
import * as U from './ops';
import type { Cotangent, SubTransforms, VjpRule } from './rules';
import { vjpRules } from './vjpRules';

const zeros = (v: { shape: readonly number[]; dtype: Tensor['dtype'] }): Tensor => {
  const z = concreteTensor(ndarray(v.dtype, []));
  return v.shape.length ? U.prim('broadcast_in_dim', [z], { shape: [...v.shape], dims: [] }) : z;
};

/** Runs forward and backward of `ir` on tensors: returns [outs, cotangents of consts and args]. */
export function backprop(ir: IR, primals: readonly Tensor[], cts: readonly Cotangent[]): [Tensor[], Tensor[]] {
  const env = new Map<Var, Tensor>();
  const inVars = [...ir.constVars, ...ir.inVars];
  inVars.forEach((v, i) => env.set(v, primals[i]));
  const read = (a: Atom): Tensor => (a instanceof Lit ? litTensor(a) : (env.get(a) as Tensor));
  for (const e of ir.eqns) {
    const outs = bind(e.prim, e.inputs.map(read), e.params);
    e.outputs.forEach((v, i) => env.set(v, outs[i]));
  }
  const outs = ir.outAtoms.map(read);

  const ctOf = new Map<Var, Tensor>();
  const accumulate = (a: Atom, ct: Cotangent): void => {
    if (ct === null || a instanceof Lit) return;
    const prev = ctOf.get(a);
    ctOf.set(a, prev ? U.add(prev, ct) : ct);
  };
  ir.outAtoms.forEach((a, i) => accumulate(a, cts[i]));
  for (let i = ir.eqns.length - 1; i >= 0; i--) {
    const e = ir.eqns[i];
    const outCts = e.outputs.map((v) => ctOf.get(v) ?? null);
    if (outCts.every((c) => c === null)) continue;
    const rule = vjpRules[e.prim] as VjpRule<Prim>;
    const inCts = rule(outCts, e.inputs.map(read), e.outputs.map(read), e.params, SUB);
    e.inputs.forEach((a, k) => accumulate(a, inCts[k]));
  }
  return [outs, inVars.map((v) => ctOf.get(v) ?? zeros(v.aval))];
}

const SUB: SubTransforms = { vjpIR: (ir) => vjpIR(ir), jvpIR: (ir) => jvpIR(ir) };

/** The VJP program of `ir` (see the module comment); its own captured constants come along. */
export function vjpIR(ir: IR): TracedIR {
  const nPrimal = ir.constVars.length + ir.inVars.length;
  const avals = [...ir.constVars, ...ir.inVars].map((v) => v.aval).concat(ir.outAtoms.map((a) => a.aval));
  const traced = traceFlat((...args) => {
    const [outs, cts] = backprop(ir, args.slice(0, nPrimal), args.slice(nPrimal));
    return [...outs, ...cts];
  }, avals);
  return { ir: dce(traced.ir), consts: traced.consts };
}

/** The JVP program of `ir`: inputs (consts, args, tangents of consts and args), outputs (outs, tangents). */
export function jvpIR(ir: IR): TracedIR {
  const primalAvals = [...ir.constVars, ...ir.inVars].map((v) => v.aval);
  const nPrimal = primalAvals.length;
  const nOut = ir.outAtoms.length;
  const vjp = vjpIR(ir);
  // The VJP's input cotangents as a function of its output cotangents is the linear map J^H;
  // pulling the tangents back through it applies J.
  const pullback: IR = { ...vjp.ir, outAtoms: vjp.ir.outAtoms.slice(nOut, nOut + nPrimal) };
  const nVjpConsts = vjp.consts.length;
  const traced = traceFlat((...args) => {
    const primals = args.slice(0, nPrimal);
    const tangents = args.slice(nPrimal);
    const outs = applyIR(ir, primals.slice(0, ir.constVars.length), primals.slice(ir.constVars.length));
    const zeroCts = ir.outAtoms.map((a) => zeros(a.aval));
    const [, cts] = backprop(pullback, [...vjp.consts, ...primals, ...zeroCts], tangents);
    return [...outs, ...cts.slice(nVjpConsts + nPrimal)];
  }, [...primalAvals, ...primalAvals]);
  return { ir: dce(traced.ir), consts: traced.consts };
}
