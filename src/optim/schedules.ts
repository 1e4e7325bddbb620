/**
 * Learning-rate schedules as DSL functions of the step count (an f32 scalar tensor), so they
 * run inside a compiled update without recompiling: a number is a constant rate. With k the
 * 0-based step, W warm-up steps and D = total − W decay steps:
 *   warm-up (k < W)  base·(k + 1)/W
 *   cosine           end + (base − end)·½(1 + cos(π·min(k − W, D)/D))
 *   linear           end + (base − end)·(1 − min(k − W, D)/D)
 * (the same values as src/train/schedule.ts's learningRate, which the CLI's runs use).
 */
import * as T from '../index';

export type Schedule = number | ((count: T.Tensor<'f32'>) => T.Tensor<'f32'>);

export const scheduleValue = (s: Schedule, count: T.Tensor<'f32'>): T.Tensor<'f32'> => (typeof s === 'number' ? T.full([], s) : s(count));

export interface WarmupDecayOptions {
  readonly base: number;
  /** Steps of linear warm-up (0: none). */
  readonly warmupSteps?: number;
  /** All steps, warm-up included. */
  readonly totalSteps: number;
  /** The rate at the end of the decay (default 0). */
  readonly end?: number;
  readonly decay: 'cosine' | 'linear' | 'constant';
}

export function warmupDecay(options: WarmupDecayOptions): (count: T.Tensor<'f32'>) => T.Tensor<'f32'> {
  const { base, warmupSteps: W = 0, totalSteps, end = 0, decay } = options;
  if (!(Number.isSafeInteger(W) && W >= 0)) throw new RangeError(`warmupDecay: warmupSteps must be a non-negative integer, got ${W}`);
  if (!(Number.isSafeInteger(totalSteps) && totalSteps >= 1)) throw new RangeError(`warmupDecay: totalSteps must be a positive integer, got ${totalSteps}`);
  const D = totalSteps - W;
  return (k) => {
    const warm = T.div(T.mul(T.add(k, 1), base), Math.max(W, 1));
    let after: T.Tensor<'f32'>;
    if (decay === 'constant') after = T.full([], base);
    else if (D <= 0) after = T.full([], end);
    else {
      const phase = T.div(T.minimum(T.maximum(T.sub(k, W), 0), D), D);
      const shape = decay === 'cosine' ? T.mul(T.add(T.cos(T.mul(phase, Math.PI)), 1), 0.5) : T.sub(1, phase);
      after = T.add(T.mul(shape, base - end), end);
    }
    return W > 0 ? T.where(T.less(k, W), warm, after) : after;
  };
}

export const cosineDecay = (base: number, totalSteps: number, end = 0) => warmupDecay({ base, totalSteps, end, decay: 'cosine' });
export const linearDecay = (base: number, totalSteps: number, end = 0) => warmupDecay({ base, totalSteps, end, decay: 'linear' });
