/**
 * Adam and AdamW over parameter groups (Optax defaults b1 0.9, b2 0.999, eps 1e-8), written as
 * DSL programs so that the update traces into the jitted training step.
 *
 * Per leaf, with gradient g, step count t (after increment), base rate η of the leaf's group
 * and weight decay λ of the group (0 for plain Adam):
 *   m ← b1·m + (1 − b1)·g
 *   v ← b2·v + (1 − b2)·|g|²                     (real, also for complex leaves)
 *   d  = (m / (1 − b1^t)) / (sqrt(v / (1 − b2^t)) + eps)
 *   p ← p − η·(d + λ·p)                          (decoupled weight decay, Optax adamw)
 * For a complex leaf the gradient is ∂L/∂x + i∂L/∂y (T.grad's convention), so m and d are
 * complex and the update moves the real and imaginary parts together.
 *
 * Groups (spec §2.3, src/models/paramGroups.ts): 'ssm' is Adam at ssm_lr without decay;
 * 'ssm_decay' AdamW at ssm_lr with decay (B under BandCdecay); 'regular' AdamW at lr.
 */
import * as T from '../index';
import type { ParamGroup } from '../models/paramGroups';
import { scaleByAdam } from '../optim/transform';

export interface AdamHyper {
  readonly b1: number;
  readonly b2: number;
  readonly eps: number;
}

export const ADAM_DEFAULTS: AdamHyper = { b1: 0.9, b2: 0.999, eps: 1e-8 };

/** Which base rate a leaf follows and the weight decay applied to it. */
export interface LeafRule {
  readonly rate: 'lr' | 'ssmLr';
  readonly weightDecay: number;
}

/** The rule of a parameter group for a run's weight decay. */
export function groupRule(group: ParamGroup, weightDecay: number): LeafRule {
  switch (group) {
    case 'ssm':
      return { rate: 'ssmLr', weightDecay: 0 };
    case 'ssm_decay':
      return { rate: 'ssmLr', weightDecay };
    case 'regular':
      return { rate: 'lr', weightDecay };
  }
}

/** Learning rates of one step, as f32 scalar tensors (inputs of the compiled step). */
export interface Rates {
  readonly lr: T.Tensor<'f32'>;
  readonly ssmLr: T.Tensor<'f32'>;
}

export const ratesOf = (lr: number, ssmLr: number): Rates => ({ lr: T.scalar(lr), ssmLr: T.scalar(ssmLr) });

/** Optimizer state: the step count and the first/second moments, shaped like the parameters. */
export interface AdamState<P> {
  /** Steps taken, an f32 scalar. */
  readonly count: T.Tensor<'f32'>;
  /** First moments (c64 for complex leaves). */
  readonly mu: P;
  /** Second moments (always f32). */
  readonly nu: P;
}

export interface Optimizer<P> {
  readonly hyper: AdamHyper;
  /** One rule per parameter leaf, in T.tree.flatten order. */
  readonly rules: readonly LeafRule[];
  init(params: P): AdamState<P>;
  update(grads: P, state: AdamState<P>, params: P, rates: Rates): { params: P; state: AdamState<P> };
}

function leavesOf(tree: unknown, what: string, expected: number): T.Tensor[] {
  const [leaves] = T.tree.flatten(tree);
  if (leaves.length !== expected) throw new Error(`optimizer: ${what} has ${leaves.length} tensors, the parameters have ${expected}`);
  return leaves as T.Tensor[];
}

/**
 * AdamW with per-leaf rules (a rule with weight decay 0 is Adam). `rules[i]` belongs to the
 * i-th leaf of T.tree.flatten(params). The Adam direction and moments are ssmjit/optim's
 * scaleByAdam (same state: count, mu, nu); the per-group rates and decay are applied here, with
 * the rates as tensor inputs of the compiled step.
 */
export function adamw<P>(rules: readonly LeafRule[], hyper: AdamHyper = ADAM_DEFAULTS): Optimizer<P> {
  const adam = scaleByAdam(hyper);
  return {
    hyper,
    rules,
    init(params) {
      leavesOf(params, 'the parameter tree', rules.length);
      return adam.init(params) as AdamState<P>;
    },
    update(grads, state, params, rates) {
      const [pLeaves, def] = T.tree.flatten(params);
      const n = rules.length;
      if (pLeaves.length !== n) throw new Error(`optimizer: the parameters have ${pLeaves.length} tensors, the optimizer was built for ${n}`);
      leavesOf(grads, 'the gradient tree', n);
      leavesOf(state.mu, 'the first-moment tree', n);
      leavesOf(state.nu, 'the second-moment tree', n);
      const { updates, state: next } = adam.update(grads, state, params);
      // Leaves are f32 or c64; the element-wise ops below accept both, typed as f32 here.
      const direction = T.tree.leaves(updates) as T.Tensor<'f32'>[];
      const newP = (pLeaves as T.Tensor<'f32'>[]).map((p, i) => {
        const { rate, weightDecay } = rules[i];
        const step = weightDecay > 0 ? T.add(direction[i], T.mul(p, weightDecay)) : direction[i];
        return T.sub(p, T.mul(step, rates[rate]));
      });
      return { params: T.tree.unflatten<P>(def, newP), state: next as AdamState<P> };
    },
  };
}
