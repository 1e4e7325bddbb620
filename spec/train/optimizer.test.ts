/**
 * Adam/AdamW against a hand-written float64 reference over several steps, with real and
 * complex leaves, three parameter groups (ssm: Adam at ssm_lr; ssm_decay: AdamW at ssm_lr;
 * regular: AdamW at lr) and a learning rate that changes every step; eagerly (float64
 * interpreter, tight tolerance) and compiled (float32). Also the group table of spec §2.3 as
 * seen by the optimizer, and global-norm clipping against a direct sum.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import { paramGroupList } from '../../src/models/paramGroups';
import { globalNorm, clipByGlobalNorm } from '../../src/train/clip';
import { type LeafRule, ADAM_DEFAULTS, adamw, groupRule, ratesOf } from '../../src/train/optimizer';

const { b1, b2, eps } = ADAM_DEFAULTS;

/** One leaf for the reference: interleaved (re, im) values when complex. */
interface RefLeaf {
  complex: boolean;
  p: number[];
  m: number[];
  v: number[];
}

/** Plain float64 AdamW step on one leaf (t counts from 1). */
function referenceStep(leaf: RefLeaf, g: number[], t: number, lr: number, wd: number): void {
  const lanes = leaf.complex ? 2 : 1;
  const n = leaf.p.length / lanes;
  for (let i = 0; i < n; i++) {
    const gs = leaf.complex ? [g[2 * i], g[2 * i + 1]] : [g[i]];
    const sq = gs.reduce((s, x) => s + x * x, 0);
    leaf.v[i] = b2 * leaf.v[i] + (1 - b2) * sq;
    const vhat = leaf.v[i] / (1 - b2 ** t);
    for (let c = 0; c < lanes; c++) {
      const j = lanes * i + c;
      leaf.m[j] = b1 * leaf.m[j] + (1 - b1) * gs[c];
      const mhat = leaf.m[j] / (1 - b1 ** t);
      leaf.p[j] -= lr * (mhat / (Math.sqrt(vhat) + eps) + wd * leaf.p[j]);
    }
  }
}

const params0 = {
  decoder: { kernel: T.tensor([[0.5, -1.5], [2, 0.25]]), bias: T.tensor([0.1, -0.2]) },
  layers: [{ ssm: { B: T.tensor([{ re: 0.3, im: -0.7 }, { re: -1.2, im: 0.4 }], 'c64'), C: T.tensor([{ re: 1, im: 1 }, { re: 0.5, im: -2 }], 'c64'), Lambda_re: T.tensor([-0.5, -0.5]) } }],
};
type Params = typeof params0;

/** Gradients for step s: fixed, varied numbers of both signs. */
function gradsAt(s: number): Params {
  const f = (k: number) => Math.sin(1.7 * k + 0.9 * s) * (1 + 0.3 * s);
  return {
    decoder: { kernel: T.tensor([[f(1), f(2)], [f(3), f(4)]]), bias: T.tensor([f(5), f(6)]) },
    layers: [{ ssm: { B: T.tensor([{ re: f(7), im: f(8) }, { re: f(9), im: f(10) }], 'c64'), C: T.tensor([{ re: f(11), im: f(12) }, { re: f(13), im: f(14) }], 'c64'), Lambda_re: T.tensor([f(15), 0]) } }],
  };
}

const leafValues = (tree: unknown): number[][] => (T.tree.flatten(tree)[0] as T.Tensor[]).map((x) => Array.from(x.data64()));

const rates = (s: number) => ({ lr: 0.01 * (1 + s), ssmLr: 0.002 / (1 + s) });

describe('parameter groups seen by the optimizer', () => {
  it('standard: B and Lambda in the ssm group (ssm_lr, no decay); C and the decoder regular', () => {
    const groups = paramGroupList(params0, { optConfig: 'standard' });
    const paths = T.tree.treePaths(params0);
    const rule = (path: string) => groupRule(groups[paths.indexOf(path)], 0.05);
    expect(rule('layers[0].ssm.B')).toEqual({ rate: 'ssmLr', weightDecay: 0 });
    expect(rule('layers[0].ssm.Lambda_re')).toEqual({ rate: 'ssmLr', weightDecay: 0 });
    expect(rule('layers[0].ssm.C')).toEqual({ rate: 'lr', weightDecay: 0.05 });
    expect(rule('decoder.bias')).toEqual({ rate: 'lr', weightDecay: 0.05 });
  });

  it('BandCdecay: B at ssm_lr with weight decay', () => {
    const groups = paramGroupList(params0, { optConfig: 'BandCdecay' });
    expect(groupRule(groups[T.tree.treePaths(params0).indexOf('layers[0].ssm.B')], 0.05)).toEqual({ rate: 'ssmLr', weightDecay: 0.05 });
  });
});

