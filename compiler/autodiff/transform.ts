/**
 * Reverse-mode differentiation as a program transformation, IR -> IR.
 *
 * vjpIR(ir) has inputs (consts, args, output cotangents) as inVars and outputs (outs, one
 * cotangent per const and arg): the forward equations replayed, then every equation's VJP rule
 * in reverse order, cotangents summed where a variable is used more than once. The result is
 * an ordinary IR, so it can be printed, interpreted, compiled, and differentiated again.
 *
 * jvpIR(ir) pushes tangents forward through every equation with the forward-mode rules:
 * inputs (consts, args, tangents), outputs (outs, output tangents).
 *
 * The two directions come from independent rule tables (vjpRules.ts, jvpRules.ts). Reverse mode
 * is the direct VJP table rather than linearize + transpose: each VJP rule chooses what it keeps
 * from the forward pass (the linear recurrence's backward is one reversed recurrence over the
 * stored states, the scan's one reversed affine scan), and the rules for the linear primitives
 * are their transposes. Keeping two tables is what makes the dot-product identity
 * ⟨vjp(ct), t⟩ = ⟨ct, jvp(t)⟩ and forward-vs-reverse Jacobians a test of both: with jvp derived
 * from vjp (or vjp from jvp by transposition) they would agree by construction.
 */
import { concreteTensor, type Tensor } from '../tensor';
import type { Atom, IR, Var } from '../ir';
import { Lit } from '../ir';
import { ndarray } from '../ndarray';
import { dce } from '../passes/dce';
import type { Prim } from '../primitives';
import { bind, litTensor, traceFlat, type TracedIR } from '../tracer';
import * as U from './ops';
import { jvpRules } from './jvpRules';
import type { Cotangent, JvpRule, SubTransforms, Tangent, VjpRule } from './rules';
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

/** Runs `ir` forward on primals and tangents (null = zero): returns [outs, out tangents]. */
export function pushforward(ir: IR, primals: readonly Tensor[], tangents: readonly Tangent[]): [Tensor[], Tangent[]] {
  const env = new Map<Var, Tensor>();
  const tanOf = new Map<Var, Tensor>();
  const inVars = [...ir.constVars, ...ir.inVars];
  inVars.forEach((v, i) => {
    env.set(v, primals[i]);
    const t = tangents[i];
    if (t && (v.aval.dtype === 'f32' || v.aval.dtype === 'c64')) tanOf.set(v, t);
  });
  const read = (a: Atom): Tensor => (a instanceof Lit ? litTensor(a) : (env.get(a) as Tensor));
  const readTangent = (a: Atom): Tangent => (a instanceof Lit ? null : (tanOf.get(a) ?? null));
  for (const e of ir.eqns) {
    const ins = e.inputs.map(read);
    const ts = e.inputs.map(readTangent);
    if (ts.every((t) => t === null)) {
      const outs = bind(e.prim, ins, e.params);
      e.outputs.forEach((v, i) => env.set(v, outs[i]));
      continue;
    }
    const rule = jvpRules[e.prim] as JvpRule<Prim>;
    const [outs, outTs] = rule(ts, ins, e.params, SUB);
    e.outputs.forEach((v, i) => {
      env.set(v, outs[i]);
      const t = outTs[i];
      if (t) tanOf.set(v, t);
    });
  }
  return [ir.outAtoms.map(read), ir.outAtoms.map(readTangent)];
}

/**
 * The JVP program of `ir`: inputs (consts, args, tangents of consts and args), outputs (outs,
 * tangents), from the forward-mode rule table (jvpRules.ts).
 */
export function jvpIR(ir: IR): TracedIR {
  const primalAvals = [...ir.constVars, ...ir.inVars].map((v) => v.aval);
  const nPrimal = primalAvals.length;
  const traced = traceFlat((...args) => {
    const [outs, ts] = pushforward(ir, args.slice(0, nPrimal), args.slice(nPrimal));
    return [...outs, ...ts.map((t, i) => t ?? zeros(outs[i].aval))];
  }, [...primalAvals, ...primalAvals]);
  return { ir: dce(traced.ir), consts: traced.consts };
}
