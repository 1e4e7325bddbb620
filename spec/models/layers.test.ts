/**
 * Layer building blocks against naive per-element formulas: LayerNorm, BatchNorm (batch
 * statistics, running-average update, evaluation with running statistics), dropout (mask shared
 * over time, inverted scaling, keep rate), GELU (tanh form) and the four activations.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import { applyActivation, applyNorm, type BatchNormStats, dense, dropout, initActivation, initDense, initNorm } from '../../src/models/layers';
import { maxAbsDiff, randomInput, values } from './helpers';

const [B, L, H] = [2, 5, 3];

/** x[b, l, h] of a flat [B, L, H] array. */
const at = (xs: Float64Array, b: number, l: number, h: number, Ln = L, Hn = H): number => xs[(b * Ln + l) * Hn + h];

describe('LayerNorm', () => {
  it('normalises each feature vector with eps 1e-6, then scale and bias', () => {
    const x = randomInput(1, [B, L, H], 3);
    const { params, state } = initNorm('layer', H);
    const p = { scale: T.tensor([1, 2, 3]), bias: T.tensor([0.5, -1, 0]) };
    const y = values(applyNorm('layer', p, state, x, { train: true, momentum: 0.9 }).y);
    const xs = values(x);
    for (let b = 0; b < B; b++) {
      for (let l = 0; l < L; l++) {
        const row = [0, 1, 2].map((h) => at(xs, b, l, h));
        const m = row.reduce((a, v) => a + v, 0) / H;
        const v = row.reduce((a, r) => a + (r - m) ** 2, 0) / H;
        row.forEach((r, h) => expect(at(y, b, l, h)).toBeCloseTo(((r - m) / Math.sqrt(v + 1e-6)) * [1, 2, 3][h] + [0.5, -1, 0][h], 12));
      }
    }
    expect(params.scale.shape).toEqual([H]);
  });
});

describe('BatchNorm', () => {
  const x = randomInput(2, [B, L, H], 2);
  const xs = values(x);
  const { params, state } = initNorm('batch', H);

  const featureStats = (h: number): { mean: number; variance: number } => {
    const v: number[] = [];
    for (let b = 0; b < B; b++) for (let l = 0; l < L; l++) v.push(at(xs, b, l, h));
    const mean = v.reduce((a, c) => a + c, 0) / v.length;
    return { mean, variance: v.reduce((a, c) => a + (c - mean) ** 2, 0) / v.length };
  };

  it('training: batch statistics over (batch, length), biased variance, eps 1e-5; running averages with momentum', () => {
    const out = applyNorm('batch', params, state, x, { train: true, momentum: 0.9 });
    const y = values(out.y);
    const running = out.state as BatchNormStats;
    for (let h = 0; h < H; h++) {
      const { mean, variance } = featureStats(h);
      expect(at(y, 1, 3, h)).toBeCloseTo((at(xs, 1, 3, h) - mean) / Math.sqrt(variance + 1e-5), 12);
      expect(values(running.mean)[h]).toBeCloseTo(0.9 * 0 + 0.1 * mean, 12);
      expect(values(running.var)[h]).toBeCloseTo(0.9 * 1 + 0.1 * variance, 12);
    }
  });

  it('evaluation: uses the running statistics and leaves them unchanged', () => {
    const running = { mean: T.tensor([1, -1, 0.5]), var: T.tensor([4, 0.25, 1]) };
    const out = applyNorm('batch', params, running, x, { train: false, momentum: 0.9 });
    const y = values(out.y);
    for (let h = 0; h < H; h++) {
      expect(at(y, 0, 2, h)).toBeCloseTo((at(xs, 0, 2, h) - [1, -1, 0.5][h]) / Math.sqrt([4, 0.25, 1][h] + 1e-5), 12);
    }
    expect(out.state).toBe(running);
  });
});

