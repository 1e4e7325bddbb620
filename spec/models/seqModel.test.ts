/**
 * The sequence model: recurrent mode against parallel mode for S5, S4D and S4 stacks (pooling
 * mean / last / none, pre- and postnorm, batch and layer norm with non-trivial running
 * statistics); masked mean pooling and last-step pooling against naive sums; token inputs
 * against explicit one-hot inputs; BatchNorm state threading; parameter counts against the
 * spec's per-layer formula.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import { type ModelConfig, modelConfig } from '../../src/models/config';
import { applyModel, initModel, initRecurrentState, paramCount, prepareRecurrent, stepModel } from '../../src/models/seqModel';
import { maxAbsDiff, randomInput, values } from './helpers';

const [B, L, D_IN] = [2, 7, 2];

const base = (overrides: Record<string, unknown>): ModelConfig =>
  modelConfig({ dInput: D_IN, dModel: 4, nLayers: 2, head: { kind: 'regression', dOutput: 3 }, ssm: { kind: 's5', P: 4, blocks: 1 }, ...overrides });

/** Runs one training step on random data so BatchNorm running statistics are not the init values. */
function trainedState(config: ModelConfig, params: ReturnType<typeof initModel>['params'], state: ReturnType<typeof initModel>['state']) {
  return applyModel(config, params, state, randomInput(40, [B, L, D_IN], 2), { train: true }).state;
}

describe('recurrent mode equals parallel mode (evaluation)', () => {
  const cases: Record<string, unknown>[] = [
    { pooling: 'mean' },
    { pooling: 'last', prenorm: false, activation: 'half_glu2' },
    { pooling: 'none', norm: 'layer', activation: 'full_glu', finalNorm: true },
    { ssm: { kind: 's5', P: 4, blocks: 2, conjSym: false, discretization: 'bilinear' }, activation: 'gelu' },
    { ssm: { kind: 's4d', N: 4, init: 'lin' }, pooling: 'mean', finalNorm: true },
    { ssm: { kind: 's4d', N: 4, init: 'legs', discretization: 'bilinear' }, pooling: 'none' },
    { ssm: { kind: 's4', N: 4 }, pooling: 'last', activation: 'full_glu' },
  ];
  for (const overrides of cases) {
    it(JSON.stringify(overrides), () => {
      const config = base(overrides);
      const init = initModel(config, T.random.key(1));
      const state = trainedState(config, init.params, init.state);
      const u = randomInput(41, [B, L, D_IN]);
      const parallel = applyModel(config, init.params, state, u, { train: false, stepRescale: 1.5 });
      const recurrent = prepareRecurrent(config, init.params, { L, stepRescale: 1.5 });
      let carry = initRecurrentState(config, init.params, recurrent, B);
      const stepOutputs: T.Tensor[] = [];
      for (let t = 0; t < L; t++) {
        const out = stepModel(config, init.params, state, recurrent, carry, T.squeeze(T.sliceAxis(u, 1, t, t + 1), 1));
        carry = out.carry;
        stepOutputs.push(out.outputs);
      }
      if (config.pooling === 'none') {
        const stacked = T.stack(stepOutputs as T.Tensor<'f32'>[], 1);
        expect(maxAbsDiff(values(stacked), values(parallel.outputs))).toBeLessThan(1e-9);
      } else {
        expect(maxAbsDiff(values(stepOutputs[L - 1]), values(parallel.outputs))).toBeLessThan(1e-9);
      }
      // The evaluation pass leaves the state unchanged.
      expect(parallel.state).toEqual(state);
    });
  }
});

