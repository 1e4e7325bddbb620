/**
 * One interface over the three SSM layers (S5, S4D, S4), chosen by `config.kind`: init,
 * parallel/convolution apply, and the recurrent form (prepare once, then step). Inputs and
 * outputs are f32[B, L, H] in parallel mode and f32[B, H] per step.
 *
 * Step-size options: `stepRescale` multiplies every Δ (all three kinds); `timesteps`
 * (irregular sampling, f32[B, L]) is S5 only, since a convolution kernel assumes one fixed step.
 */
import * as T from '../index';
import type { S5Config, SSMConfig } from './config';
import { type S4Params, type S4Recurrent, applyS4, initS4, s4InitialState, s4Recurrent, s4Step } from './s4';
import { type S4DParams, type S4DRecurrent, applyS4D, initS4D, s4dInitialState, s4dRecurrent, s4dStep } from './s4d';
import { type S5Params, type S5Recurrent, applyS5, initS5, s5InitialState, s5Recurrent, s5Step } from './s5';

export type SSMParams = S5Params | S4DParams | S4Params;
export type SSMRecurrent = S5Recurrent | S4DRecurrent | S4Recurrent;

export interface SSMApplyOptions {
  /** Multiplies every step size Δ (default 1). */
  readonly stepRescale?: number;
  /** Relative step sizes τ: f32[B, L] (S5 only). */
  readonly timesteps?: T.Tensor<'f32'>;
}

export interface SSMRecurrentOptions {
  readonly stepRescale?: number;
  /** The sequence length the S4 output parameter C̃ is defined for (S4 only; required there). */
  readonly L?: number;
}

export function initSSM(config: SSMConfig, H: number, key: T.random.Key): SSMParams {
  switch (config.kind) {
    case 's5':
      return initS5(config, H, key);
    case 's4d':
      return initS4D(config, H, key);
    case 's4':
      return initS4(config, H, key);
  }
}

/** S4/S4D parameters with log_dt shifted by log(stepRescale), i.e. Δ -> stepRescale·Δ. */
function rescaled<P extends { log_dt: T.Tensor<'f32'> }>(params: P, stepRescale: number): P {
  return stepRescale === 1 ? params : { ...params, log_dt: T.add(params.log_dt, Math.log(stepRescale)) };
}

function fixedStepOnly(kind: string, options: SSMApplyOptions): void {
  if (options.timesteps) {
    throw new Error(`${kind}: per-step Δ (timesteps) needs an S5 layer; a convolution kernel assumes one fixed step`);
  }
}

export function applySSM(config: SSMConfig, params: SSMParams, u: T.Tensor<'f32'>, options: SSMApplyOptions = {}): T.Tensor<'f32'> {
  switch (config.kind) {
    case 's5':
      return applyS5(config, params as S5Params, u, options);
    case 's4d':
      fixedStepOnly('S4D', options);
      return applyS4D(config, rescaled(params as S4DParams, options.stepRescale ?? 1), u);
    case 's4':
      fixedStepOnly('S4', options);
      return applyS4(rescaled(params as S4Params, options.stepRescale ?? 1), u);
  }
}

/** The discretised recurrent form of one layer (S4: from concrete parameters, see s4Recurrent). */
export function ssmRecurrent(config: SSMConfig, params: SSMParams, options: SSMRecurrentOptions = {}): SSMRecurrent {
  const stepRescale = options.stepRescale ?? 1;
  switch (config.kind) {
    case 's5':
      return s5Recurrent(config, params as S5Params, stepRescale);
    case 's4d':
      return s4dRecurrent(config, rescaled(params as S4DParams, stepRescale));
    case 's4':
      if (options.L === undefined) throw new Error('S4 recurrent mode needs L, the length the kernel parameter C̃ is defined for');
      return s4Recurrent(config, rescaled(params as S4Params, stepRescale), options.L);
  }
}

export function ssmInitialState(config: SSMConfig, params: SSMParams, system: SSMRecurrent, batch: number): T.Tensor<'c64'> {
  switch (config.kind) {
    case 's5':
      return s5InitialState(params as S5Params, batch);
    case 's4d':
      return s4dInitialState(params as S4DParams, batch);
    case 's4':
      return s4InitialState(system as S4Recurrent, batch);
  }
}

/** One recurrent step: u f32[B, H] (and τ f32[B] for S5) -> y f32[B, H] and the next state. */
export function ssmStep(
  config: SSMConfig,
  params: SSMParams,
  system: SSMRecurrent,
  state: T.Tensor<'c64'>,
  u: T.Tensor<'f32'>,
  timestep?: T.Tensor<'f32'>,
): { state: T.Tensor<'c64'>; y: T.Tensor<'f32'> } {
  if (system.kind !== config.kind) throw new Error(`ssmStep: a ${system.kind} recurrent system was given for a ${config.kind} layer`);
  switch (config.kind) {
    case 's5':
      return s5Step(config as S5Config, params as S5Params, system as S5Recurrent, state, u, timestep);
    case 's4d':
      fixedStepOnly('S4D', { timesteps: timestep });
      return s4dStep(params as S4DParams, system as S4DRecurrent, state, u);
    case 's4':
      fixedStepOnly('S4', { timesteps: timestep });
      return s4Step(params as S4Params, system as S4Recurrent, state, u);
  }
}
