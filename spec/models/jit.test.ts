/**
 * The models are pure functions of tensors, so they compile: the jitted forward pass (training
 * mode: dropout key and BatchNorm state as traced arguments) agrees with the float64 eager
 * evaluation to float32 accuracy.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import { modelConfig } from '../../src/models/config';
import { type ModelParams, type ModelState, sequenceModel } from '../../src/models/seqModel';
import { maxAbsDiff, values } from './helpers';

describe('jit(apply) equals eager apply', () => {
  for (const ssm of [{ kind: 's5', P: 4, blocks: 1, bidirectional: true }, { kind: 's4', N: 4 }]) {
    it(ssm.kind, async () => {
      const model = sequenceModel(modelConfig({ dInput: 2, dModel: 4, nLayers: 2, head: { kind: 'classification', nClasses: 3 }, ssm, dropout: 0.1 }));
      const { params, state } = model.init(T.random.key(0));
      const u = T.random.normal(T.random.key(1), [2, 6, 2]);
      const forward = (p: ModelParams, s: ModelState, x: T.Tensor, key: T.random.Key) => {
        const out = model.apply(p, s, x, { train: true, key });
        return [out.outputs, out.state.layers[0].norm] as const;
      };
      const [eagerOut, eagerNorm] = forward(params, state, u, T.random.key(3));
      const [jitOut, jitNorm] = await T.jit(forward)(params, state, u, T.random.key(3));
      expect(maxAbsDiff(values(jitOut), values(eagerOut))).toBeLessThan(1e-4);
      expect(maxAbsDiff(values((jitNorm as { mean: T.Tensor }).mean), values((eagerNorm as { mean: T.Tensor }).mean))).toBeLessThan(1e-5);
    });
  }
});