describe('per-step Δ (irregular sampling) through the model', () => {
  it('S5: parallel mode with timesteps equals recurrent steps with the same τ_t', () => {
    const config = base({ pooling: 'none' });
    const init = initModel(config, T.random.key(8));
    const u = randomInput(46, [B, L, D_IN]);
    const tau = T.tensor(Array.from({ length: B * L }, (_, i) => 0.5 + (i % 3)), 'f32', [B, L]);
    const parallel = values(applyModel(config, init.params, init.state, u, { train: false, timesteps: tau }).outputs);
    const recurrent = prepareRecurrent(config, init.params);
    let carry = initRecurrentState(config, init.params, recurrent, B);
    const steps: T.Tensor<'f32'>[] = [];
    for (let t = 0; t < L; t++) {
      const out = stepModel(config, init.params, init.state, recurrent, carry, T.squeeze(T.sliceAxis(u, 1, t, t + 1), 1), T.squeeze(T.sliceAxis(tau, 1, t, t + 1), 1));
      carry = out.carry;
      steps.push(out.outputs);
    }
    expect(maxAbsDiff(values(T.stack(steps, 1)), parallel)).toBeLessThan(1e-10);
    expect(maxAbsDiff(values(applyModel(config, init.params, init.state, u, { train: false }).outputs), parallel)).toBeGreaterThan(1e-4);
  });

  it('S4D and S4 refuse timesteps (a convolution kernel has one fixed step)', () => {
    for (const ssm of [{ kind: 's4d', N: 4 }, { kind: 's4', N: 4 }]) {
      const config = base({ ssm });
      const { params, state } = initModel(config, T.random.key(0));
      expect(() => applyModel(config, params, state, randomInput(1, [B, L, D_IN]), { train: false, timesteps: T.ones([B, L]) })).toThrow(/needs an S5 layer/);
    }
  });
});

describe('pooling and heads', () => {
  const lengths = T.tensor([4, 7], 'i32');

  it('mean pooling with lengths averages the real steps only (pads still run through the layers)', () => {
    const features = base({ pooling: 'none', head: { kind: 'regression', dOutput: 4 } });
    const pooled = base({ pooling: 'mean', head: { kind: 'regression', dOutput: 4 } });
    const { params, state } = initModel(features, T.random.key(2));
    const u = randomInput(42, [B, L, D_IN]);
    // With a linear identity head, pooling commutes with the head: compare per-step outputs.
    const identity = { kernel: T.eye(4), bias: T.zeros([4]) };
    const p = { ...params, decoder: identity };
    const steps = values(applyModel(features, p, state, u, { train: false }).outputs);
    const out = values(applyModel(pooled, p, state, u, { train: false, lengths }).outputs);
    [4, 7].forEach((len, b) => {
      for (let h = 0; h < 4; h++) {
        let s = 0;
        for (let t = 0; t < len; t++) s += steps[(b * L + t) * 4 + h];
        expect(out[b * 4 + h]).toBeCloseTo(s / len, 12);
      }
    });
  });

  it('last pooling picks the last real step of each example', () => {
    const features = base({ pooling: 'none', head: { kind: 'regression', dOutput: 4 } });
    const last = base({ pooling: 'last', head: { kind: 'regression', dOutput: 4 } });
    const { params, state } = initModel(features, T.random.key(3));
    const p = { ...params, decoder: { kernel: T.eye(4), bias: T.zeros([4]) } };
    const u = randomInput(43, [B, L, D_IN]);
    const steps = values(applyModel(features, p, state, u, { train: false }).outputs);
    const out = values(applyModel(last, p, state, u, { train: false, lengths }).outputs);
    const unmasked = values(applyModel(last, p, state, u, { train: false }).outputs);
    [4, 7].forEach((len, b) => {
      for (let h = 0; h < 4; h++) {
        expect(out[b * 4 + h]).toBeCloseTo(steps[(b * L + len - 1) * 4 + h], 12);
        expect(unmasked[b * 4 + h]).toBeCloseTo(steps[(b * L + L - 1) * 4 + h], 12);
      }
    });
  });

  it('classification outputs are log-probabilities', () => {
    const config = base({ head: { kind: 'classification', nClasses: 5 } });
    const { params, state } = initModel(config, T.random.key(4));
    const out = values(applyModel(config, params, state, randomInput(44, [B, L, D_IN]), { train: false }).outputs);
    for (let b = 0; b < B; b++) {
      const probs = Array.from(out.slice(b * 5, b * 5 + 5), Math.exp);
      expect(probs.reduce((a, p) => a + p, 0)).toBeCloseTo(1, 12);
    }
  });
});

