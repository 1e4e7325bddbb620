/**
 * Axis permutation (generalised transpose): out[i_0, ..., i_{r-1}] =
 * in[j] with j[perm[a]] = i_a, one thread per output float. The input read
 * goes through the operand, so a producer fuses into the transpose and the
 * epilogue fuses a consumer into its write.
 */
import { type Epilogue, type Operand, identityEpilogue, permuteAxes } from '../operand';
import { PlanBuilder, assertCallerBindings, mergeBindings } from '../plan';
import { elementwise } from './elementwise';

export interface TransposeOptions {
  readonly name?: string;
  readonly input: Operand;
  /** Output axis a is input axis perm[a] (default: reverse all axes). */
  readonly perm?: readonly number[];
  readonly epilogue?: Epilogue;
}

export function transpose(builder: PlanBuilder, opts: TransposeOptions): Operand {
  const name = opts.name ?? 'transpose';
  const rank = opts.input.shape.length;
  const perm = opts.perm ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const view = permuteAxes(opts.input, perm);
  const epilogue = opts.epilogue ?? identityEpilogue(view.dtype);
  assertCallerBindings(epilogue.bindings, `transpose '${name}'`);
  return elementwise(builder, {
    name,
    shape: view.shape,
    dtype: epilogue.dtype,
    bindings: mergeBindings(`transpose '${name}'`, view.bindings, epilogue.bindings),
    body: (coords, part) => ({
      value: epilogue.apply({ re: view.read(coords, 're'), im: view.read(coords, 'im') }, coords, part),
    }),
  });
}
