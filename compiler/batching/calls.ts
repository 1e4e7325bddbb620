/**
 * Batching rules of the call primitives (custom_vjp, custom_jvp, checkpoint). A call stays a
 * call under vmap, so the user's rule or the rematerialisation still applies to the batched
 * program: every operand is given its batch at axis 0 (unbatched ones broadcast), the body is
 * batched into a new body over those operands, and the rule programs (the VJP rule's
 * (args, outs, cts) -> arg cts, the JVP rule's (primals, tangents) -> (outs, out tangents)) are
 * batched the same way, all of their inputs and outputs carrying the batch at axis 0.
 */
import type { Tensor } from '../tensor';
import type { ClosedIR, IR } from '../ir';
import type { PrimParams } from '../primitives';
import { bind, traceFlat } from '../tracer';
import { concreteTensor } from '../tensor';
import type { BatchDim, BatchRule, Batched } from './rules';
import { withBatchAt } from './rules';

/** The batching transformation of a program (./transform), passed in so the modules do not cycle. */
export type BatchProgram = (ir: IR, consts: readonly Tensor[], args: readonly { value: Tensor; dim: BatchDim }[], size: number) => readonly { value: Tensor; dim: BatchDim }[];

const atZero = (xs: readonly Tensor[], dims: readonly BatchDim[], size: number): Tensor[] => xs.map((x, i) => withBatchAt(x, dims[i], size, 0));

/** Runs `ir` (constVars bound to `consts`, unbatched) on inputs all batched at axis 0; outputs at axis 0. */
function runBatched(batchIR: BatchProgram, ir: IR, consts: readonly Tensor[], xs: readonly Tensor[], size: number): Tensor[] {
  return batchIR(ir, consts, xs.map((value) => ({ value, dim: 0 })), size).map((o) => withBatchAt(o.value, o.dim, size, 0));
}

/**
 * The batched body of a call whose `captured` leading operands are its body's constVars: a
 * body whose constVars are the new trace's constants followed by the captured values, so the
 * operand layout [...constVars, ...inVars] the differentiation rules rely on is kept.
 */
function batchBody(batchIR: BatchProgram, body: IR, operands: readonly Tensor[], size: number): { body: IR; operands: Tensor[] } {
  const nc = body.constVars.length;
  const whole: IR = { ...body, constVars: [], inVars: [...body.constVars, ...body.inVars] };
  const traced = traceFlat((...zs) => runBatched(batchIR, whole, [], zs, size), operands.map((o) => o.aval));
  const ir: IR = {
    ...traced.ir,
    constVars: [...traced.ir.constVars, ...traced.ir.inVars.slice(0, nc)],
    inVars: traced.ir.inVars.slice(nc),
  };
  return { body: ir, operands: [...traced.consts, ...operands] };
}

/** A closed rule program batched with every input at axis 0 (its inputs' one-example avals given). */
function batchClosed(batchIR: BatchProgram, rule: ClosedIR, size: number): ClosedIR {
  const avals = rule.ir.inVars.map((v) => ({ shape: [size, ...v.aval.shape], dtype: v.aval.dtype }));
  const traced = traceFlat((...zs) => runBatched(batchIR, rule.ir, rule.consts.map((c) => concreteTensor(c)), zs, size), avals);
  if (traced.consts.some((c) => c.isTracer)) throw new Error('vmap: a custom rule captured a traced value');
  return { ir: traced.ir, consts: traced.consts.map((c) => c.value()) };
}

const outsAtZero = (outs: readonly Tensor[]): Batched => ({ outs, dims: outs.map(() => 0) });

export const checkpointBatch =
  (batchIR: BatchProgram): BatchRule<'checkpoint'> =>
  (args, dims, { body }, size) => {
  const b = batchBody(batchIR, body, atZero(args, dims, size), size);
  return outsAtZero(bind('checkpoint', b.operands, { body: b.body }));
};

export const customVjpBatch =
  (batchIR: BatchProgram): BatchRule<'custom_vjp'> =>
  (args, dims, { body, bwd }, size) => {
  const b = batchBody(batchIR, body, atZero(args, dims, size), size);
  const params: PrimParams['custom_vjp'] = { body: b.body, bwd: batchClosed(batchIR, bwd, size) };
  return outsAtZero(bind('custom_vjp', b.operands, params));
};

export const customJvpBatch =
  (batchIR: BatchProgram): BatchRule<'custom_jvp'> =>
  (args, dims, { body, jvp }, size) => {
  const b = batchBody(batchIR, body, atZero(args, dims, size), size);
  const params: PrimParams['custom_jvp'] = { body: b.body, jvp: batchClosed(batchIR, jvp, size) };
  return outsAtZero(bind('custom_jvp', b.operands, params));
};
