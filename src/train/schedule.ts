/**
 * Learning-rate schedules (S5 train.py, spec §2.4): linear warm-up, then cosine, linear or
 * constant decay, as a pure function of the optimizer step. Both learning rates of a run (lr
 * and ssm_lr) follow the same shape, each from its own base.
 *
 * With k the 0-based optimizer step, W warm-up steps and D = total - W decay steps:
 *   warm-up (k < W)   lr_k = base · (k + 1) / W
 *   cosine            lr_k = lrMin + (base - lrMin) · ½ (1 + cos(π · min(k - W, D) / D))
 *   linear            lr_k = lrMin + (base - lrMin) · (1 - min(k - W, D) / D)
 *   constant          lr_k = base
 *
 * Deliberate difference from the reference code (default `s5Quirks: false`): S5 writes the new
 * rate after each step, so step 0 runs at the un-warmed base rate and step k at the value for
 * k - 1; and its cosine phase is the global step (not reset after warm-up), so the cosine
 * starts part-way and reaches lrMin W steps before the end. Here step k uses the value for k,
 * and the decay spans exactly the steps after warm-up. `s5Quirks: true` reproduces the
 * reference sequence exactly:
 *   lr_0 = base;  lr_k = f(k - 1), f(s) = warm-up value for s < W, else the decay at phase min(s, T)/T
 *   with T = total - W (so the decay is evaluated at the global step s).
 */

export type DecayKind = 'cosine' | 'linear' | 'constant';

export interface Schedule {
  readonly decay: DecayKind;
  /** Warm-up steps W (0: none). */
  readonly warmupSteps: number;
  /** Total optimizer steps of the run (warm-up included). */
  readonly totalSteps: number;
  /** Final rate of the cosine / linear decay (the same for every base rate, as in S5). */
  readonly lrMin: number;
  /** Reproduce the reference code's lagged update and global-step cosine (see above). */
  readonly s5Quirks?: boolean;
}

export function checkSchedule(schedule: Schedule): void {
  const { warmupSteps, totalSteps, lrMin } = schedule;
  if (!Number.isSafeInteger(warmupSteps) || warmupSteps < 0) throw new RangeError(`schedule: warmupSteps must be a non-negative integer, got ${warmupSteps}`);
  if (!Number.isSafeInteger(totalSteps) || totalSteps < 1) throw new RangeError(`schedule: totalSteps must be a positive integer, got ${totalSteps}`);
  if (!(lrMin >= 0)) throw new RangeError(`schedule: lrMin must be >= 0, got ${lrMin}`);
}

/** The decay factor's value at a phase in [0, 1]: 1 at the start, 0 at the end. */
function decayShape(decay: DecayKind, phase: number): number {
  switch (decay) {
    case 'cosine':
      return 0.5 * (1 + Math.cos(Math.PI * phase));
    case 'linear':
      return 1 - phase;
    case 'constant':
      return 1;
  }
}

/** The rate after warm-up at decay position `position` (steps), of D decay steps. */
function decayed(schedule: Schedule, base: number, position: number, D: number): number {
  if (schedule.decay === 'constant') return base;
  if (D <= 0) return schedule.lrMin;
  const phase = Math.min(Math.max(position, 0), D) / D;
  return schedule.lrMin + (base - schedule.lrMin) * decayShape(schedule.decay, phase);
}

/** The value S5 writes after step s (before the lag). */
function s5Value(schedule: Schedule, base: number, s: number): number {
  const { warmupSteps: W, totalSteps } = schedule;
  if (s < W) return (base * (s + 1)) / W;
  return decayed(schedule, base, s, totalSteps - W);
}

/** The learning rate used by optimizer step k (0-based) for a base rate `base`. */
export function learningRate(schedule: Schedule, base: number, k: number): number {
  const { warmupSteps: W, totalSteps } = schedule;
  if (schedule.s5Quirks) return k === 0 ? base : s5Value(schedule, base, k - 1);
  if (k < W) return (base * (k + 1)) / W;
  return decayed(schedule, base, k - W, totalSteps - W);
}
