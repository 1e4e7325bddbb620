/**
 * The sequence model (S5 seq_model.py, spec §2.2): encoder -> nLayers residual SSM layers ->
 * [final norm] -> pooling -> head, as pure functions of (params, state, inputs) so they can be
 * traced, differentiated and compiled.
 *
 *   encoder  Dense(dInput -> H) per step. Token inputs (i32[B, L]) are one-hot in dInput
 *            channels, so the encoder is a row lookup of its kernel plus the bias.
 *   pooling  'mean': Σ_{t<length} x_t / length (lengths i32[B], default L); 'last': x at the last
 *            real step; 'none': every step.
 *   head     classification: Dense(H -> nClasses) then log_softmax; regression: Dense(H -> dOutput).
 *
 * State: BatchNorm running statistics per layer, threaded functionally (apply returns the new
 * state). Recurrent mode runs the same network one step at a time (evaluation only), keeping the
 * SSM states and a running sum for mean pooling; after step t its outputs are those of the
 * parallel model on the first t+1 steps.
 */
import * as T from '../index';
import type { HeadConfig, ModelConfig } from './config';
import { type DenseParams, type NormParams, type NormState, applyNorm, dense, initDense, initNorm } from './layers';
import { type SequenceLayerParams, type SequenceLayerState, applySequenceLayer, initSequenceLayer, stepSequenceLayer } from './sequenceLayer';
import { type SSMRecurrent, type SSMRecurrentOptions, ssmInitialState, ssmRecurrent } from './ssm';

export interface ModelParams {
  readonly encoder: DenseParams;
  readonly layers: readonly SequenceLayerParams[];
  readonly finalNorm?: NormParams;
  readonly decoder: DenseParams;
}

export interface ModelState {
  readonly layers: readonly SequenceLayerState[];
  readonly finalNorm?: NormState;
}

export interface ApplyOptions {
  /** Training mode: batch statistics (and running-average updates) in BatchNorm, dropout. */
  readonly train: boolean;
  /** Dropout key; required when training with dropout > 0. */
  readonly key?: T.random.Key;
  /** Real length of each example, i32[B], for padded batches (masks mean pooling only). */
  readonly lengths?: T.Tensor<'i32'>;
  /** Relative step sizes f32[B, L] (irregular sampling; S5 layers only). */
  readonly timesteps?: T.Tensor<'f32'>;
  /** Multiplies every SSM step size (e.g. 2 when evaluating at half the sampling rate). */
  readonly stepRescale?: number;
}

export const headWidth = (head: HeadConfig): number => (head.kind === 'classification' ? head.nClasses : head.dOutput);

export function initModel(config: ModelConfig, key: T.random.Key): { params: ModelParams; state: ModelState } {
  const [kEnc, kDec, ...kLayers] = T.random.split(key, config.nLayers + 2);
  const layers = kLayers.map((k) => initSequenceLayer(config, k));
  const finalNorm = config.finalNorm ? initNorm(config.norm, config.dModel) : undefined;
  return {
    params: {
      encoder: initDense(kEnc, config.dInput, config.dModel),
      layers: layers.map((l) => l.params),
      ...(finalNorm ? { finalNorm: finalNorm.params } : {}),
      decoder: initDense(kDec, config.dModel, headWidth(config.head)),
    },
    state: { layers: layers.map((l) => l.state), ...(finalNorm ? { finalNorm: finalNorm.state } : {}) },
  };
}

/** Encoder: f32[B, L, dInput] (or [B, dInput] per step) through Dense; i32 token ids through a kernel-row lookup. */
export function encode(config: ModelConfig, params: DenseParams, inputs: T.Tensor): T.Tensor<'f32'> {
  if (config.inputKind === 'tokens') {
    if (inputs.dtype !== 'i32') throw new TypeError(`model: token inputs must be i32 ids, got ${inputs.dtype}`);
    return T.add(T.take(params.kernel, inputs as T.Tensor<'i32'>, 0), params.bias);
  }
  if (inputs.dtype !== 'f32' || inputs.shape[inputs.ndim - 1] !== config.dInput) {
    throw new TypeError(`model: float inputs must be f32[..., ${config.dInput}], got ${inputs.dtype}[${inputs.shape.join(',')}]`);
  }
  return dense(params)(inputs as T.Tensor<'f32'>);
}

