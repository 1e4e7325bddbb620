/**
 * ssmjit/nn's layers against naive float64 formulas written here: Dense (x·W + b), Embedding (row
 * lookup), LayerNorm ((x − mean)/sqrt(var + 1e-6)·scale + bias over the last axis), BatchNorm
 * (batch statistics in training with running averages m·ra + (1 − m)·stat as the new state; the
 * running statistics in evaluation), dropout (kept values scaled by 1/(1 − p), masks shared over
 * time) and the GLU variants; the SSM layers against stepping their own recurrent form.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import { BatchNorm, Dense, Embedding, GLU, LayerNorm, SSM, dropout, ssmConfig } from '../../src/api/nn';

const v = (t: T.Tensor) => Array.from(t.data64());
const close = (got: number[], want: number[], digits = 10) => {
  expect(got).toHaveLength(want.length);
  got.forEach((g, i) => expect(g).toBeCloseTo(want[i], digits));
};
const x = T.random.normal(T.random.key(1), [2, 3, 4]);
const xs = v(x);
const rows = (n: number, w: number) => Array.from({ length: n }, (_, r) => xs.slice(r * w, (r + 1) * w));

describe('ssmjit/nn', () => {
  it('Dense is x·kernel + bias', () => {
    const p = { ...Dense.init(T.random.key(2), 4, 5), bias: T.random.normal(T.random.key(3), [5]) };
    const [W, b] = [v(p.kernel), v(p.bias)];
    const want = rows(6, 4).flatMap((r) => Array.from({ length: 5 }, (_, j) => r.reduce((s, xi, i) => s + xi * W[i * 5 + j], b[j])));
    close(v(Dense.apply(p, x)), want);
  });

  it('Embedding looks up rows; a non-i32 id tensor is an error naming it', () => {
    const p = Embedding.init(T.random.key(4), 7, 3);
    const table = v(p.table);
    close(v(Embedding.apply(p, T.tensor([[6, 0], [2, 2]], 'i32'))), [6, 0, 2, 2].flatMap((i) => table.slice(i * 3, i * 3 + 3)), 15);
    expect(() => Embedding.apply(p, T.tensor([1, 2]) as never)).toThrow('Embedding.apply: ids must be an i32 tensor, got f32[2]');
  });

  it('LayerNorm normalises the last axis', () => {
    const p = { scale: T.tensor([1, 2, 0.5, -1]), bias: T.tensor([0, 1, 0, 2]) };
    const want = rows(6, 4).flatMap((r) => {
      const m = r.reduce((a, b) => a + b) / 4;
      const s2 = r.reduce((a, b) => a + (b - m) ** 2, 0) / 4;
      return r.map((xi, i) => ((xi - m) / Math.sqrt(s2 + 1e-6)) * [1, 2, 0.5, -1][i] + [0, 1, 0, 2][i]);
    });
    close(v(LayerNorm.apply(p, x)), want);
  });

  it('BatchNorm: batch statistics and updated running averages in training, the running ones in evaluation', () => {
    const { params, state } = BatchNorm.init(4);
    const r = rows(6, 4);
    const mean = [0, 1, 2, 3].map((j) => r.reduce((s, row) => s + row[j], 0) / 6);
    const variance = [0, 1, 2, 3].map((j) => r.reduce((s, row) => s + (row[j] - mean[j]) ** 2, 0) / 6);
    const trained = BatchNorm.apply(params, state, x, { train: true, momentum: 0.8 });
    close(v(trained.y), r.flatMap((row) => row.map((xi, j) => (xi - mean[j]) / Math.sqrt(variance[j] + 1e-5))));
    close(v(trained.state.mean), mean.map((m) => 0.2 * m));
    close(v(trained.state.var), variance.map((s) => 0.8 + 0.2 * s));
    const evaluated = BatchNorm.apply(params, trained.state, x, { train: false });
    close(v(evaluated.y), r.flatMap((row) => row.map((xi, j) => (xi - 0.2 * mean[j]) / Math.sqrt(0.8 + 0.2 * variance[j] + 1e-5))));
    expect(v(evaluated.state.mean)).toEqual(v(trained.state.mean));
  });

  it('dropout keeps values scaled by 1/(1 − p) with one mask per (example, feature) over time', () => {
    const ones = T.ones([3, 5, 8]);
    const y = v(dropout(0.25, T.random.key(9), ones));
    for (const value of y) expect([0, 1 / 0.75]).toContain(value);
    for (let b = 0; b < 3; b++) for (let t = 1; t < 5; t++) for (let h = 0; h < 8; h++) expect(y[(b * 5 + t) * 8 + h]).toBe(y[b * 5 * 8 + h]);
    expect(v(dropout(0.25, undefined, ones))).toEqual(v(ones));
    expect(() => dropout(1, T.random.key(0), ones)).toThrow('dropout: rate must be in [0, 1), got 1');
  });

  it('GLU half_glu1 is g ⊙ σ(W2 g + b2) with g = GELU(x)', () => {
    const p = GLU.init('half_glu1', T.random.key(5), 4);
    const g = v(T.gelu(x));
    const W = v(p.W2!.kernel);
    const want = rows(6, 4).flatMap((_, r) => {
      const gr = g.slice(r * 4, r * 4 + 4);
      return gr.map((gi, j) => gi / (1 + Math.exp(-gr.reduce((s, gk, k) => s + gk * W[k * 4 + j], 0))));
    });
    close(v(GLU.apply('half_glu1', p, x)), want);
    expect(GLU.init('gelu', T.random.key(5), 4)).toEqual({});
  });
});

describe('ssmjit/nn SSM layers', () => {
  it.each([
    ['s5', { kind: 's5', P: 8, blocks: 2 }],
    ['s4d', { kind: 's4d', N: 8 }],
  ] as const)('%s: the parallel layer equals stepping its recurrent form one token at a time', (_, settings) => {
    const config = ssmConfig(settings);
    const [B, L, H] = [2, 6, 3];
    const params = SSM.init(config, T.random.key(11), H);
    const u = T.random.normal(T.random.key(12), [B, L, H]);
    const parallel = v(SSM.apply(config, params, u));
    const system = SSM.recurrent(config, params);
    let state = SSM.initialState(config, params, system, B);
    for (let t = 0; t < L; t++) {
      const out = SSM.step(config, params, system, state, T.squeeze(T.sliceAxis(u, 1, t, t + 1), 1));
      state = out.state;
      const y = v(out.y);
      for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) expect(y[b * H + h]).toBeCloseTo(parallel[(b * L + t) * H + h], 8);
    }
  });

  it('ssmConfig fills defaults and names an invalid field', () => {
    expect(ssmConfig({ kind: 's5' })).toMatchObject({ kind: 's5', P: 256, blocks: 8, discretization: 'zoh' });
    expect(() => ssmConfig({ kind: 's5', P: 10, blocks: 3 })).toThrow(/blocks/);
  });
});
