/**
 * The shapes of differentiation rules, shared by the rule tables (vjpRules, jvpRules, the scan
 * rules) and the transform that applies them (transform.ts). Rule modules import only this
 * module and ops.ts, never the transform: transformations of sub-programs reach them as a
 * `SubTransforms` argument.
 */
import type { IR } from '../ir';
import type { Prim, PrimParams } from '../primitives';
import type { Tensor } from '../tensor';
import type { TracedIR } from '../tracer';

/** A cotangent; null is a symbolic zero. */
export type Cotangent = Tensor | null;

/**
 * Transformations of sub-programs (a scan's combine), handed to the rules by the transform that
 * applies them, so rule modules do not import the transform.
 */
export interface SubTransforms {
  /** The VJP program of an IR (inputs: consts, args, output cotangents; outputs: outs, cotangents). */
  vjpIR(ir: IR): TracedIR;
  /** The JVP program of an IR (inputs: consts, args, their tangents; outputs: outs, tangents). */
  jvpIR(ir: IR): TracedIR;
}

export type VjpRule<P extends Prim> = (
  cts: readonly Cotangent[],
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  params: PrimParams[P],
  sub: SubTransforms,
) => Cotangent[];


/** A tangent; null is a symbolic zero. */
export type Tangent = Tensor | null;

/**
 * Forward-mode rule: given the equation's primal inputs and their tangents (at least one
 * non-null), returns its primal outputs and one tangent per output. Most rules bind the
 * primitive and derive the tangent from inputs and outputs; a rule may instead compute both
 * at once (the associative scan runs one scan over (value, tangent) pairs).
 */
export type JvpRule<P extends Prim> = (
  tangents: readonly Tangent[],
  inputs: readonly Tensor[],
  params: PrimParams[P],
  sub: SubTransforms,
) => [Tensor[], Tangent[]];
