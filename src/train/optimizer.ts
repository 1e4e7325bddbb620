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

/** |g|² as f32: re² + im² for complex leaves. */
const squaredModulus = (g: T.Tensor): T.Tensor<'f32'> =>
  g.dtype === 'c64' ? T.add(T.square(T.real(g as T.Tensor<'c64'>)), T.square(T.imag(g as T.Tensor<'c64'>))) : T.square(g as T.Tensor<'f32'>);

function leavesOf(tree: unknown, what: string, expected: number): T.Tensor[] {
  const [leaves] = T.tree.flatten(tree);
  if (leaves.length !== expected) throw new Error(`optimizer: ${what} has ${leaves.length} tensors, the parameters have ${expected}`);
  return leaves as T.Tensor[];
}

/**
 * AdamW with per-leaf rules (a rule with weight decay 0 is Adam). `rules[i]` belongs to the
 * i-th leaf of T.tree.flatten(params).
 */
export function adamw<P>(rules: readonly LeafRule[], hyper: AdamHyper = ADAM_DEFAULTS): Optimizer<P> {
  const { b1, b2, eps } = hyper;
  return {
    hyper,
    rules,
    init(params) {
      const leaves = leavesOf(params, 'the parameter tree', rules.length);
      const [, def] = T.tree.flatten(params);
      const mu = leaves.map((p) => T.zeros(p.shape, p.dtype === 'c64' ? 'c64' : 'f32'));
      const nu = leaves.map((p) => T.zeros(p.shape, 'f32'));
      return { count: T.scalar(0), mu: T.tree.unflatten<P>(def, mu), nu: T.tree.unflatten<P>(def, nu) };
    },
    update(grads, state, params, rates) {
      const [pLeaves, def] = T.tree.flatten(params);
      const n = rules.length;
      if (pLeaves.length !== n) throw new Error(`optimizer: the parameters have ${pLeaves.length} tensors, the optimizer was built for ${n}`);
      // Leaves are f32 or c64; the element-wise ops below accept both, typed as f32 here.
      const g = leavesOf(grads, 'the gradient tree', n) as T.Tensor<'f32'>[];
      const m = leavesOf(state.mu, 'the first-moment tree', n) as T.Tensor<'f32'>[];
      const v = leavesOf(state.nu, 'the second-moment tree', n) as T.Tensor<'f32'>[];
      const count = T.add(state.count, 1);
      const correction1 = T.sub(1, T.pow(T.full([], b1), count));
      const correction2 = T.sub(1, T.pow(T.full([], b2), count));
      const newP: T.Tensor[] = [];
      const newM: T.Tensor[] = [];
      const newV: T.Tensor[] = [];
      (pLeaves as T.Tensor<'f32'>[]).forEach((p, i) => {
        const { rate, weightDecay } = rules[i];
        const mi = T.add(T.mul(m[i], b1), T.mul(g[i], 1 - b1));
        const vi = T.add(T.mul(v[i], b2), T.mul(squaredModulus(g[i]), 1 - b2));
        const direction = T.div(T.div(mi, correction1), T.add(T.sqrt(T.div(vi, correction2)), eps));
        const step = weightDecay > 0 ? T.add(direction, T.mul(p, weightDecay)) : direction;
        newP.push(T.sub(p, T.mul(step, rates[rate])));
        newM.push(mi);
        newV.push(vi);
      });
      return {
        params: T.tree.unflatten<P>(def, newP),
        state: { count, mu: T.tree.unflatten<P>(def, newM), nu: T.tree.unflatten<P>(def, newV) },
      };
    },
  };
}
