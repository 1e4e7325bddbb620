/**
 * Layers as values: each is a pair of pure functions, `init` (a PRNG key and sizes to a
 * parameter tree) and `apply` (parameters and inputs to outputs), so a user's model is plain
 * composition and its parameters a plain tree that grad, jit and the optimizers take as is.
 * Layers with state (BatchNorm's running statistics) take and return it explicitly.
 * The built-in sequence model uses the same functions (src/models/layers.ts).
 */
import * as T from '../index';
import { type BatchNormStats, type DenseParams, type GluParams, type NormParams, BATCH_NORM_EPS, LAYER_NORM_EPS, applyActivation, applyNorm, dense, dropout as dropoutImpl, initActivation, initDense, initNorm } from '../models/layers';
import type { Activation } from '../models/config';
import { lecunNormal } from '../models/initTools';

export type { BatchNormStats, DenseParams, GluParams, NormParams };
export { BATCH_NORM_EPS, LAYER_NORM_EPS };

/** Dense: y = x·kernel + bias over the last axis; kernel lecun-normal, bias zero (Flax defaults). */
export const Dense = {
  init: (key: T.random.Key, dIn: number, dOut: number): DenseParams => initDense(key, dIn, dOut),
  apply: (params: DenseParams, x: T.Tensor<'f32'>): T.Tensor<'f32'> => dense(params)(x),
};

export interface EmbeddingParams {
  /** f32[vocabulary, features]. */
  readonly table: T.Tensor<'f32'>;
}

/** Embedding: integer ids i32[...] to rows of a table, f32[..., features]. */
export const Embedding = {
  init: (key: T.random.Key, vocabulary: number, features: number): EmbeddingParams => ({ table: lecunNormal(key, [vocabulary, features], features) }),
  apply: (params: EmbeddingParams, ids: T.Tensor<'i32'>): T.Tensor<'f32'> => {
    if (!(ids instanceof T.Tensor) || ids.dtype !== 'i32') {
      throw new TypeError(`Embedding.apply: ids must be an i32 tensor, got ${ids instanceof T.Tensor ? `${ids.dtype}[${ids.shape.join(',')}]` : typeof ids}`);
    }
    return T.take(params.table, ids, 0);
  },
};

/** LayerNorm over the last axis (eps 1e-6), with a learned scale and bias. */
export const LayerNorm = {
  init: (features: number): NormParams => initNorm('layer', features).params,
  apply: (params: NormParams, x: T.Tensor<'f32'>): T.Tensor<'f32'> => applyNorm('layer', params, {}, x, { train: false, momentum: 0 }).y,
};

export interface BatchNormOptions {
  /** Training: normalise with the batch statistics and update the running averages. */
  readonly train: boolean;
  /** Running-average momentum m: ra ← m·ra + (1 − m)·batch statistic (default 0.9). */
  readonly momentum?: number;
}

/**
 * BatchNorm over every axis but the last (eps 1e-5, biased batch variance); its running
 * statistics are state: `apply` returns the new state, which evaluation (train: false) uses.
 */
export const BatchNorm = {
  init: (features: number): { params: NormParams; state: BatchNormStats } => {
    const { params, state } = initNorm('batch', features);
    return { params, state: state as BatchNormStats };
  },
  apply: (params: NormParams, state: BatchNormStats, x: T.Tensor<'f32'>, options: BatchNormOptions): { y: T.Tensor<'f32'>; state: BatchNormStats } => {
    const out = applyNorm('batch', params, state, x, { train: options.train, momentum: options.momentum ?? 0.9 });
    return { y: out.y, state: out.state as BatchNormStats };
  },
};

/**
 * Inverted dropout with rate p (kept values scaled by 1/(1 − p)); identity without a key. For a
 * rank-3 x, f32[B, L, H], one mask per (example, feature) is shared over the L steps.
 */
export function dropout(rate: number, key: T.random.Key | undefined, x: T.Tensor<'f32'>): T.Tensor<'f32'> {
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`dropout: rate must be in [0, 1), got ${rate}`);
  return dropoutImpl(rate, key, x);
}

export type GluKind = Activation;

/**
 * The gated activations of S5's sequence layer, for features H:
 *   gelu:      GELU(x)
 *   full_glu:  g = GELU(x); (W1 g + b1) ⊙ σ(W2 g + b2)
 *   half_glu1: g = GELU(x); g ⊙ σ(W2 g + b2)
 *   half_glu2: g = GELU(x); x ⊙ σ(W2 g + b2)
 */
export const GLU = {
  init: (kind: GluKind, key: T.random.Key, features: number): GluParams => initActivation(kind, features, key),
  apply: (kind: GluKind, params: GluParams, x: T.Tensor<'f32'>): T.Tensor<'f32'> => applyActivation(kind, params, x, [(v) => v, (v) => v]),
};
