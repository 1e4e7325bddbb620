/**
 * Optimizers as composable gradient transformations (the optax design), written in the DSL so
 * an update traces into a jitted training step. A transformation has `init(params)` (its
 * state) and `update(updates, state, params)` (new updates and state); `chain` composes them,
 * `multiTransform` gives each parameter group its own, `applyUpdates` adds the result to the
 * parameters. Every tree is any parameter tree (records, arrays, tensors at the leaves);
 * f32 and c64 leaves (complex updates follow grad's ∂L/∂x + i·∂L/∂y convention).
 *
 * Adam, per leaf with gradient g and step count t (after increment):
 *   m ← b1·m + (1 − b1)·g;  v ← b2·v + (1 − b2)·|g|²;  u = (m / (1 − b1^t)) / (sqrt(v / (1 − b2^t)) + eps)
 * AdamW adds λ·p to u before scaling by −η (decoupled weight decay, as optax.adamw).
 */
import * as T from '../index';
import { type Schedule, scheduleValue } from './schedules';

/** A gradient transformation: its state is a tree of tensors (checkpointed with the parameters). */
export interface GradientTransformation<S = unknown> {
  init(params: unknown): S;
  update<U>(updates: U, state: S, params?: U): { updates: U; state: S };
}

const leavesOf = (tree: unknown, what: string): T.Tensor[] => {
  const [leaves] = T.tree.flatten(tree);
  return leaves as T.Tensor[];
};

function sameLeaves(op: string, a: unknown, b: unknown, what: string): void {
  const n = leavesOf(a, 'updates').length;
  const m = leavesOf(b, what).length;
  if (n !== m) throw new Error(`${op}: the updates have ${n} tensors, ${what} has ${m}`);
}

/** |g|² as f32 (re² + im² for c64). */
const squaredModulus = (g: T.Tensor): T.Tensor<'f32'> =>
  g.dtype === 'c64' ? T.add(T.square(T.real(g as T.Tensor<'c64'>)), T.square(T.imag(g as T.Tensor<'c64'>))) : T.square(g as T.Tensor<'f32'>);

const asFloat = (x: T.Tensor): T.Tensor<'f32'> => x as T.Tensor<'f32'>;

export interface AdamOptions {
  readonly b1?: number;
  readonly b2?: number;
  readonly eps?: number;
}

export interface ScaleByAdamState {
  /** Steps taken, an f32 scalar. */
  readonly count: T.Tensor<'f32'>;
  readonly mu: unknown;
  readonly nu: unknown;
}

/** The Adam direction (bias-corrected first moment over the root of the second), not yet scaled by −η. */
export function scaleByAdam(options: AdamOptions = {}): GradientTransformation<ScaleByAdamState> {
  const { b1 = 0.9, b2 = 0.999, eps = 1e-8 } = options;
  return {
    init: (params) => ({
      count: T.scalar(0),
      mu: T.tree.treeMap(params, (p) => T.zeros(p.shape, p.dtype === 'c64' ? 'c64' : 'f32')),
      nu: T.tree.treeMap(params, (p) => T.zeros(p.shape, 'f32')),
    }),
    update(updates, state) {
      sameLeaves('scaleByAdam', updates, state.mu, 'its first-moment state');
      const count = T.add(state.count, 1);
      const c1 = T.sub(1, T.pow(T.full([], b1), count));
      const c2 = T.sub(1, T.pow(T.full([], b2), count));
      const [g, def] = T.tree.flatten(updates);
      const m = leavesOf(state.mu, 'mu');
      const v = leavesOf(state.nu, 'nu');
      const mu = (g as T.Tensor[]).map((gi, i) => T.add(T.mul(asFloat(m[i]), b1), T.mul(asFloat(gi), 1 - b1)));
      const nu = (g as T.Tensor[]).map((gi, i) => T.add(T.mul(asFloat(v[i]), b2), T.mul(squaredModulus(gi), 1 - b2)));
      const out = mu.map((mi, i) => T.div(T.div(mi, c1), T.add(T.sqrt(T.div(nu[i], c2)), eps)));
      return {
        updates: T.tree.unflatten(def, out),
        state: { count, mu: T.tree.unflatten(def, mu), nu: T.tree.unflatten(def, nu) },
      };
    },
  };
}

/** Multiplies every update by a constant. */
export function scale(factor: number): GradientTransformation<Record<string, never>> {
  return {
    init: () => ({}),
    update: (updates, state) => ({ updates: T.tree.treeMap(updates, (u) => T.mul(asFloat(u), factor)), state }),
  };
}

export interface ScheduleState {
  /** Steps taken, an f32 scalar: the schedule's argument. */
  readonly count: T.Tensor<'f32'>;
}

/** Scales updates by −schedule(step) (a gradient descent step at that rate). */
export function scaleByLearningRate(rate: Schedule): GradientTransformation<ScheduleState> {
  return {
    init: () => ({ count: T.scalar(0) }),
    update(updates, state) {
      const eta = scheduleValue(rate, state.count);
      return { updates: T.tree.treeMap(updates, (u) => T.mul(asFloat(u), T.neg(eta))), state: { count: T.add(state.count, 1) } };
    },
  };
}

/** Adds λ·params to the updates (decoupled weight decay). */
export function addDecayedWeights(weightDecay: number): GradientTransformation<Record<string, never>> {
  return {
    init: () => ({}),
    update(updates, state, params) {
      if (weightDecay === 0) return { updates, state };
      if (params === undefined) throw new Error('addDecayedWeights: update needs the parameters');
      sameLeaves('addDecayedWeights', updates, params, 'the parameters');
      return { updates: T.tree.treeZip([updates, params], ([u, p]) => T.add(asFloat(u), T.mul(asFloat(p), weightDecay))), state };
    },
  };
}

