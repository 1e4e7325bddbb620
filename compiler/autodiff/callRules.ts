/**
 * Differentiation of call equations (compiler/calls.ts), both directions.
 *
 * custom_vjp carries the user's VJP, bwd(args, outs, cts) -> arg cts, linear in cts. Reverse
 * mode applies it; forward mode transposes it: the VJP of the linear map ct ↦ bwd(…, ct),
 * taken at the tangents, is J·t when bwd is Jᵀ (under Re(conj(a)·b), c64 included).
 * custom_jvp carries the user's JVP, jvp(args, tangents) -> (outs, out tangents), linear in
 * the tangents; forward mode applies it, reverse mode transposes it the same way.
 * Either way every derivative of the function comes from the user's rule, and the result is
 * ordinary IR, so it can be differentiated again. Values a body captured are constants to
 * these rules (the frontend refuses traced captures).
 *
 * checkpoint's VJP is the body's own VJP program bound as one more checkpoint equation: the
 * backward pass recomputes the body's forward from its inputs instead of reading stored
 * intermediates (only the inputs are kept). Its JVP is the body's JVP.
 */
import type { ClosedIR } from '../ir';
import { dce } from '../passes/dce';
import type { PrimParams } from '../primitives';
import { concreteTensor, type Tensor } from '../tensor';
import { applyIR, bind } from '../tracer';
import * as U from './ops';
import type { Cotangent, JvpRule, SubTransforms, Tangent, VjpRule } from './rules';

const dense = (t: Tensor | null, like: Tensor): Tensor => t ?? U.zerosLike(like);
const constsOf = (c: ClosedIR): Tensor[] => c.consts.map((a) => concreteTensor(a));
const isFloat = (t: Tensor): boolean => t.dtype === 'f32' || t.dtype === 'c64';

/** Applies a linear rule's transpose: the VJP of `rule` with respect to its inputs [from, from + n), at cotangent `cts`. */
function transposeLinear(rule: ClosedIR, inputs: readonly Tensor[], from: number, n: number, cts: readonly Tensor[], sub: SubTransforms): Tensor[] {
  const vjp = sub.vjpIR(rule.ir);
  const consts = constsOf(rule);
  const res = applyIR(vjp.ir, vjp.consts, [...consts, ...inputs, ...cts]);
  const nOut = rule.ir.outAtoms.length;
  return res.slice(nOut + consts.length + from, nOut + consts.length + from + n);
}

export const customVjpVjp: VjpRule<'custom_vjp'> = (cts, inputs, outputs, { body, bwd }) => {
  const nc = body.constVars.length;
  const args = inputs.slice(nc);
  const argCts = applyIR(bwd.ir, constsOf(bwd), [...args, ...outputs, ...cts.map((c, i) => dense(c, outputs[i]))]);
  return [...inputs.slice(0, nc).map(() => null), ...args.map((a, i): Cotangent => (isFloat(a) ? argCts[i] : null))];
};

export const customVjpJvp: JvpRule<'custom_vjp'> = (ts, inputs, params, sub) => {
  const outs = bind('custom_vjp', inputs, params);
  const nc = params.body.constVars.length;
  const args = inputs.slice(nc);
  // bwd's inputs are (args, outs, cts): transpose it in the cts, at cotangents = arg tangents.
  const argTangents = args.map((a, i) => dense(ts[nc + i], a));
  const zeroCts = outs.map((o) => U.zerosLike(o));
  const outTs = transposeLinear(params.bwd, [...args, ...outs, ...zeroCts], args.length + outs.length, outs.length, argTangents, sub);
  return [outs, outTs.map((t, i): Tangent => (isFloat(outs[i]) ? t : null))];
};

export const customJvpJvp: JvpRule<'custom_jvp'> = (ts, inputs, { body, jvp }) => {
  const nc = body.constVars.length;
  const args = inputs.slice(nc);
  const res = applyIR(jvp.ir, constsOf(jvp), [...args, ...args.map((a, i) => dense(ts[nc + i], a))]);
  const nOut = body.outAtoms.length;
  const outs = res.slice(0, nOut);
  return [outs, res.slice(nOut).map((t, i): Tangent => (isFloat(outs[i]) ? t : null))];
};

export const customJvpVjp: VjpRule<'custom_jvp'> = (cts, inputs, outputs, { body, jvp }, sub) => {
  const nc = body.constVars.length;
  const args = inputs.slice(nc);
  // jvp's inputs are (args, tangents) and outputs (outs, out tangents): transpose it in the
  // tangents, with zero cotangents for outs and `cts` for the out tangents.
  const zeroTangents = args.map((a) => U.zerosLike(a));
  const outCts = [...outputs.map((o) => U.zerosLike(o)), ...cts.map((c, i) => dense(c, outputs[i]))];
  const argCts = transposeLinear(jvp, [...args, ...zeroTangents], args.length, args.length, outCts, sub);
  return [...inputs.slice(0, nc).map(() => null), ...args.map((a, i): Cotangent => (isFloat(a) ? argCts[i] : null))];
};

export const checkpointVjp: VjpRule<'checkpoint'> = (cts, inputs, outputs, { body }, sub) => {
  const vjp = sub.vjpIR(body);
  const nOut = body.outAtoms.length;
  // The body's VJP program, (captured, args, cts) -> input cotangents, closed over its constants.
  const params: PrimParams['checkpoint'] = { body: dce({ ...vjp.ir, outAtoms: vjp.ir.outAtoms.slice(nOut) }) };
  const inCts = bind('checkpoint', [...vjp.consts, ...inputs, ...cts.map((c, i) => dense(c, outputs[i]))], params);
  return inputs.map((x, i): Cotangent => (isFloat(x) ? inCts[i] : null));
};

export const checkpointJvp: JvpRule<'checkpoint'> = (ts, inputs, { body }, sub) => {
  const jvp = sub.jvpIR(body);
  const res = applyIR(jvp.ir, jvp.consts, [...inputs, ...inputs.map((x, i) => dense(ts[i], x))]);
  const nOut = body.outAtoms.length;
  const outs = res.slice(0, nOut);
  return [outs, res.slice(nOut).map((t, i): Tangent => (isFloat(outs[i]) ? t : null))];
};
