/**
 * Gradients of whole 2-layer models against central finite differences, one random direction
 * per parameter leaf: every parameter kind (SSM real and complex leaves, norm scale/bias, GLU
 * and encoder/decoder Dense kernels and biases) for S5, S4D and S4 stacks, with BatchNorm in
 * training mode (gradients through the batch statistics), dropout with a fixed key, masked mean
 * pooling, and the classification loss.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import { modelConfig } from '../../src/models/config';
import { type ModelParams, applyModel, initModel } from '../../src/models/seqModel';
import { gradientCheck, randomInput } from './helpers';

const [B, L] = [2, 5];

/** Mean negative log-likelihood of fixed labels. */
function nll(logProbs: T.Tensor<'f32'>, labels: number[], classes: number): T.Tensor<'f32'> {
  const oneHot = T.tensor(labels.flatMap((c) => Array.from({ length: classes }, (_, k) => (k === c ? 1 : 0))), 'f32', [labels.length, classes]);
  return T.div(T.neg(T.sum(T.mul(logProbs, oneHot))), labels.length) as T.Tensor<'f32'>;
}

const cases: Record<string, unknown>[] = [
  { ssm: { kind: 's5', P: 4, blocks: 1, bidirectional: true }, activation: 'full_glu', norm: 'batch', prenorm: true, dropout: 0.2 },
  { ssm: { kind: 's5', P: 4, blocks: 2, clipEigs: true, discretization: 'bilinear' }, activation: 'half_glu2', norm: 'layer', prenorm: false, finalNorm: true },
  { ssm: { kind: 's4d', N: 4, init: 'inv', dtMin: 0.05, dtMax: 0.3 }, activation: 'half_glu1', norm: 'batch', prenorm: false },
  { ssm: { kind: 's4', N: 4, bidirectional: true, dtMin: 0.05, dtMax: 0.3 }, activation: 'full_glu', norm: 'layer', prenorm: true, finalNorm: true },
];

describe('2-layer model gradients equal central differences for every parameter leaf', () => {
  for (const overrides of cases) {
    it(JSON.stringify(overrides), () => {
      const config = modelConfig({ dInput: 2, dModel: 3, nLayers: 2, head: { kind: 'classification', nClasses: 3 }, ...overrides });
      const { params, state } = initModel(config, T.random.key(12));
      const u = randomInput(50, [B, L, 2]);
      const lengths = T.tensor([3, 5], 'i32');
      const key = T.random.key(77);
      const loss = (p: ModelParams) => nll(applyModel(config, p, state, u, { train: true, key, lengths }).outputs, [0, 2], 3);
      const rows = gradientCheck(loss, params);
      const paths = rows.map((r) => r.path);
      // Every kind of leaf is present and checked.
      for (const leaf of ['encoder.kernel', 'encoder.bias', 'decoder.kernel', 'decoder.bias', 'layers[1].norm.scale', 'layers[1].norm.bias', 'layers[0].glu.W2.kernel', 'layers[0].ssm.B', 'layers[0].ssm.C', 'layers[0].ssm.D']) {
        expect(paths).toContain(leaf);
      }
      for (const r of rows) expect(Math.abs(r.analytic - r.numeric), `${r.path}: ${r.analytic} vs ${r.numeric}`).toBeLessThan(1e-6 * Math.max(1, Math.abs(r.numeric)));
      // The check is not vacuous: most directional derivatives are clearly non-zero.
      expect(rows.filter((r) => Math.abs(r.numeric) > 1e-4).length).toBeGreaterThan(rows.length / 2);
    });
  }
});