describe('dropout', () => {
  it('shares one mask per (example, feature) over time and scales kept values by 1/(1-p)', () => {
    const x = T.add(T.zeros([4, 6, 8]), 1) as T.Tensor<'f32'>;
    const y = values(dropout(0.25, T.random.key(5), x));
    for (let b = 0; b < 4; b++) {
      for (let h = 0; h < 8; h++) {
        const first = at(y, b, 0, h, 6, 8);
        expect([0, 1 / 0.75]).toContainEqual(first);
        for (let l = 1; l < 6; l++) expect(at(y, b, l, h, 6, 8)).toBe(first);
      }
    }
  });

  it('keeps about 1-p of the features, and a different key gives a different mask', () => {
    const x = T.add(T.zeros([64, 1, 64]), 1) as T.Tensor<'f32'>;
    const a = values(dropout(0.3, T.random.key(1), x));
    const kept = a.filter((v) => v > 0).length / a.length;
    // 4096 Bernoulli(0.7) draws: standard error 0.007.
    expect(Math.abs(kept - 0.7)).toBeLessThan(0.03);
    expect(maxAbsDiff(a, values(dropout(0.3, T.random.key(2), x)))).toBeGreaterThan(0);
  });

  it('is the identity without a key (evaluation) or with rate 0', () => {
    const x = randomInput(3, [2, 3, 4]);
    expect(dropout(0.5, undefined, x)).toBe(x);
    expect(dropout(0, T.random.key(0), x)).toBe(x);
  });
});

describe('activations', () => {
  const gelu = (v: number): number => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
  const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
  const x = randomInput(4, [1, 2, H], 1.5);
  const xs = values(x);
  const noDrop = [(v: T.Tensor<'f32'>) => v, (v: T.Tensor<'f32'>) => v] as const;
  /** (W g + b)_h for a dense layer and one time step's g. */
  const affine = (p: ReturnType<typeof initDense>, g: number[], h: number): number =>
    g.reduce((a, gi, i) => a + gi * values(p.kernel)[i * H + h], values(p.bias)[h]);

  it('gelu is the tanh approximation', () => {
    const y = values(applyActivation('gelu', {}, x, noDrop));
    xs.forEach((v, i) => expect(y[i]).toBeCloseTo(gelu(v), 14));
  });

  for (const kind of ['full_glu', 'half_glu1', 'half_glu2'] as const) {
    it(`${kind} follows its formula`, () => {
      const params = initActivation(kind, H, T.random.key(7));
      const W2 = { ...params.W2!, bias: T.tensor([0.1, -0.2, 0.3]) };
      const p = { ...params, W2 };
      const y = values(applyActivation(kind, p, x, noDrop));
      for (let l = 0; l < 2; l++) {
        const row = [0, 1, 2].map((h) => xs[l * H + h]);
        const g = row.map(gelu);
        for (let h = 0; h < H; h++) {
          const gate = sigmoid(affine(W2, g, h));
          const value = kind === 'full_glu' ? affine(p.W1!, g, h) : kind === 'half_glu1' ? g[h] : row[h];
          expect(y[l * H + h]).toBeCloseTo(value * gate, 12);
        }
      }
    });
  }

  it('full_glu has W1 and W2, the half GLUs only W2, gelu none', () => {
    expect(Object.keys(initActivation('full_glu', H, T.random.key(0))).sort()).toEqual(['W1', 'W2']);
    expect(Object.keys(initActivation('half_glu2', H, T.random.key(0)))).toEqual(['W2']);
    expect(initActivation('gelu', H, T.random.key(0))).toEqual({});
  });
});

describe('Dense', () => {
  it('computes x W + b and initialises W ~ TN(1/sqrt(fan_in)), b = 0', () => {
    const p = initDense(T.random.key(3), 64, 64);
    const w = values(p.kernel);
    const std = Math.sqrt(w.reduce((a, v) => a + v * v, 0) / w.length);
    // 4096 draws of a distribution with std 1/8: the sample std is within a few percent.
    expect(std).toBeGreaterThan(0.95 / 8);
    expect(std).toBeLessThan(1.05 / 8);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual((2 / 0.87962566103423978) / 8 + 1e-12);
    expect(values(p.bias).every((v) => v === 0)).toBe(true);
    const x = T.tensor([[1, 2]]);
    const q = { kernel: T.tensor([[1, 0, 2], [0, 1, -1]]), bias: T.tensor([0.5, 0, 0]) };
    expect(values(dense(q)(x))).toEqual(Float64Array.from([1.5, 2, 0]));
  });
});