/** Per-example step weights f32[B, L, 1] for 'mean' (1/length on real steps) or 'last' (1 at length-1). */
function poolingWeights(config: ModelConfig, batch: number, L: number, lengths: T.Tensor<'i32'> | undefined): T.Tensor<'f32'> {
  const t = T.iota([batch, L], 1, 'i32');
  const len = lengths ? T.expandDims(lengths, -1) : T.full([batch, 1], L, 'i32');
  const selected =
    config.pooling === 'last' ? T.equal(t, T.sub(len, 1)) : T.less(t, len);
  const weights = T.cast('f32')(selected);
  const scaled = config.pooling === 'last' ? weights : T.div(weights, T.cast('f32')(len));
  return T.expandDims(scaled, -1);
}

function pool(config: ModelConfig, x: T.Tensor<'f32'>, lengths: T.Tensor<'i32'> | undefined): T.Tensor<'f32'> {
  if (config.pooling === 'none') return x;
  const [batch, L] = x.shape;
  if (lengths && (lengths.ndim !== 1 || lengths.shape[0] !== batch)) {
    throw new RangeError(`model: lengths must be i32[${batch}], got ${lengths.dtype}[${lengths.shape.join(',')}]`);
  }
  if (config.pooling === 'last' && !lengths) return T.squeeze(T.sliceAxis(x, 1, L - 1, L), 1);
  return T.sum(T.mul(x, poolingWeights(config, batch, L, lengths)), { axis: 1 });
}

export function head(config: ModelConfig, params: DenseParams, features: T.Tensor<'f32'>): T.Tensor<'f32'> {
  const out = dense(params)(features);
  return config.head.kind === 'classification' ? T.logSoftmax(-1)(out) : out;
}

const finalNormOf = (config: ModelConfig, params: ModelParams, state: ModelState, x: T.Tensor<'f32'>, train: boolean): { y: T.Tensor<'f32'>; state?: NormState } =>
  config.finalNorm && params.finalNorm && state.finalNorm
    ? applyNorm(config.norm, params.finalNorm, state.finalNorm, x, { train, momentum: config.bnMomentum })
    : { y: x };

/**
 * The model in parallel mode. inputs: f32[B, L, dInput] or token ids i32[B, L]. outputs:
 * log-probabilities f32[B, nClasses] (classification) or f32[B, dOutput] (regression), with an
 * extra L axis for pooling 'none'.
 */
export function applyModel(
  config: ModelConfig,
  params: ModelParams,
  state: ModelState,
  inputs: T.Tensor,
  options: ApplyOptions,
): { outputs: T.Tensor<'f32'>; state: ModelState } {
  if (inputs.ndim !== (config.inputKind === 'tokens' ? 2 : 3)) {
    throw new RangeError(`model: inputs must be ${config.inputKind === 'tokens' ? 'i32[B, L]' : `f32[B, L, ${config.dInput}]`}, got ${inputs.dtype}[${inputs.shape.join(',')}]`);
  }
  if (params.layers.length !== config.nLayers) throw new RangeError(`model: params have ${params.layers.length} layers, config.nLayers is ${config.nLayers}`);
  const keys = options.key ? T.random.split(options.key, config.nLayers) : [];
  let x = encode(config, params.encoder, inputs);
  const layerStates: SequenceLayerState[] = [];
  params.layers.forEach((layer, i) => {
    const out = applySequenceLayer(config, layer, state.layers[i], x, { ...options, key: keys[i] });
    x = out.y;
    layerStates.push(out.state);
  });
  const final = finalNormOf(config, params, state, x, options.train);
  const outputs = head(config, params.decoder, pool(config, final.y, options.lengths));
  return { outputs, state: { layers: layerStates, ...(final.state ? { finalNorm: final.state } : {}) } };
}

// ---- recurrent mode ---------------------------------------------------------------------------