describe.each(['eager', 'jit'] as const)('AdamW update (%s)', (mode) => {
  const tol = mode === 'eager' ? 1e-12 : 2e-6;
  it('matches the float64 reference over four steps, complex leaves and groups included', async () => {
    const paths = T.tree.treePaths(params0);
    const groups = paramGroupList(params0, { optConfig: 'BandCdecay' });
    const rules: LeafRule[] = groups.map((g) => groupRule(g, 0.1));
    // The three groups are all present: ssm (Lambda), ssm_decay (B), regular (C, decoder).
    expect(new Set(groups)).toEqual(new Set(['ssm', 'ssm_decay', 'regular']));
    const opt = adamw<Params>(rules);
    const update = (g: Params, s: ReturnType<typeof opt.init>, p: Params, r: ReturnType<typeof ratesOf>) => opt.update(g, s, p, r);
    const run = mode === 'jit' ? T.jit(update) : async (...a: Parameters<typeof update>) => update(...a);

    const ref: RefLeaf[] = (T.tree.flatten(params0)[0] as T.Tensor[]).map((x) => ({
      complex: x.dtype === 'c64',
      p: Array.from(x.data64()),
      m: new Array(x.data64().length).fill(0),
      v: new Array(x.size).fill(0),
    }));
    let params = params0;
    let state = opt.init(params0);
    for (let s = 0; s < 4; s++) {
      const g = gradsAt(s);
      const out = await run(g, state, params, ratesOf(rates(s).lr, rates(s).ssmLr));
      params = out.params;
      state = out.state;
      const gl = leafValues(g);
      ref.forEach((leaf, i) => {
        const { rate, weightDecay } = rules[i];
        referenceStep(leaf, gl[i], s + 1, rates(s)[rate], weightDecay);
      });
    }
    expect(state.count.item()).toBe(4);
    const got = leafValues(params);
    const moments = leafValues(state.mu);
    const second = leafValues(state.nu);
    ref.forEach((leaf, i) => {
      leaf.p.forEach((x, j) => expect(Math.abs(got[i][j] - x), `${paths[i]}[${j}]`).toBeLessThanOrEqual(tol * (1 + Math.abs(x))));
      leaf.m.forEach((x, j) => expect(Math.abs(moments[i][j] - x), `mu ${paths[i]}[${j}]`).toBeLessThanOrEqual(tol * (1 + Math.abs(x))));
      leaf.v.forEach((x, j) => expect(Math.abs(second[i][j] - x), `nu ${paths[i]}[${j}]`).toBeLessThanOrEqual(tol * (1 + Math.abs(x))));
    });
    // Second moments of complex leaves are real.
    expect((T.tree.flatten(state.nu)[0] as T.Tensor[]).every((x) => x.dtype === 'f32')).toBe(true);
  });
});

describe('global-norm clipping', () => {
  const tree = { a: T.tensor([3, -4]), z: T.tensor([{ re: 1, im: -2 }, { re: 2, im: 4 }], 'c64') };
  const direct = Math.sqrt(9 + 16 + 1 + 4 + 4 + 16);

  it('the norm sums squared moduli over every leaf', () => {
    expect(globalNorm(tree).item()).toBeCloseTo(direct, 12);
  });

  it('leaves gradients under the threshold unchanged', () => {
    const { grads, norm } = clipByGlobalNorm(tree, direct + 1);
    expect(norm.item()).toBeCloseTo(direct, 12);
    expect(leafValues(grads)).toEqual(leafValues(tree));
  });

  it('scales gradients over the threshold to exactly maxNorm, keeping directions', () => {
    const { grads } = clipByGlobalNorm(tree, 2);
    expect(globalNorm(grads).item()).toBeCloseTo(2, 12);
    const scale = 2 / direct;
    leafValues(grads).forEach((leaf, i) => leaf.forEach((x, j) => expect(x).toBeCloseTo(leafValues(tree)[i][j] * scale, 12)));
  });

  it('rejects a non-positive threshold', () => {
    expect(() => clipByGlobalNorm(tree, 0)).toThrow(/maxNorm/);
  });
});
