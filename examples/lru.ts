/**
 * A Linear Recurrent Unit (Orvieto et al. 2023, "Resurrecting Recurrent Neural Networks for Long
 * Sequences") written as a user's model file: `init` and `apply` over the public API, trained by
 * `ssmjit train --model ./examples/lru.ts --task adding` (or any task), evaluated and run by
 * `ssmjit eval` / `ssmjit predict` on its checkpoints.
 *
 * Per layer, with u_t ∈ R^H and a complex diagonal state x_t ∈ C^P:
 *   λ = exp(−exp(ν) + i·exp(θ))                 (stable: |λ| < 1 for every ν)
 *   x_t = λ ⊙ x_{t−1} + (γ ⊙ B) u_t,  γ = sqrt(1 − |λ|²) (normalisation at init, exp(γ_log) trained)
 *   y_t = Re(C x_t) + D ⊙ u_t
 * ν, θ are initialised so that |λ| is uniform on the ring [rMin, rMax] and arg λ on [0, maxPhase].
 * The network: Dense encoder → LRU → GELU → residual → LayerNorm → mean over time → Dense head
 * (log-softmax for classification).
 */
import * as T from 'ssmjit';
import { Dense, type DenseParams, LayerNorm, type NormParams } from 'ssmjit/nn';

export interface LRUParams {
  readonly nu_log: T.Tensor<'f32'>;
  readonly theta_log: T.Tensor<'f32'>;
  readonly gamma_log: T.Tensor<'f32'>;
  readonly B_re: T.Tensor<'f32'>;
  readonly B_im: T.Tensor<'f32'>;
  readonly C_re: T.Tensor<'f32'>;
  readonly C_im: T.Tensor<'f32'>;
  readonly D: T.Tensor<'f32'>;
}

export interface Params {
  readonly encoder: DenseParams;
  readonly lru: LRUParams;
  readonly norm: NormParams;
  readonly decoder: DenseParams;
}

/** Model sizes: features H, state size P, and the eigenvalue ring. */
export const SIZES = { H: 32, P: 32, rMin: 0.4, rMax: 0.99, maxPhase: Math.PI / 10 };

/** LRU parameters for H features and P states (the paper's initialisation). */
export function initLRU(key: T.random.Key, H: number, P: number, rMin = SIZES.rMin, rMax = SIZES.rMax, maxPhase = SIZES.maxPhase): LRUParams {
  const [k1, k2, k3, k4, k5, k6, k7] = T.random.split(key, 7);
  const u1 = T.random.uniform(k1, [P]);
  const u2 = T.random.uniform(k2, [P]);
  // |λ|² uniform on [rMin², rMax²]: ν = −½·log(u1·(rMax² − rMin²) + rMin²), stored as log ν.
  const nu = T.mul(T.log(T.add(T.mul(u1, rMax ** 2 - rMin ** 2), rMin ** 2)), -0.5);
  const theta = T.mul(u2, maxPhase);
  const modulus = T.exp(T.neg(nu));
  return {
    nu_log: T.log(nu),
    theta_log: T.log(T.maximum(theta, 1e-6)),
    gamma_log: T.log(T.sqrt(T.sub(1, T.square(modulus)))),
    B_re: T.random.normal(k3, [P, H], Math.sqrt(1 / (2 * H))),
    B_im: T.random.normal(k4, [P, H], Math.sqrt(1 / (2 * H))),
    C_re: T.random.normal(k5, [H, P], Math.sqrt(1 / P)),
    C_im: T.random.normal(k6, [H, P], Math.sqrt(1 / P)),
    D: T.random.normal(k7, [H]),
  };
}

/** The LRU over u: f32[B, L, H] → f32[B, L, H] (a scan along time, axis 1). */
export function applyLRU(p: LRUParams, u: T.Tensor<'f32'>): T.Tensor<'f32'> {
  const lambda = T.exp(T.complex(T.neg(T.exp(p.nu_log)), T.exp(p.theta_log))); // c64[P]
  const gamma = T.expandDims(T.exp(p.gamma_log), -1); // f32[P, 1]
  const B = T.complex(T.mul(p.B_re, gamma), T.mul(p.B_im, gamma)); // c64[P, H]
  const C = T.complex(p.C_re, p.C_im); // c64[H, P]
  const Bu = T.matmul(T.cast('c64')(u), T.mT(B)); // c64[B, L, P]
  const x = T.linearRecurrence(lambda, Bu, { axis: 1 });
  return T.add(T.real(T.matmul(x, T.mT(C))), T.mul(u, p.D));
}

/** What the command passes about the task (see ssmjit's src/usermodel/load.ts, ModelInfo). */
export interface ModelInfo {
  readonly inputKind: 'float' | 'tokens';
  readonly dInput: number;
  readonly head: { readonly kind: 'classification'; readonly nClasses: number } | { readonly kind: 'regression'; readonly dOutput: number };
}

const width = (info: ModelInfo) => (info.head.kind === 'classification' ? info.head.nClasses : info.head.dOutput);

export function init(key: T.random.Key, info: ModelInfo): { params: Params } {
  if (info.inputKind !== 'float') throw new Error('this LRU example takes real-valued inputs (f32[B, L, C])');
  const [kEnc, kLru, kDec] = T.random.split(key, 3);
  return {
    params: {
      encoder: Dense.init(kEnc, info.dInput, SIZES.H),
      lru: initLRU(kLru, SIZES.H, SIZES.P),
      norm: LayerNorm.init(SIZES.H),
      decoder: Dense.init(kDec, SIZES.H, width(info)),
    },
  };
}

/** inputs f32[B, L, dInput] → log-probabilities f32[B, classes] (or regression values). */
export function apply(params: Params, _state: unknown, inputs: T.Tensor, context: { readonly info: ModelInfo }): T.Tensor<'f32'> {
  const u = Dense.apply(params.encoder, inputs as T.Tensor<'f32'>);
  const h = LayerNorm.apply(params.norm, T.add(u, T.gelu(applyLRU(params.lru, u))));
  const out = Dense.apply(params.decoder, T.mean(h, { axis: 1 }));
  return context.info.head.kind === 'classification' ? T.logSoftmax(-1)(out) : out;
}
