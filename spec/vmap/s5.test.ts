/**
 * The S5 layer written for one sequence (applyS5Sequence) and mapped over the batch with vmap,
 * against the layer written for the batch (applyS5, itself checked against the float64
 * sequential oracle in spec/models/s5.test.ts):
 * - the same values, eagerly (float64) for every discretisation / bidirectional / conjSym
 *   combination with and without per-step Δ, and compiled on every backend;
 * - the same kernels when compiled, forward and backward (jit(grad(loss))), by name and count:
 *   the batched program vmap builds fuses exactly like the hand-batched one.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { decodeSSMConfig, type S5Config } from '../../src/models/config';
import { applyS5, applyS5Sequence, initS5, type S5Params } from '../../src/models/s5';
import { describeEachBackend } from '../jit/backends';
import { treeMismatch } from '../jit/oracle';
import { expectClose } from './support';

const s5Config = (overrides: Partial<S5Config>): S5Config => {
  const r = decodeSSMConfig({ kind: 's5', P: 8, blocks: 2, ...overrides });
  if (r._tag === 'Left') throw r.left;
  return r.right as S5Config;
};

const [BATCH, L, H] = [3, 8, 4];

const inputs = (seed: number): { u: Tensor<'f32'>; tau: Tensor<'f32'> } => ({
  u: T.random.normal(T.random.key(seed), [BATCH, L, H]),
  tau: T.random.uniform(T.random.key(seed + 1), [BATCH, L], 0.5, 1.5),
});

/** The batched layer and the per-sequence layer mapped over the batch, as functions of (params, u, τ). */
function layers(config: S5Config, withTau: boolean) {
  const batched = (p: S5Params, u: Tensor<'f32'>, tau: Tensor<'f32'>): Tensor<'f32'> => applyS5(config, p, u, withTau ? { timesteps: tau, stepRescale: 1.5 } : { stepRescale: 1.5 });
  const mapped = (p: S5Params, u: Tensor<'f32'>, tau: Tensor<'f32'>): Tensor<'f32'> =>
    T.vmap((x: Tensor<'f32'>, t: Tensor<'f32'>) => applyS5Sequence(config, p, x, withTau ? { timesteps: t, stepRescale: 1.5 } : { stepRescale: 1.5 }))(u, tau) as Tensor<'f32'>;
  return { batched, mapped };
}

const loss =
  (layer: (p: S5Params, u: Tensor<'f32'>, tau: Tensor<'f32'>) => Tensor<'f32'>) =>
  (p: S5Params, u: Tensor<'f32'>, tau: Tensor<'f32'>): Tensor<'f32'> =>
    T.mean(T.square(T.sub(layer(p, u, tau), 0.25)));

describe('vmap(applyS5Sequence) = applyS5, float64', () => {
  const cases: Partial<S5Config>[] = [{}, { discretization: 'bilinear' }, { conjSym: false }, { bidirectional: true }, { clipEigs: true, cInit: 'complex_normal' }];
  for (const overrides of cases) {
    for (const withTau of [false, true]) {
      it(`${JSON.stringify(overrides)}${withTau ? ' with per-step Δ' : ''}`, () => {
        const config = s5Config(overrides);
        const params = initS5(config, H, T.random.key(3));
        const { u, tau } = inputs(5);
        const { batched, mapped } = layers(config, withTau);
        expectClose(mapped(params, u, tau), batched(params, u, tau));
      });
    }
  }

  it('the gradients agree as well', () => {
    const config = s5Config({ bidirectional: true });
    const params = initS5(config, H, T.random.key(4));
    const { u, tau } = inputs(6);
    const { batched, mapped } = layers(config, true);
    expectClose(T.grad(loss(mapped), { argnums: [0, 1, 2] })(params, u, tau), T.grad(loss(batched), { argnums: [0, 1, 2] })(params, u, tau));
  });

  it('a per-sequence input of the wrong rank is refused with its shape', () => {
    const config = s5Config({});
    const params = initS5(config, H, T.random.key(3));
    expect(() => applyS5Sequence(config, params, inputs(1).u)).toThrow('S5: one sequence must be [length, H], got shape [3,8,4]');
  });
});

describeEachBackend('vmap(applyS5Sequence) compiles like applyS5', (backend) => {
  const names = (l: T.Lowered): string[] => l.kernels.map((k) => k.name);
  for (const [overrides, withTau] of [[{}, false], [{ bidirectional: true }, true]] as const) {
    const label = `${JSON.stringify(overrides)}${withTau ? ' with per-step Δ' : ''}`;
    const config = s5Config(overrides);
    const params = initS5(config, H, T.random.key(3));
    const { u, tau } = inputs(7);
    const { batched, mapped } = layers(config, withTau);

    it(`forward ${label}: the same kernels, the same values`, async () => {
      const lb = await T.jit(batched, { backend }).lower(params, u, tau);
      const lm = await T.jit(mapped, { backend }).lower(params, u, tau);
      console.log(`S5 forward ${label} [${backend}]: ${lb.kernels.length} kernels batched, ${lm.kernels.length} mapped`);
      expect(names(lm)).toEqual(names(lb));
      const m = treeMismatch(await T.jit(mapped, { backend })(params, u, tau), batched(params, u, tau), { rtol: 1e-4, atol: 1e-4 });
      expect(m).toBeUndefined();
    });

    it(`backward ${label}: the same kernels, the same gradients`, async () => {
      const gb = T.grad(loss(batched), { argnums: [0, 1] });
      const gm = T.grad(loss(mapped), { argnums: [0, 1] });
      const lb = await T.jit(gb, { backend }).lower(params, u, tau);
      const lm = await T.jit(gm, { backend }).lower(params, u, tau);
      console.log(`S5 backward ${label} [${backend}]: ${lb.kernels.length} kernels batched, ${lm.kernels.length} mapped`);
      expect(names(lm)).toEqual(names(lb));
      const m = treeMismatch(await T.jit(gm, { backend })(params, u, tau), gb(params, u, tau), { rtol: 1e-3, atol: 1e-4 });
      expect(m).toBeUndefined();
    });
  }
});
