/**
 * ssmjit/optim against independent float64 loops: Adam/AdamW written out per element, the
 * schedules against src/train/schedule.ts's learningRate (a separate JS implementation),
 * parameter groups against running each group's optimizer on its own, clipping against the
 * norm computed by hand.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import * as O from '../../src/api/optim';
import { learningRate } from '../../src/train/schedule';

const vals = (t: T.Tensor) => Array.from(t.data64());

/** Naive float64 AdamW over flat arrays. */
function naiveAdamw(p0: number[], grads: number[][], lr: number[], wd: number, b1 = 0.9, b2 = 0.999, eps = 1e-8): number[] {
  let p = [...p0];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  grads.forEach((g, s) => {
    const t = s + 1;
    p = p.map((pi, i) => {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      const u = m[i] / (1 - b1 ** t) / (Math.sqrt(v[i] / (1 - b2 ** t)) + eps);
      return pi - lr[s] * (u + wd * pi);
    });
  });
  return p;
}

describe('ssmjit/optim', () => {
  const p0 = { w: [0.5, -1.25, 2], b: [0.1] };
  const grads = [
    { w: [0.3, -0.2, 0.9], b: [1.5] },
    { w: [-0.1, 0.4, 0.05], b: [-0.7] },
    { w: [0.25, 0.25, -0.6], b: [0.2] },
  ];
  const tree = (x: { w: number[]; b: number[] }) => ({ w: T.tensor(x.w), b: T.tensor(x.b) });
  /** The parameters after `opt` applied the three gradients from p0. */
  const optimise = <S>(opt: O.GradientTransformation<S>) => {
    let params = tree(p0);
    let state = opt.init(params);
    for (const g of grads) {
      const r = opt.update(tree(g), state, params);
      params = O.applyUpdates(params, r.updates);
      state = r.state;
    }
    return params;
  };

  it('adamw with a warm-up cosine schedule matches a float64 loop', () => {
    const sched = { base: 0.1, warmupSteps: 1, totalSteps: 3, end: 0.01, decay: 'cosine' as const };
    const opt = O.adamw(O.warmupDecay(sched), { weightDecay: 0.05 });
    const params = optimise(opt);
    const lr = [0, 1, 2].map((k) => learningRate({ decay: 'cosine', warmupSteps: 1, totalSteps: 3, lrMin: 0.01 }, 0.1, k));
    const want = naiveAdamw([...p0.w, ...p0.b], grads.map((g) => [...g.w, ...g.b]), lr, 0.05);
    const got = [...vals(params.w), ...vals(params.b)];
    got.forEach((x, i) => expect(x).toBeCloseTo(want[i], 10));
  });

  it('schedules equal learningRate at every step', () => {
    for (const decay of ['cosine', 'linear', 'constant'] as const) {
      const s = O.warmupDecay({ base: 0.3, warmupSteps: 4, totalSteps: 11, end: 0.02, decay });
      for (let k = 0; k < 14; k++) {
        expect(s(T.scalar(k)).item()).toBeCloseTo(learningRate({ decay, warmupSteps: 4, totalSteps: 11, lrMin: 0.02 }, 0.3, k), 12);
      }
    }
  });

  it('multiTransform by label tree and by path equals each group optimised alone', () => {
    const labelTree = { w: 'fast', b: 'frozen' };
    const byPath = (path: string) => (path === 'w' ? 'fast' : 'frozen');
    for (const labels of [labelTree, byPath]) {
      const opt = O.multiTransform({ fast: O.adam(0.5), frozen: O.scale(0) }, labels);
      const params = optimise(opt);
      const want = naiveAdamw(p0.w, grads.map((g) => g.w), [0.5, 0.5, 0.5], 0);
      vals(params.w).forEach((x, i) => expect(x).toBeCloseTo(want[i], 10));
      expect(vals(params.b)).toEqual(p0.b);
    }
  });

  it('names a label with no transformation', () => {
    const opt = O.multiTransform({ a: O.sgd(1) }, { w: 'a', b: 'c' });
    expect(() => opt.init(tree(p0))).toThrow("multiTransform: no transformation for the label 'c' (known: a)");
  });

  it('clipByGlobalNorm scales to the norm computed by hand', () => {
    const g = tree(grads[0]);
    const norm = Math.hypot(...grads[0].w, ...grads[0].b);
    const r = O.clipByGlobalNorm(1).update(g, {});
    vals(r.updates.w).forEach((x, i) => expect(x).toBeCloseTo(grads[0].w[i] / norm, 12));
    const loose = O.clipByGlobalNorm(10).update(g, {});
    expect(vals(loose.updates.w)).toEqual(vals(g.w));
  });

  it('updates trace into one jitted step', async () => {
    const opt = O.adam(0.1);
    const step = T.jit((params: { w: T.Tensor<'f32'> }, state: ReturnType<typeof opt.init>) => {
      const g = T.grad((p: { w: T.Tensor<'f32'> }) => T.sum(T.square(p.w)))(params);
      const r = opt.update(g, state, params);
      return { params: O.applyUpdates(params, r.updates), state: r.state };
    });
    let params = { w: T.tensor([1, -2]) };
    let state = opt.init(params);
    const gs: number[][] = [];
    let naive = [1, -2];
    for (let s = 0; s < 3; s++) {
      gs.push(naive.map((x) => 2 * x));
      naive = naiveAdamw([1, -2], gs, [0.1, 0.1, 0.1], 0);
      ({ params, state } = await step(params, state));
    }
    Array.from(params.w.data()).forEach((x, i) => expect(x).toBeCloseTo(naive[i], 4));
  });
});
