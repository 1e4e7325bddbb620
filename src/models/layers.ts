/**
 * The building blocks around the SSM (spec §2.1): Dense layers (Flax default init: kernel
 * lecun_normal, bias 0), LayerNorm (eps 1e-6) and BatchNorm (eps 1e-5, biased batch variance
 * over all axes but the features, running averages ra = m·ra + (1-m)·stat threaded as state,
 * evaluation with the running averages), dropout with one mask per (example, feature) shared
 * over time, and the activations gelu / full_glu / half_glu1 / half_glu2.
 */
import * as T from '../index';
import type { Activation, NormKind } from './config';
import { lecunNormal } from './initTools';

// ---- Dense ---------------------------------------------------------------------------------

export interface DenseParams {
  /** f32[in, out]. */
  readonly kernel: T.Tensor<'f32'>;
  /** f32[out]. */
  readonly bias: T.Tensor<'f32'>;
}

export const initDense = (key: T.random.Key, dIn: number, dOut: number): DenseParams => ({
  kernel: lecunNormal(key, [dIn, dOut], dIn),
  bias: T.zeros([dOut]),
});

/** x W + b over the last axis. */
export const dense =
  (params: DenseParams) =>
  (x: T.Tensor<'f32'>): T.Tensor<'f32'> =>
    T.add(T.matmul(x, params.kernel), params.bias);

// ---- Normalisation -------------------------------------------------------------------------

export interface NormParams {
  readonly scale: T.Tensor<'f32'>;
  readonly bias: T.Tensor<'f32'>;
}

/** BatchNorm running statistics (LayerNorm keeps no state: an empty record). */
export interface BatchNormStats {
  readonly mean: T.Tensor<'f32'>;
  readonly var: T.Tensor<'f32'>;
}
export type NormState = BatchNormStats | Record<string, never>;

export const LAYER_NORM_EPS = 1e-6;
export const BATCH_NORM_EPS = 1e-5;

export function initNorm(kind: NormKind, H: number): { params: NormParams; state: NormState } {
  const params = { scale: T.ones([H]), bias: T.zeros([H]) };
  return { params, state: kind === 'batch' ? { mean: T.zeros([H]), var: T.ones([H]) } : {} };
}

const normalise = (x: T.Tensor<'f32'>, mean: T.Tensor<'f32'>, variance: T.Tensor<'f32'>, eps: number, params: NormParams): T.Tensor<'f32'> =>
  T.add(T.mul(T.div(T.sub(x, mean), T.sqrt(T.add(variance, eps))), params.scale), params.bias);

export interface NormOptions {
  readonly train: boolean;
  /** BatchNorm running-average momentum m. */
  readonly momentum: number;
}

/** Normalises over the feature (last) axis; returns the output and the (updated) state. */
export function applyNorm(kind: NormKind, params: NormParams, state: NormState, x: T.Tensor<'f32'>, options: NormOptions): { y: T.Tensor<'f32'>; state: NormState } {
  if (kind === 'layer') {
    const stats = { axis: -1, keepdims: true } as const;
    return { y: normalise(x, T.mean(x, stats), T.variance(x, stats), LAYER_NORM_EPS, params), state };
  }
  const running = state as BatchNormStats;
  if (!running.mean || !running.var) throw new Error('BatchNorm: the norm state has no running mean/var (was it initialised for LayerNorm?)');
  if (!options.train) return { y: normalise(x, running.mean, running.var, BATCH_NORM_EPS, params), state };
  const axis = x.shape.slice(0, -1).map((_, i) => i);
  const mean = T.mean(x, { axis });
  const variance = T.variance(x, { axis });
  const m = options.momentum;
  const updated = { mean: T.add(T.mul(running.mean, m), T.mul(mean, 1 - m)), var: T.add(T.mul(running.var, m), T.mul(variance, 1 - m)) };
  return { y: normalise(x, mean, variance, BATCH_NORM_EPS, params), state: updated };
}

// ---- Dropout --------------------------------------------------------------------------------

/**
 * Inverted dropout with rate p: kept values scaled by 1/(1-p). For x: f32[B, L, H] the mask is
 * drawn per (example, feature), shape [B, 1, H], and shared over the L time steps. Identity
 * when key is undefined (evaluation) or p = 0.
 */
export function dropout(rate: number, key: T.random.Key | undefined, x: T.Tensor<'f32'>): T.Tensor<'f32'> {
  if (key === undefined || rate === 0) return x;
  const maskShape = x.ndim === 3 ? [x.shape[0], 1, x.shape[2]] : x.shape;
  const keep = T.cast('f32')(T.random.bernoulli(key, 1 - rate, maskShape));
  return T.mul(x, T.mul(keep, 1 / (1 - rate)));
}

// ---- Activations ----------------------------------------------------------------------------

/** Dense layers of the gated activations: full_glu uses W1 and W2, half_glu1/2 W2, gelu none. */
export interface GluParams {
  readonly W1?: DenseParams;
  readonly W2?: DenseParams;
}

export function initActivation(kind: Activation, H: number, key: T.random.Key): GluParams {
  const [k1, k2] = T.random.split(key);
  if (kind === 'full_glu') return { W1: initDense(k1, H, H), W2: initDense(k2, H, H) };
  if (kind === 'half_glu1' || kind === 'half_glu2') return { W2: initDense(k2, H, H) };
  return {};
}

const denseOf = (params: GluParams, name: 'W1' | 'W2'): DenseParams => {
  const p = params[name];
  if (!p) throw new Error(`activation: missing dense parameters ${name}`);
  return p;
};

/**
 * Activation / gating after the SSM (σ the logistic sigmoid, Drop = `drop[i]`):
 *   gelu:      Drop0(GELU(x))
 *   full_glu:  g = Drop0(GELU(x)); Drop1((W1 g + b1) ⊙ σ(W2 g + b2))
 *   half_glu1: g = Drop0(GELU(x)); Drop1(g ⊙ σ(W2 g + b2))
 *   half_glu2: g = Drop0(GELU(x)); Drop1(x ⊙ σ(W2 g + b2))   (the gate multiplies the pre-GELU x)
 */
export function applyActivation(
  kind: Activation,
  params: GluParams,
  x: T.Tensor<'f32'>,
  drop: readonly [(x: T.Tensor<'f32'>) => T.Tensor<'f32'>, (x: T.Tensor<'f32'>) => T.Tensor<'f32'>],
): T.Tensor<'f32'> {
  const g = drop[0](T.gelu(x));
  if (kind === 'gelu') return g;
  const gate = T.sigmoid(dense(denseOf(params, 'W2'))(g));
  if (kind === 'full_glu') return drop[1](T.mul(dense(denseOf(params, 'W1'))(g), gate));
  return drop[1](T.mul(kind === 'half_glu1' ? g : x, gate));
}
