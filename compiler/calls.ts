/**
 * Call primitives (custom_vjp, custom_jvp, checkpoint): an equation that applies a sub-program,
 * its `body`. The body is closed over nothing: values it captured when it was traced are its
 * constVars, bound to the equation's leading inputs, and its inVars to the rest, so the body
 * can be inlined into any program (the jit does so before lowering; see passes/inline.ts) and
 * differentiated with respect to captured values like any other input.
 */
import { RuleError } from './errors';
import type { AVal, Eqn, IR } from './ir';
import type { Prim } from './primitives';
import { shapeEq } from './shape';

export type CallPrim = 'custom_vjp' | 'custom_jvp' | 'checkpoint';

export const isCall = (p: Prim): p is CallPrim => p === 'custom_vjp' || p === 'custom_jvp' || p === 'checkpoint';

/** The body of a call equation; undefined for other primitives. */
export const callBody = (e: Eqn): IR | undefined => (isCall(e.prim) ? (e.params as { body: IR }).body : undefined);

/** Shape rule of a call: the operands match the body's (constVars, inVars); results are its outputs. */
export function callShape(body: IR, avals: readonly AVal[]): AVal[] {
  const params = [...body.constVars, ...body.inVars];
  if (avals.length !== params.length) throw new RuleError(`expects ${params.length} operand(s) (the body's captured values and arguments), got ${avals.length}`);
  params.forEach((v, i) => {
    const a = avals[i];
    if (a.dtype !== v.aval.dtype || !shapeEq(a.shape, v.aval.shape)) {
      throw new RuleError(`operand ${i} is ${a.dtype}[${a.shape.join(',')}], the body takes ${v.aval.dtype}[${v.aval.shape.join(',')}]`);
    }
  });
  return body.outAtoms.map((a) => ({ shape: [...a.aval.shape], dtype: a.aval.dtype }));
}
