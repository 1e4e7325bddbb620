/**
 * The S5 layer (spec §1) written out as one jitted program, forward and backward, on every
 * available backend: kernel counts from `.lower()` (each kernel accounted for below) and
 * values against the interpreter.
 *
 *   Λ = Λ_re + iΛ_im,  Δ = exp(log_step)                      (per state, Ph of them)
 *   Λ̄ = exp(ΛΔ),  gain = (Λ̄ − 1)/Λ                             (zero-order hold)
 *   Bu_t = gain ⊙ (B̃ u_t)                                       (a matmul over H)
 *   x_t = Λ̄ ⊙ x_{t−1} + Bu_t                                    (linear recurrence over L)
 *   y_t = gelu(2·Re(C̃ x_t) + D ⊙ u_t),  loss = mean((y − target)²)
 */
import { expect, it } from 'vitest';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { describeEachBackend } from './backends';
import { arg, randomArgs } from './inputs';
import { expectJitMatchesInterpreter } from './oracle';
import { gradTol } from './tolerances';

interface S5Params {
  readonly LambdaRe: Tensor<'f32'>;
  readonly LambdaIm: Tensor<'f32'>;
  readonly B: Tensor<'c64'>;
  readonly C: Tensor<'c64'>;
  readonly D: Tensor<'f32'>;
  readonly logStep: Tensor<'f32'>;
}

/** The S5 layer's mean-square loss on inputs u: f32[batch, L, H] against `target` of the same shape. */
function s5Loss(p: S5Params, u: Tensor<'f32'>, target: Tensor<'f32'>): Tensor<'f32'> {
  const Lambda = T.complex(p.LambdaRe, p.LambdaIm);
  const Delta = T.exp(p.logStep);
  const Abar = T.exp(T.mul(Lambda, Delta));
  const gain = T.div(T.sub(Abar, 1), Lambda);
  const Bu = T.mul(T.matmul(T.cast('c64')(u), T.mT(p.B)), gain);
  const x = T.linearRecurrence(T.broadcastTo(Abar, Bu.shape), Bu, { axis: 1 });
  const y = T.gelu(T.add(T.mul(T.real(T.matmul(x, T.mT(p.C))), 2), T.mul(p.D, u)));
  return T.mean(T.square(T.sub(y, target)));
}

const [Ph, H, L, batch] = [4, 3, 7, 2];

function s5Inputs(seed: number): [S5Params, Tensor<'f32'>, Tensor<'f32'>] {
  const [LambdaRe, LambdaIm, B, C, D, logStep, u, target] = randomArgs(seed, [
    arg([Ph], 'f32', 'small'),
    arg([Ph]),
    arg([Ph, H], 'c64', 'small'),
    arg([H, Ph], 'c64', 'small'),
    arg([H]),
    arg([Ph], 'f32', 'small'),
    arg([batch, L, H]),
    arg([batch, L, H]),
  ]);
  // Re Λ in [-1, -0.5): a stable system.
  const stable = T.sub(T.mul(LambdaRe as Tensor<'f32'>, 0.5), 0.75);
  const params = { LambdaRe: stable, LambdaIm, B, C, D, logStep } as S5Params;
  return [params, u as Tensor<'f32'>, target as Tensor<'f32'>];
}

const countByName = (l: T.Lowered): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const k of l.kernels) out[k.name] = (out[k.name] ?? 0) + 1;
  return out;
};

describeEachBackend('jit S5 layer', (backend) => {
  /*
   * 11 kernels (Ph = 4 states, H = 3 channels, batch 2 × L 7):
   *   fused       Λ̄ = exp(ΛΔ), c64[4]: read by the gain and by the recurrence
   *   matmul      u B̃ᵀ, c64[2,7,4] (the cast of u fused into its reads)
   *   fused       Bu = (u B̃ᵀ) ⊙ gain, the gain (Λ̄ − 1)/Λ computed inline: the recurrence's input
   *   fused       Λ̄ broadcast to [2,7,4] for the recurrence (a view of a buffer, kept by the
   *               stale-cost defect described in fusion.test.ts)
   *   linrec      x_t = Λ̄ ⊙ x_{t−1} + Bu_t
   *   matmul      x C̃ᵀ, c64[2,7,3]
   *   fused       v = 2·Re(C̃x) + D ⊙ u, read five times by gelu
   *   fused       r = gelu(v) − target, read twice by the square
   *   fused       r², the sum's operand (one multiplication; also the stale-cost defect)
   *   reduce_sum  Σ r²
   *   pack        the mean (÷ 42) computed while writing the output
   */
  it('forward: 11 kernels', async () => {
    const args = s5Inputs(11);
    const compiled = await expectJitMatchesInterpreter(s5Loss, args, backend, gradTol(L));
    const l = await compiled.lower(...args);
    expect(countByName(l)).toEqual({ fused: 6, matmul: 2, linrec: 1, reduce_sum: 1, pack: 1 });
    expect(l.kernels.length).toBe(11);
  });

  /*
   * 44 kernels: 13 template kernels, 30 fused maps and the pack kernel.
   *   matmul ×5      forward u B̃ᵀ and x C̃ᵀ; backward: the state cotangent through C̃, the
   *                  per-batch gradients of C̃ (ctᵀ x) and of B̃ (ctᵀ u)
   *   linrec ×2      the forward recurrence and its adjoint, run in reverse with conj(Λ̄)
   *   reduce_sum ×6  the loss; D's gradient over batch and time; C̃'s and B̃'s over the batch;
   *                  Λ̄'s and the gain's over batch and time
   *   fused ×30      per-state c64[4] forward values (Δ as complex, Λ̄, gain): 3;
   *                  the gain and Λ̄ broadcast to [2,7,4] (stale-cost defect): 2; Bu: 1;
   *                  gelu/loss forward residuals over [2,7,3] (v, v², the tanh argument, tanh,
   *                  1 + tanh, r, r²): 7; the gelu/loss adjoint over [2,7,3]: 7;
   *                  the complex cotangent of Re(C̃x), read by two matmuls: 1;
   *                  the shifted conj(Λ̄) of the adjoint recurrence: 1; adjoint state times
   *                  the shifted states, conj(gain), conj(u B̃ᵀ): 3; conj(u)ᵀ for B̃'s gradient: 1;
   *                  the per-state adjoint chain back to Λ_re, Λ_im, log_step: 4
   *   pack           the loss, the six gradients and the mean's division
   */
  it('backward, jit(valueAndGrad): 44 kernels', async () => {
    const l = await T.jit(T.valueAndGrad(s5Loss), { backend }).lower(...s5Inputs(12));
    expect(countByName(l)).toEqual({ fused: 30, matmul: 5, linrec: 2, reduce_sum: 6, pack: 1 });
    expect(l.kernels.length).toBe(44);
  });

  // webgpu: the pack kernel reads 8 buffers, past WebGPU's storage-buffer limit (regressions.test.ts).
  (backend === 'webgpu' ? it.fails : it)('backward, jit(valueAndGrad): values', async () => {
    await expectJitMatchesInterpreter(T.valueAndGrad(s5Loss), s5Inputs(12), backend, gradTol(L * H));
  });
});
