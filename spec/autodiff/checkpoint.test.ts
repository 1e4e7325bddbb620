/**
 * checkpoint (rematerialisation): the wrapped function's values and derivatives are the
 * unwrapped function's (eager, jit, forward mode, second order), its VJP program keeps only
 * the checkpointed call's inputs from the forward pass and recomputes the rest, and under jit
 * a stack of S5-style layers checkpointed per layer has a smaller buffer-plan peak.
 */
import { describe, expect, it } from 'vitest';
import { vjpIR } from '../../compiler/autodiff/transform';
import type { Var } from '../../compiler/ir';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { expectAllClose, randomTensor, realsOf, seeded } from './support';

interface Layer {
  readonly LambdaRe: Tensor<'f32'>;
  readonly LambdaIm: Tensor<'f32'>;
  readonly logStep: Tensor<'f32'>;
  readonly B: Tensor<'c64'>;
  readonly C: Tensor<'c64'>;
  readonly D: Tensor<'f32'>;
}

/** An S5-style layer with a residual connection, u: f32[batch, L, H]. */
function s5Layer(p: Layer, u: Tensor<'f32'>): Tensor<'f32'> {
  const Lambda = T.complex(p.LambdaRe, p.LambdaIm);
  const Abar = T.exp(T.mul(Lambda, T.exp(p.logStep)));
  const Bu = T.mul(T.matmul(T.cast('c64')(u), T.mT(p.B)), T.div(T.sub(Abar, 1), Lambda));
  const x = T.linearRecurrence(T.broadcastTo(Abar, Bu.shape), Bu, { axis: 1 });
  return T.add(u, T.gelu(T.add(T.mul(T.real(T.matmul(x, T.mT(p.C))), 2), T.mul(p.D, u))));
}

const [P, H] = [3, 2];
function layerParams(seed: number): Layer {
  const r = seeded(seed);
  const f = (shape: number[], lo: number, hi: number) => T.tensor(Array.from({ length: shape[0] }, () => r.uniform(lo, hi)));
  return {
    LambdaRe: f([P], -0.9, -0.2),
    LambdaIm: f([P], -2, 2),
    logStep: f([P], -3, -1),
    B: randomTensor(r, { shape: [P, H], dtype: 'c64' }) as Tensor<'c64'>,
    C: randomTensor(r, { shape: [H, P], dtype: 'c64' }) as Tensor<'c64'>,
    D: f([H], -1, 1),
  };
}

/** n layers, each optionally checkpointed; parameters are captured by the checkpointed closure. */
const stackLoss = (n: number, remat: boolean) => (params: Layer[], u: Tensor, target: Tensor): Tensor => {
  let h = u as Tensor<'f32'>;
  for (let i = 0; i < n; i++) {
    const apply = (v: Tensor<'f32'>) => s5Layer(params[i], v);
    h = remat ? T.checkpoint(apply)(h) : apply(h);
  }
  return T.mean(T.square(T.sub(h, target as Tensor<'f32'>)));
};

const leaves = (tree: unknown): Tensor[] => T.tree.flatten(tree)[0] as Tensor[];

describe('checkpoint', () => {
  const params = [layerParams(1), layerParams(2)];
  const r = seeded(3);
  const u = randomTensor(r, { shape: [2, 6, H], dtype: 'f32' });
  const target = randomTensor(r, { shape: [2, 6, H], dtype: 'f32' });

  it('gives the unwrapped function\'s value and gradients (eager, float64), parameters captured by the closure', () => {
    const [v0, g0] = T.valueAndGrad(stackLoss(2, false), { argnums: [0, 1] })(params, u, target);
    const [v1, g1] = T.valueAndGrad(stackLoss(2, true), { argnums: [0, 1] })(params, u, target);
    expect((v1 as Tensor).item()).toBe((v0 as Tensor).item());
    const [a, b] = [leaves(g0), leaves(g1)];
    expect(b.length).toBe(a.length);
    a.forEach((g, i) => expectAllClose(realsOf(b[i]), realsOf(g), 1e-12, `gradient leaf ${i}`));
  });

  it('jvp and Hessian-vector products (jvp of grad) equal the unwrapped function\'s', () => {
    const dir = randomTensor(r, { shape: [2, 6, H], dtype: 'f32' });
    const gradU = (remat: boolean) => (v: Tensor) => T.grad((w: Tensor) => stackLoss(2, remat)(params, w, target))(v) as Tensor;
    const [, h0] = T.jvp(gradU(false), [u], [dir]);
    const [, h1] = T.jvp(gradU(true), [u], [dir]);
    expectAllClose(realsOf(h1 as Tensor), realsOf(h0 as Tensor), 1e-12, 'H·v');
  });

  it('the VJP program keeps only the checkpointed call\'s inputs from the forward pass; the backward recomputes the layer', () => {
    const one = (remat: boolean) => (x: Tensor) => T.sum(T.square(remat ? T.checkpoint((v: Tensor<'f32'>) => s5Layer(params[0], v))(x as Tensor<'f32'>) : s5Layer(params[0], x as Tensor<'f32'>)));
    const census = (remat: boolean) => {
      const fwd = T.makeIR(one(remat))(u).ir;
      const { ir } = vjpIR(fwd);
      const forward = ir.eqns.slice(0, fwd.eqns.length);
      const fromForward = new Set<Var>(forward.flatMap((e) => e.outputs));
      const read = new Set<Var>();
      for (const e of ir.eqns.slice(fwd.eqns.length)) for (const a of e.inputs) if (fromForward.has(a as Var)) read.add(a as Var);
      return { read: [...read], backwardPrims: ir.eqns.slice(fwd.eqns.length).map((e) => e.prim) };
    };
    const plain = census(false);
    const remat = census(true);
    // Without checkpoint the backward reads the layer's intermediates (the states, the
    // recurrence coefficients, the gelu argument …); with it, it reads the checkpoint's output
    // only (the square's VJP), and the layer is recomputed inside one checkpoint equation.
    expect(plain.read.length).toBeGreaterThan(4);
    expect(remat.read.map((v) => `${v.aval.dtype}[${v.aval.shape}]`)).toEqual([`f32[${u.shape}]`]);
    expect(remat.backwardPrims.filter((p) => p === 'checkpoint')).toHaveLength(1);
  });

  it('under jit: the same values and gradients as the unwrapped function (float32)', async () => {
    const [v0, g0] = T.valueAndGrad(stackLoss(2, false), { argnums: [0, 1] })(params, u, target);
    const [v1, g1] = (await T.jit(T.valueAndGrad(stackLoss(2, true), { argnums: [0, 1] }))(params, u, target)) as [Tensor, unknown];
    expectAllClose([v1.item() as number], [(v0 as Tensor).item() as number], 1e-5, 'loss');
    const [a, b] = [leaves(g0), leaves(g1)];
    a.forEach((g, i) => expectAllClose(realsOf(b[i]), realsOf(g), 1e-4, `gradient leaf ${i}`));
  });

  it('under jit on wasm, a 4-layer stack checkpointed per layer has a smaller buffer-plan peak (L = 256)', async () => {
    const stack = [1, 2, 3, 4].map(layerParams);
    const long = randomTensor(r, { shape: [1, 256, H], dtype: 'f32' });
    const peak = async (remat: boolean) =>
      (await T.jit(T.valueAndGrad(stackLoss(4, remat), { argnums: [0, 1] }), { backend: 'wasm' }).lower(stack, long, long)).peakIntermediateFloats;
    const [without, withRemat] = [await peak(false), await peak(true)];
    expect(withRemat).toBeLessThan(0.75 * without);
  });
});
