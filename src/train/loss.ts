/**
 * Losses and per-example scores of the two heads (spec §2.2):
 *   classification  the model returns log-probabilities; loss_b = −log p_b(label_b), and
 *                   correct_b = 1 when argmax_c p_b(c) = label_b (ties go to the first class)
 *   regression      loss_b = mean_d (output_bd − target_bd)²
 * Batch losses are weighted means Σ_b w_b loss_b / Σ_b w_b, so that padded rows of an
 * evaluation batch (w_b = 0) do not count.
 */
import * as T from '../index';

/** Targets of one batch as tensors. */
export type TargetTensors =
  | { readonly kind: 'classes'; readonly labels: T.Tensor<'i32'> }
  | { readonly kind: 'regression'; readonly values: T.Tensor<'f32'> };

/** Per-example losses f32[B]. */
export function exampleLosses(outputs: T.Tensor<'f32'>, targets: TargetTensors): T.Tensor<'f32'> {
  if (targets.kind === 'classes') {
    if (outputs.ndim !== 2) throw new RangeError(`loss: classification outputs must be [batch, classes], got [${outputs.shape.join(',')}]`);
    const [batch, classes] = outputs.shape;
    const picked = T.equal(T.expandDims(targets.labels, -1), T.iota([batch, classes], 1, 'i32'));
    return T.neg(T.sum(T.where(picked, outputs, 0), { axis: -1 }));
  }
  if (outputs.shape.join(',') !== targets.values.shape.join(',')) {
    throw new RangeError(`loss: regression outputs [${outputs.shape.join(',')}] and targets [${targets.values.shape.join(',')}] differ in shape`);
  }
  const error = T.square(T.sub(outputs, targets.values));
  return T.mean(T.reshape(error, [outputs.shape[0], -1]), { axis: -1 });
}

/** 1 where the predicted class is the label, else 0: f32[B] (classification only). */
export function exampleCorrect(outputs: T.Tensor<'f32'>, labels: T.Tensor<'i32'>): T.Tensor<'f32'> {
  return T.cast('f32')(T.equal(T.argmax(outputs, -1), labels));
}

/** Σ w·x / Σ w for per-example values x and weights w (both f32[B]). */
export const weightedMean = (x: T.Tensor<'f32'>, weights: T.Tensor<'f32'>): T.Tensor<'f32'> =>
  T.div(T.sum(T.mul(x, weights)), T.sum(weights));
