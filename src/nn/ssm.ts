/**
 * The state-space layers of the built-in models (S5, S4D, S4) as one `init`/`apply` value, with
 * their configs built from partial settings (defaults filled in, each setting validated; the
 * error names the field), and the recurrent form for running a sequence one step at a time:
 *   SSM.apply(config, params, u): u f32[B, L, H] -> f32[B, L, H] (parallel: scan or convolution)
 *   SSM.step(config, params, system, state, u_t): u_t f32[B, H] -> y_t and the next state
 */
import type * as T from '../index';
import { type S4Config, type S4DConfig, type S5Config, type SSMConfig, decodeSSMConfig } from '../models/config';
import { type SSMApplyOptions, type SSMParams, type SSMRecurrent, type SSMRecurrentOptions, applySSM, initSSM, ssmInitialState, ssmRecurrent, ssmStep } from '../models/ssm';

/** Settings of one SSM: its kind and any of its fields (the rest take the defaults). */
export type SSMSettings =
  | ({ readonly kind: 's5' } & Partial<Omit<S5Config, 'kind'>>)
  | ({ readonly kind: 's4d' } & Partial<Omit<S4DConfig, 'kind'>>)
  | ({ readonly kind: 's4' } & Partial<Omit<S4Config, 'kind'>>);

/** A full SSM config from settings; a FormatError naming the field when one is invalid. */
export function ssmConfig<C extends SSMSettings>(settings: C): Extract<SSMConfig, { kind: C['kind'] }> {
  const r = decodeSSMConfig(settings);
  if (r._tag === 'Left') throw r.left;
  return r.right as Extract<SSMConfig, { kind: C['kind'] }>;
}

export const SSM = {
  config: ssmConfig,
  /** Parameters of one layer over H features. */
  init: (config: SSMConfig, key: T.random.Key, H: number): SSMParams => initSSM(config, H, key),
  /** Parallel mode over a whole sequence: u f32[B, L, H] -> f32[B, L, H]. */
  apply: (config: SSMConfig, params: SSMParams, u: T.Tensor<'f32'>, options: SSMApplyOptions = {}): T.Tensor<'f32'> => applySSM(config, params, u, options),
  /** The discretised system of the recurrent mode (S4 needs the length L its kernel was defined for). */
  recurrent: (config: SSMConfig, params: SSMParams, options: SSMRecurrentOptions = {}): SSMRecurrent => ssmRecurrent(config, params, options),
  /** The zero state for a batch. */
  initialState: (config: SSMConfig, params: SSMParams, system: SSMRecurrent, batch: number): T.Tensor<'c64'> => ssmInitialState(config, params, system, batch),
  /** One step: u_t f32[B, H] -> y_t f32[B, H] and the next state (after step t, y_t is apply's output at t). */
  step: (config: SSMConfig, params: SSMParams, system: SSMRecurrent, state: T.Tensor<'c64'>, u: T.Tensor<'f32'>) => ssmStep(config, params, system, state, u),
};