describe('encoder', () => {
  it('token ids give the same outputs as explicit one-hot float inputs', () => {
    const tokens = base({ inputKind: 'tokens', dInput: 6 });
    const oneHot = base({ inputKind: 'float', dInput: 6 });
    const { params, state } = initModel(tokens, T.random.key(5));
    const ids = [0, 3, 5, 1, 1, 2, 4, 5, 0, 0, 2, 3, 4, 1];
    const hot = Float64Array.from({ length: ids.length * 6 }, (_, i) => (ids[Math.floor(i / 6)] === i % 6 ? 1 : 0));
    const a = applyModel(tokens, params, state, T.tensor(ids, 'i32', [B, L]), { train: false }).outputs;
    const b = applyModel(oneHot, params, state, T.tensor(hot, 'f32', [B, L, 6]), { train: false }).outputs;
    expect(maxAbsDiff(values(a), values(b))).toBeLessThan(1e-12);
  });

  it('rejects inputs of the wrong kind, naming what was expected', () => {
    const config = base({});
    const { params, state } = initModel(config, T.random.key(0));
    expect(() => applyModel(config, params, state, T.zeros([B, L, 5]), { train: false })).toThrow(/f32\[\.\.\., 2\]/);
    expect(() => applyModel(config, params, state, T.zeros([B, L]), { train: false })).toThrow(/f32\[B, L, 2\]/);
  });
});

describe('state threading', () => {
  it('training updates the BatchNorm running statistics; dropout needs a key and depends on it', () => {
    const config = base({ dropout: 0.3 });
    const { params, state } = initModel(config, T.random.key(6));
    const u = randomInput(45, [B, L, D_IN]);
    expect(() => applyModel(config, params, state, u, { train: true })).toThrow(/PRNG key/);
    const a = applyModel(config, params, state, u, { train: true, key: T.random.key(1) });
    const b = applyModel(config, params, state, u, { train: true, key: T.random.key(2) });
    expect(maxAbsDiff(values(a.outputs), values(b.outputs))).toBeGreaterThan(1e-6);
    const before = values((state.layers[0].norm as { mean: T.Tensor }).mean);
    const after = values((a.state.layers[0].norm as { mean: T.Tensor }).mean);
    expect(maxAbsDiff(before, after)).toBeGreaterThan(1e-6);
  });
});

describe('parameter count', () => {
  it('matches the spec formula for S5 (conj_sym): 2Ph + 2PhH + 2PhH(×2 bidir) + H + Ph per SSM, 2H norm, H²+H per GLU dense', () => {
    for (const [bidirectional, activation, glus] of [[false, 'half_glu1', 1], [true, 'full_glu', 2], [false, 'gelu', 0]] as const) {
      const [H, P, nLayers, dIn, nClasses] = [8, 16, 3, 5, 10];
      const config = modelConfig({ dInput: dIn, dModel: H, nLayers, activation, head: { kind: 'classification', nClasses }, ssm: { kind: 's5', P, blocks: 4, bidirectional } });
      const Ph = P / 2;
      const ssm = 2 * Ph + 2 * Ph * H + 2 * Ph * H * (bidirectional ? 2 : 1) + H + Ph;
      const layer = ssm + 2 * H + glus * (H * H + H);
      const expected = nLayers * layer + (dIn * H + H) + (H * nClasses + nClasses);
      expect(paramCount(initModel(config, T.random.key(0)).params)).toBe(expected);
    }
  });
});
