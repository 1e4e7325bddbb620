/**
 * One residual sequence layer (S5 SequenceLayer, spec §2.1), for any of the three SSMs:
 *   skip = x;  prenorm: x = Norm(x);  x = SSM(x);  x = Activation(x) (with dropout);
 *   x = skip + x;  postnorm: x = Norm(x).
 * Parallel mode works on f32[B, L, H]; recurrent mode (evaluation only: running BatchNorm
 * statistics, no dropout) on one time step f32[B, H].
 */
import * as T from '../index';
import type { ModelConfig } from './config';
import { type GluParams, type NormParams, type NormState, applyActivation, applyNorm, dropout, initActivation, initNorm } from './layers';
import { type SSMApplyOptions, type SSMParams, type SSMRecurrent, applySSM, initSSM, ssmStep } from './ssm';

export interface SequenceLayerParams {
  readonly ssm: SSMParams;
  readonly norm: NormParams;
  readonly glu: GluParams;
}

export interface SequenceLayerState {
  readonly norm: NormState;
}

export interface LayerContext extends SSMApplyOptions {
  readonly train: boolean;
  /** Dropout key for this layer (needed when training with dropout > 0). */
  readonly key?: T.random.Key;
}

export function initSequenceLayer(config: ModelConfig, key: T.random.Key): { params: SequenceLayerParams; state: SequenceLayerState } {
  const [kSSM, kGlu] = T.random.split(key);
  const norm = initNorm(config.norm, config.dModel);
  return {
    params: { ssm: initSSM(config.ssm, config.dModel, kSSM), norm: norm.params, glu: initActivation(config.activation, config.dModel, kGlu) },
    state: { norm: norm.state },
  };
}

/** Wraps `core` (the SSM, in either mode) in norm, activation and residual. */
function residual(
  config: ModelConfig,
  params: SequenceLayerParams,
  state: SequenceLayerState,
  x: T.Tensor<'f32'>,
  train: boolean,
  key: T.random.Key | undefined,
  core: (x: T.Tensor<'f32'>) => T.Tensor<'f32'>,
): { y: T.Tensor<'f32'>; state: SequenceLayerState } {
  const norm = (v: T.Tensor<'f32'>) => applyNorm(config.norm, params.norm, state.norm, v, { train, momentum: config.bnMomentum });
  const keys = train && key !== undefined && config.dropout > 0 ? T.random.split(key) : [undefined, undefined];
  const drops = [(v: T.Tensor<'f32'>) => dropout(config.dropout, keys[0], v), (v: T.Tensor<'f32'>) => dropout(config.dropout, keys[1], v)] as const;
  const pre = config.prenorm ? norm(x) : { y: x, state: state.norm };
  const z = T.add(x, applyActivation(config.activation, params.glu, core(pre.y), drops));
  const post = config.prenorm ? { y: z, state: pre.state } : norm(z);
  return { y: post.y, state: { norm: post.state } };
}

/** Parallel mode: x f32[B, L, H] -> f32[B, L, H], and the updated norm state. */
export function applySequenceLayer(
  config: ModelConfig,
  params: SequenceLayerParams,
  state: SequenceLayerState,
  x: T.Tensor<'f32'>,
  context: LayerContext,
): { y: T.Tensor<'f32'>; state: SequenceLayerState } {
  if (context.train && config.dropout > 0 && context.key === undefined) {
    throw new Error(`sequence layer: training with dropout ${config.dropout} needs a PRNG key`);
  }
  return residual(config, params, state, x, context.train, context.key, (v) => applySSM(config.ssm, params.ssm, v, context));
}

/** Recurrent mode, one step: x f32[B, H] and the SSM state -> f32[B, H] and the next SSM state. */
export function stepSequenceLayer(
  config: ModelConfig,
  params: SequenceLayerParams,
  state: SequenceLayerState,
  system: SSMRecurrent,
  ssmState: T.Tensor<'c64'>,
  x: T.Tensor<'f32'>,
  timestep?: T.Tensor<'f32'>,
): { y: T.Tensor<'f32'>; ssmState: T.Tensor<'c64'> } {
  let next = ssmState;
  const { y } = residual(config, params, state, x, false, undefined, (v) => {
    const out = ssmStep(config.ssm, params.ssm, system, ssmState, v, timestep);
    next = out.state;
    return out.y;
  });
  return { y, ssmState: next };
}