/** Global-norm clipping (optax clip_by_global_norm): updates scaled so sqrt(Σ|u|²) ≤ maxNorm. */
export function clipByGlobalNorm(maxNorm: number): GradientTransformation<Record<string, never>> {
  if (!(maxNorm > 0)) throw new RangeError(`clipByGlobalNorm: maxNorm must be positive, got ${maxNorm}`);
  return {
    init: () => ({}),
    update(updates, state) {
      const norm = globalNorm(updates);
      const factor = T.where(T.less(norm, maxNorm), T.scalar(1), T.div(T.scalar(maxNorm), norm));
      return { updates: T.tree.treeMap(updates, (u) => T.mul(asFloat(u), factor)), state };
    },
  };
}

/** sqrt of the sum of squared moduli of every leaf, an f32 scalar. */
export function globalNorm(tree: unknown): T.Tensor<'f32'> {
  let total: T.Tensor<'f32'> = T.scalar(0);
  for (const leaf of leavesOf(tree, 'tree')) total = T.add(total, T.sum(squaredModulus(leaf)));
  return T.sqrt(total);
}

type States<Ts extends readonly GradientTransformation<unknown>[]> = { -readonly [K in keyof Ts]: Ts[K] extends GradientTransformation<infer S> ? S : never };

/** Applies transformations in order: each one's updates are the next one's input. */
export function chain<const Ts extends readonly GradientTransformation<any>[]>(...transforms: Ts): GradientTransformation<States<Ts>> {
  return {
    init: (params) => transforms.map((t) => t.init(params)) as States<Ts>,
    update(updates, state, params) {
      let current = updates;
      const next = transforms.map((t, i) => {
        const out = t.update(current, (state as unknown[])[i], params);
        current = out.updates;
        return out.state;
      });
      return { updates: current, state: next as States<Ts> };
    },
  };
}

/** Adam: chain(scaleByAdam, scaleByLearningRate(rate)). */
export const adam = (rate: Schedule, options: AdamOptions = {}) => chain(scaleByAdam(options), scaleByLearningRate(rate));

/** AdamW: chain(scaleByAdam, addDecayedWeights(weightDecay), scaleByLearningRate(rate)); weight decay defaults to 1e-4 as in optax. */
export const adamw = (rate: Schedule, options: AdamOptions & { readonly weightDecay?: number } = {}) =>
  chain(scaleByAdam(options), addDecayedWeights(options.weightDecay ?? 1e-4), scaleByLearningRate(rate));

/** Plain gradient descent at a rate. */
export const sgd = (rate: Schedule) => scaleByLearningRate(rate);

/** params + updates, leafwise. */
export function applyUpdates<P>(params: P, updates: P): P {
  sameLeaves('applyUpdates', updates, params, 'the parameters');
  return T.tree.treeZip([params, updates], ([p, u]) => T.add(asFloat(p), asFloat(u)));
}

/** A leaf's group label: from a tree of labels shaped like the parameters, or a function of the leaf's path. */
export type Labels = unknown | ((path: string, leaf: T.Tensor) => string);

function labelList(labels: Labels, params: unknown): string[] {
  const paths = T.tree.treePaths(params);
  const leaves = leavesOf(params, 'params');
  if (typeof labels === 'function') return leaves.map((leaf, i) => (labels as (path: string, leaf: T.Tensor) => string)(paths[i], leaf));
  const [names] = T.tree.flatten(labels, (x) => typeof x === 'string');
  if (names.length !== leaves.length) throw new Error(`multiTransform: the label tree has ${names.length} labels, the parameters have ${leaves.length} tensors`);
  return names as string[];
}

/**
 * Parameter groups: each leaf gets the transformation of its label (from a label tree shaped
 * like the parameters, or a function of the leaf's dotted path, "layers[0].ssm.B").
 */
export function multiTransform(transforms: Readonly<Record<string, GradientTransformation<any>>>, labels: Labels): GradientTransformation<Record<string, unknown>> {
  const groups = (tree: unknown, names: string[]): Record<string, Record<string, T.Tensor>> => {
    const leaves = leavesOf(tree, 'tree');
    const out: Record<string, Record<string, T.Tensor>> = {};
    names.forEach((name, i) => {
      if (!(name in transforms)) throw new Error(`multiTransform: no transformation for the label '${name}' (known: ${Object.keys(transforms).join(', ')})`);
      (out[name] ??= {})[String(i).padStart(8, '0')] = leaves[i];
    });
    return out;
  };
  return {
    init(params) {
      const byLabel = groups(params, labelList(labels, params));
      return Object.fromEntries(Object.entries(byLabel).map(([name, sub]) => [name, transforms[name].init(sub)]));
    },
    update(updates, state, params) {
      const names = labelList(labels, params ?? updates);
      const [leaves, def] = T.tree.flatten(updates);
      const u = groups(updates, names);
      const p = params === undefined ? undefined : groups(params, names);
      const out = [...(leaves as T.Tensor[])];
      const next: Record<string, unknown> = {};
      for (const [name, sub] of Object.entries(u)) {
        const r = transforms[name].update(sub, state[name], p?.[name]);
        next[name] = r.state;
        for (const [k, v] of Object.entries(r.updates)) out[Number(k)] = v;
      }
      return { updates: T.tree.unflatten(def, out), state: next };
    },
  };
}
