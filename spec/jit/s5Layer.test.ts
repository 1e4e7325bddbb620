/**
 * The S5 layer (spec §1) written out as one jitted program, forward and backward, on every
 * available backend: kernel counts from `.lower()` (each kernel accounted for below; a change
 * of the schedule or of the templates changes them, and the accounting with them) and values
 * against the interpreter.
 *
 *   Λ = Λ_re + iΛ_im,  Δ = exp(log_step)                      (per state, Ph of them)
 *   Λ̄ = exp(ΛΔ),  gain = (Λ̄ − 1)/Λ                             (zero-order hold)
 *   Bu_t = gain ⊙ (B̃ u_t)                                       (a matmul over H)
 *   x_t = Λ̄ ⊙ x_{t−1} + Bu_t                                    (linear recurrence over L)
 *   y_t = gelu(2·Re(C̃ x_t) + D ⊙ u_t),  loss = mean((y − target)²)
 */
import { expect, it } from 'vitest';
import type { BackendName } from '../../kernels/backends';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { describeEachBackend } from './backends';
import { itUnless } from './knownDefects';
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

/** Kernels by family: fused maps, packing kernels, and template kernels by their template's own name. */
const countByName = (l: T.Lowered): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const k of l.kernels) {
    const family = k.kind === 'map' ? 'fused' : k.kind === 'pack' ? 'pack' : (k.template ?? k.name);
    out[family] = (out[family] ?? 0) + 1;
  }
  return out;
};

/**
 * On wasm: map kernels, and template kernels by the primitive they instantiate. Every real
 * matmul is a B-packing kernel and a tile kernel; a complex matmul is four real ones and a
 * combining kernel; a reduction is one kernel; parts of complex buffers are read in place.
 */
const wasmCounts = (l: T.Lowered): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const k of l.kernels) {
    const name = k.template ?? k.name;
    const family = k.kind === 'map' ? 'map' : /_(combine|packBc)$/.test(name) ? 'complex matmul' : name.split('_').slice(-1)[0] === 'tiles' ? 'matmul' : name.split('_')[0] === 'reduce' ? 'reduce_sum' : name.split('_')[0];
    if (name.endsWith('_packB')) continue;
    out[family] = (out[family] ?? 0) + 1;
  }
  return out;
};

/** The tiled matmul strategy of the CPU-side backends packs B first: one more kernel per matmul. */
const packsB = (backend: BackendName): boolean => backend === 'cpu' || backend === 'webasm';

