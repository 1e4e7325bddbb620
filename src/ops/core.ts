/**
 * Operand plumbing shared by the frontend ops: axis normalisation here, and (re-exported from
 * compiler/operands) turning JS numbers into tensors, dtype promotion and numpy-style
 * broadcasting, all done explicitly before a primitive is bound.
 */
import { ShapeDtypeError, userCallSite } from '../../compiler/errors';
import type { Shape } from '../../compiler/shape';
import type { Tensor } from '../tensor';

export {
  alignOperands,
  broadcastTo,
  castTo,
  type Compat,
  describeValue,
  lift,
  scalarTensor,
  tensorArg,
  tensorOrNumberArg,
  type TensorLike,
} from '../../compiler/operands';

export function normAxis(op: string, x: Tensor, axis: number): number {
  const a = axis < 0 ? axis + x.ndim : axis;
  if (!(Number.isInteger(a) && a >= 0 && a < x.ndim)) {
    throw new ShapeDtypeError(op, [x.aval], `axis ${axis} out of range for rank ${x.ndim}`, userCallSite());
  }
  return a;
}

export function normAxes(op: string, x: Tensor, axis: number | readonly number[] | undefined): number[] {
  if (axis === undefined) return x.shape.map((_, i) => i);
  const list = typeof axis === 'number' ? [axis] : axis;
  return [...new Set(list.map((a) => normAxis(op, x, a)))].sort((a, b) => a - b);
}

/** Result shape of broadcasting S1 with S2, kept static when one already contains the other. */
export type Bcast<S1 extends Shape, S2 extends Shape> = [S1] extends [S2] ? S1 : [S2] extends [S1] ? S2 : Shape;
