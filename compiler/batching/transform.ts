/**
 * Batching (vmap) as a program transformation: an IR traced for one example is replayed on
 * batched values, each equation rewritten by its batching rule (./rules). Every value carries
 * its batch axis, or null when it does not depend on the mapped axis (constants, values
 * computed only from them); equations whose operands are all unbatched are replayed as they
 * are. The rules bind primitives, so the batched program lands in the current trace (jit,
 * grad, jvp, an enclosing vmap) or is evaluated eagerly when nothing is being traced.
 */
import type { Tensor } from '../tensor';
import { showAVal } from '../errors';
import { type Atom, type IR, Lit, type Var } from '../ir';
import { type CallPrim, isCall } from '../calls';
import type { Prim, PrimParams } from '../primitives';
import { shapeEq, showShape } from '../shape';
import { bind, litTensor } from '../tracer';
import { checkpointBatch, customJvpBatch, customVjpBatch } from './calls';
import { type BatchDim, type BatchRule, batchRules, recordBroadcast } from './rules';

export interface BatchedValue {
  readonly value: Tensor;
  readonly dim: BatchDim;
}

/** The shape an example of shape `shape` has once batched at `dim` with `size` examples. */
export function batchedShape(shape: readonly number[], dim: BatchDim, size: number): number[] {
  const out = [...shape];
  if (dim !== null) out.splice(dim, 0, size);
  return out;
}

/**
 * Runs `ir` (traced for one example) on batched inputs: consts (its constVars' values, always
 * unbatched) and args with their batch axes. Returns the outputs with their batch axes.
 */
export function batchIR(ir: IR, consts: readonly Tensor[], args: readonly BatchedValue[], size: number): BatchedValue[] {
  const env = new Map<Var, BatchedValue>();
  ir.constVars.forEach((v, i) => env.set(v, { value: consts[i], dim: null }));
  ir.inVars.forEach((v, i) => env.set(v, args[i]));
  const read = (a: Atom): BatchedValue => {
    if (a instanceof Lit) return { value: litTensor(a), dim: null };
    const b = env.get(a);
    if (!b) throw new Error(`vmap: variable ${a.id} used before it is defined`);
    return b;
  };
  for (const e of ir.eqns) {
    const ins = e.inputs.map(read);
    const values = ins.map((b) => b.value);
    const dims = ins.map((b) => b.dim);
    let outs: readonly BatchedValue[];
    if (dims.every((d) => d === null)) {
      outs = bind(e.prim, values, e.params).map((value) => ({ value, dim: null }));
      if (e.prim === 'broadcast_in_dim') recordBroadcast(outs[0].value, values[0], (e.params as PrimParams['broadcast_in_dim']).dims);
    } else {
      const res = ruleOf(e.prim)(values, dims, e.params, size);
      outs = res.outs.map((value, i) => ({ value, dim: res.dims[i] }));
    }
    e.outputs.forEach((v, i) => {
      const o = outs[i];
      const expected = batchedShape(v.aval.shape, o.dim, size);
      if (!shapeEq(o.value.shape, expected) || o.value.dtype !== v.aval.dtype) {
        throw new Error(
          `vmap: the batching rule of '${e.prim}' gave ${showAVal(o.value.aval)} with the batch at axis ${o.dim}; ` +
            `one example is ${showAVal(v.aval)}, so ${v.aval.dtype}${showShape(expected)} was expected`,
        );
      }
      env.set(v, o);
    });
  }
  return ir.outAtoms.map(read);
}

/** The call primitives' rules (./calls), given this transformation; ./rules has every other primitive's. */
const callRules: { readonly [P in CallPrim]: BatchRule<P> } = {
  checkpoint: checkpointBatch(batchIR),
  custom_vjp: customVjpBatch(batchIR),
  custom_jvp: customJvpBatch(batchIR),
};

const ruleOf = (p: Prim): BatchRule<Prim> => (isCall(p) ? callRules[p] : batchRules[p]) as BatchRule<Prim>;
