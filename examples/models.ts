/**
 * Builds an S5, an S4D and an S4 sequence model from configs, prints their parameter counts
 * (and the SSM share), then runs a tiny batch through a small model of each kind in parallel and
 * in recurrent mode and prints how far apart the two modes are.
 *
 *   npx esbuild examples/models.ts --bundle --platform=node --format=esm --outfile=dist/examples/models.mjs
 *   node dist/examples/models.mjs
 */
import * as T from '../src/index';
import { type ModelConfig, applyModel, initModel, initRecurrentState, modelConfig, paramCount, paramGroups, prepareRecurrent, stepModel } from '../src/models/index';

const configs: Record<string, unknown> = {
  // S5 on sMNIST (spec §3.2): 4 layers, H 96, P 128, J 1.
  's5 (sMNIST)': { dInput: 1, nLayers: 4, dModel: 96, head: { kind: 'classification', nClasses: 10 }, ssm: { kind: 's5', P: 128, blocks: 1 }, dropout: 0.1 },
  // S5 on ListOps (spec §3.1): one-hot tokens in 20 channels, bidirectional, lecun_normal C.
  's5 (ListOps)': {
    inputKind: 'tokens',
    dInput: 20,
    nLayers: 8,
    dModel: 128,
    activation: 'half_glu2',
    head: { kind: 'classification', nClasses: 10 },
    ssm: { kind: 's5', P: 16, blocks: 8, bidirectional: true, cInit: 'lecun_normal' },
  },
  's4d (LegS)': { dInput: 1, nLayers: 4, dModel: 128, head: { kind: 'classification', nClasses: 10 }, ssm: { kind: 's4d', N: 64, init: 'legs' }, norm: 'layer', prenorm: false },
  's4 (DPLR)': { dInput: 1, nLayers: 4, dModel: 128, head: { kind: 'classification', nClasses: 10 }, ssm: { kind: 's4', N: 64 }, activation: 'full_glu', finalNorm: true },
};

console.log('model            parameters   ssm-group   (Adam at ssm_lr, no weight decay)');
for (const [name, raw] of Object.entries(configs)) {
  const config = modelConfig(raw);
  const { params } = initModel(config, T.random.key(0));
  const groups = paramGroups(params);
  const [leaves] = T.tree.flatten(params);
  const paths = T.tree.treePaths(params);
  const ssmCount = (leaves as T.Tensor[]).reduce((n, leaf, i) => n + (groups[paths[i]] === 'ssm' ? leaf.size * (leaf.dtype === 'c64' ? 2 : 1) : 0), 0);
  console.log(`${name.padEnd(16)} ${String(paramCount(params)).padStart(10)}   ${String(ssmCount).padStart(9)}`);
}

/** Parallel vs recurrent outputs of a tiny model of each SSM kind. */
function compareModes(ssm: unknown): number {
  const config: ModelConfig = modelConfig({ dInput: 2, nLayers: 2, dModel: 4, head: { kind: 'regression', dOutput: 1 }, ssm });
  const { params, state } = initModel(config, T.random.key(1));
  const [B, L] = [2, 8];
  const u = T.random.normal(T.random.key(2), [B, L, 2]);
  const parallel = applyModel(config, params, state, u, { train: false }).outputs;
  const recurrent = prepareRecurrent(config, params, { L });
  let carry = initRecurrentState(config, params, recurrent, B);
  let last = parallel;
  for (let t = 0; t < L; t++) {
    const out = stepModel(config, params, state, recurrent, carry, T.squeeze(T.sliceAxis(u, 1, t, t + 1), 1));
    carry = out.carry;
    last = out.outputs;
  }
  const a = parallel.data64();
  const b = last.data64();
  return Math.max(...Array.from(a, (x, i) => Math.abs(x - b[i])));
}

console.log('\nparallel vs recurrent mode, max |difference| of the pooled outputs (L = 8):');
for (const ssm of [{ kind: 's5', P: 4, blocks: 1 }, { kind: 's4d', N: 4 }, { kind: 's4', N: 4 }]) {
  console.log(`  ${ssm.kind.padEnd(4)} ${compareModes(ssm).toExponential(2)}`);
}