describeEachBackend('jit S5 layer', (backend) => {
  /*
   * 19 kernels (Ph = 4 states, H = 3 channels, batch 2 × L 7), 23 with B packing:
   *   fused ×10      Λ̄ = exp(ΛΔ), c64[4], read by the gain and the recurrence;
   *                  Re B̃ᵀ and Im B̃ᵀ broadcast over the batch: the pass pipeline splits the
   *                  complex matmul of the real u into two real matmuls, whose operands are
   *                  materialised;
   *                  Bu = (u·Re B̃ᵀ + i·u·Im B̃ᵀ) ⊙ gain, the gain (Λ̄ − 1)/Λ computed inline;
   *                  Re x, Im x, Re C̃ᵀ, Im C̃ᵀ: Re(x C̃ᵀ) = Re x·Re C̃ᵀ − Im x·Im C̃ᵀ, two real
   *                  matmuls with materialised operands;
   *                  v = 2·Re(C̃x) + D ⊙ u, read five times by gelu; r = gelu(v) − target, read
   *                  twice by the square, which is fused into the sum's first pass
   *   matmul ×4      u·Re B̃ᵀ, u·Im B̃ᵀ, Re x·Re C̃ᵀ, Im x·Im C̃ᵀ (+4 matmul_packB on cpu/webasm)
   *   recurrence ×1  x_t = Λ̄ ⊙ x_{t−1} + Bu_t, Λ̄'s broadcast read in place
   *   sum_out ×3     Σ r², one pass per axis: 42 → 14 → 2 → 1
   *   pack ×1        the mean (÷ 42) computed while writing the output
   */
  /*
   * wasm: 15 kernels. map ×5: Λ̄ (c64[4]); Bu = (u·Re B̃ᵀ + i·u·Im B̃ᵀ) ⊙ gain; v; r = gelu(v) −
   * target; the mean. matmul ×4 (each packs B first), the recurrence, one reduction computing
   * r² in its reads. Re x and Im x are read in place as strided parts of x.
   */
  it.runIf(backend === 'wasm')('forward on wasm: 15 kernels', async () => {
    const l = await T.jit(s5Loss, { backend }).lower(...s5Inputs(11));
    expect(wasmCounts(l)).toEqual({ map: 5, matmul: 4, linrec: 1, reduce_sum: 1 });
    expect(l.kernels.length).toBe(15);
  });

  /*
   * wasm: map ×19 (the conjugations read by complex matmuls fold into their signs); real
   * matmuls ×4 and complex ones ×3 (the gradients of C̃ and B̃ and the state cotangent), each
   * complex one a single real product with interleaved parts (B repacked as [[Br, Bi], [−Bi,
   * Br]], or Re A and Im A stacked and a combining pass; B̃'s gradient reads the real uᵀ in
   * place and needs neither), 7 real products in all; recurrences ×2; reductions ×6 (the loss; D's, C̃'s, B̃'s, Λ̄'s and the
   * gain's gradients, each reducing all its axes in one kernel). Every reduction computes its
   * elementwise operand in its reads: r², the cotangent times u for D, and the complex products
   * for Λ̄'s and the gain's gradients (both parts in the same loops).
   */
  it.runIf(backend === 'wasm')('backward on wasm, jit(valueAndGrad): one real product per matmul', async () => {
    const l = await T.jit(T.valueAndGrad(s5Loss), { backend }).lower(...s5Inputs(12));
    expect(wasmCounts(l)).toEqual({ map: 19, matmul: 7, 'complex matmul': 2, linrec: 2, reduce_sum: 6 });
  });

  it.skipIf(backend === 'wasm')('forward: 19 kernels (23 with B packing)', async () => {
    const l = await T.jit(s5Loss, { backend }).lower(...s5Inputs(11));
    const bPacks = packsB(backend) ? { matmul_packB: 4 } : {};
    expect(countByName(l)).toEqual({ fused: 10, matmul: 4, recurrence_out: 1, sum_out: 3, pack: 1, ...bPacks });
    expect(l.kernels.length).toBe(packsB(backend) ? 23 : 19);
  });

  it('forward: values', async () => {
    await expectJitMatchesInterpreter(s5Loss, s5Inputs(11), backend, gradTol(L));
  });

  /*
   * 49 kernels, 56 with B packing, 50 on webgpu: 20 template kernels, 28 fused maps, packing.
   *   matmul ×7      the forward's four real matmuls; backward: the state cotangent through
   *                  C̃, the per-batch gradients of C̃ (ctᵀ x) and of B̃ (ctᵀ u), complex
   *                  (+7 matmul_packB on cpu/webasm)
   *   recurrence ×2  the forward recurrence and its adjoint, run in reverse with conj(Λ̄)
   *   sum_out ×11    the loss (3 passes); D's gradient over time and batch (2); C̃'s and B̃'s
   *                  over the batch (1 each); Λ̄'s and the gain's over time and batch (2 each)
   *   fused ×28      per-state c64[4] forward values (Δ as complex, Λ̄, gain): 3;
   *                  Re B̃ᵀ, Im B̃ᵀ: 2; Bu: 1; Re x, Im x, Re C̃ᵀ, Im C̃ᵀ: 4;
   *                  gelu/loss forward residuals over [2,7,3] (v, tanh of the inner value, r): 3;
   *                  the gelu/loss adjoint over [2,7,3]: 4;
   *                  the complex cotangent of Re(C̃x), read by two matmuls: 1;
   *                  conj(C̃) and conj(x)ᵀ for the backward matmuls: 2; the shifted conj(Λ̄)
   *                  of the adjoint recurrence: 1; the adjoint state times the shifted states,
   *                  conj(gain) and conj(u B̃ᵀ): 3; conj(u)ᵀ for B̃'s gradient: 1;
   *                  the per-state adjoint chain back to Λ_re, Λ_im, log_step: 3
   *   pack ×1        the loss, the six gradients and the mean's division; on webgpu ×2, the
   *                  outputs' buffers split between two packing kernels to stay within 8
   *                  storage buffers per kernel
   */
  it.skipIf(backend === 'wasm')('backward, jit(valueAndGrad): 49 kernels (56 with B packing, 50 on webgpu)', async () => {
    const l = await T.jit(T.valueAndGrad(s5Loss), { backend }).lower(...s5Inputs(12));
    const bPacks = packsB(backend) ? { matmul_packB: 7 } : {};
    const packs = backend === 'webgpu' ? 2 : 1;
    expect(countByName(l)).toEqual({ fused: 28, matmul: 7, recurrence_out: 2, sum_out: 11, pack: packs, ...bPacks });
    expect(l.kernels.length).toBe(packsB(backend) ? 56 : backend === 'webgpu' ? 50 : 49);
  });

  it('backward, jit(valueAndGrad): values', async () => {
    await expectJitMatchesInterpreter(T.valueAndGrad(s5Loss), s5Inputs(12), backend, gradTol(L * H));
  });
});