export interface RecurrentModel {
  readonly systems: readonly SSMRecurrent[];
}

export interface RecurrentState {
  /** Per-layer SSM states. */
  readonly ssm: readonly T.Tensor<'c64'>[];
  /** Σ of the features over the steps so far, f32[B, H] (for mean pooling). */
  readonly sum: T.Tensor<'f32'>;
  /** Number of steps so far (a scalar tensor, so a step stays a pure function of tensors). */
  readonly steps: T.Tensor<'f32'>;
}

/** Discretised recurrent forms of every layer (S4 needs options.L; see ssmRecurrent). Causal layers only. */
export const prepareRecurrent = (config: ModelConfig, params: ModelParams, options: SSMRecurrentOptions = {}): RecurrentModel => ({
  systems: params.layers.map((layer) => ssmRecurrent(config.ssm, layer.ssm, options)),
});

export const initRecurrentState = (config: ModelConfig, params: ModelParams, recurrent: RecurrentModel, batch: number): RecurrentState => ({
  ssm: params.layers.map((layer, i) => ssmInitialState(config.ssm, layer.ssm, recurrent.systems[i], batch)),
  sum: T.zeros([batch, config.dModel]),
  steps: T.scalar(0),
});

/**
 * One step of the model in evaluation mode: input f32[B, dInput] (or ids i32[B]) and optional
 * τ f32[B] -> outputs as applyModel would give on the steps so far (pooling 'none': this step's).
 */
export function stepModel(
  config: ModelConfig,
  params: ModelParams,
  state: ModelState,
  recurrent: RecurrentModel,
  carry: RecurrentState,
  input: T.Tensor,
  timestep?: T.Tensor<'f32'>,
): { outputs: T.Tensor<'f32'>; carry: RecurrentState } {
  let x = encode(config, params.encoder, input);
  const ssm = params.layers.map((layer, i) => {
    const out = stepSequenceLayer(config, layer, state.layers[i], recurrent.systems[i], carry.ssm[i], x, timestep);
    x = out.y;
    return out.ssmState;
  });
  const features = finalNormOf(config, params, state, x, false).y;
  const sum = T.add(carry.sum, features);
  const steps = T.add(carry.steps, 1);
  const pooled = config.pooling === 'mean' ? T.div(sum, steps) : features;
  return { outputs: head(config, params.decoder, pooled), carry: { ssm, sum, steps } };
}

/** Number of trainable real numbers (a c64 entry counts 2). */
export function paramCount(params: unknown): number {
  const [leaves] = T.tree.flatten(params);
  return (leaves as T.Tensor[]).reduce((n, leaf) => n + leaf.size * (leaf.dtype === 'c64' ? 2 : 1), 0);
}

/** The model's functions bound to one config: the form a training loop holds on to. */
export interface SequenceModel {
  readonly config: ModelConfig;
  init(key: T.random.Key): { params: ModelParams; state: ModelState };
  apply(params: ModelParams, state: ModelState, inputs: T.Tensor, options: ApplyOptions): { outputs: T.Tensor<'f32'>; state: ModelState };
  prepareRecurrent(params: ModelParams, options?: SSMRecurrentOptions): RecurrentModel;
  initRecurrentState(params: ModelParams, recurrent: RecurrentModel, batch: number): RecurrentState;
  step(params: ModelParams, state: ModelState, recurrent: RecurrentModel, carry: RecurrentState, input: T.Tensor, timestep?: T.Tensor<'f32'>): { outputs: T.Tensor<'f32'>; carry: RecurrentState };
}

export const sequenceModel = (config: ModelConfig): SequenceModel => ({
  config,
  init: (key) => initModel(config, key),
  apply: (params, state, inputs, options) => applyModel(config, params, state, inputs, options),
  prepareRecurrent: (params, options) => prepareRecurrent(config, params, options),
  initRecurrentState: (params, recurrent, batch) => initRecurrentState(config, params, recurrent, batch),
  step: (params, state, recurrent, carry, input, timestep) => stepModel(config, params, state, recurrent, carry, input, timestep),
});
