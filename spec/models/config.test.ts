/**
 * Model configs: defaults against S5's run_train.py table (spec §2.5), validation errors that
 * name the failing field, and the optimiser parameter groups against the opt_config table
 * (spec §2.3).
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import { decodeModelConfig, modelConfig } from '../../src/models/config';
import { paramGroupList, paramGroups } from '../../src/models/paramGroups';
import { initModel } from '../../src/models/seqModel';

const minimal = { dInput: 1, head: { kind: 'classification', nClasses: 10 } };

describe('model config defaults', () => {
  it('S5 and the model wrapper take the run_train.py defaults', () => {
    const c = modelConfig(minimal);
    expect(c).toMatchObject({
      nLayers: 6,
      dModel: 128,
      pooling: 'mean',
      activation: 'half_glu1',
      prenorm: true,
      norm: 'batch',
      bnMomentum: 0.95,
      dropout: 0,
      inputKind: 'float',
      finalNorm: false,
      ssm: { kind: 's5', P: 256, blocks: 8, cInit: 'trunc_standard_normal', discretization: 'zoh', conjSym: true, clipEigs: false, bidirectional: false, dtMin: 0.001, dtMax: 0.1 },
    });
  });

  it('S4D and S4 defaults: N = 64, LegS, ZOH for S4D', () => {
    expect(modelConfig({ ...minimal, ssm: { kind: 's4d' } }).ssm).toEqual({ kind: 's4d', N: 64, init: 'legs', discretization: 'zoh', bidirectional: false, dtMin: 0.001, dtMax: 0.1 });
    expect(modelConfig({ ...minimal, ssm: { kind: 's4' } }).ssm).toEqual({ kind: 's4', N: 64, bidirectional: false, dtMin: 0.001, dtMax: 0.1 });
  });

  it('given values override defaults', () => {
    const c = modelConfig({ ...minimal, nLayers: 8, ssm: { kind: 's5', P: 16, blocks: 8, bidirectional: true } });
    expect(c.nLayers).toBe(8);
    expect(c.ssm).toMatchObject({ P: 16, blocks: 8, bidirectional: true, cInit: 'trunc_standard_normal' });
  });
});

describe('model config errors name the field', () => {
  const errorOf = (input: unknown): { field?: string; message: string } => {
    const r = decodeModelConfig(input);
    if (r._tag === 'Right') throw new Error('expected a decoding failure');
    return { field: r.left.field, message: r.left.message };
  };

  const cases: [string, unknown, string, RegExp][] = [
    ['blocks not dividing P', { ...minimal, ssm: { kind: 's5', P: 16, blocks: 3 } }, 'ssm.blocks', /divisor of P \(16\)/],
    ['odd block size with conjSym', { ...minimal, ssm: { kind: 's5', P: 12, blocks: 4 } }, 'ssm.blocks', /even/],
    ['odd N', { ...minimal, ssm: { kind: 's4d', N: 5 } }, 'ssm.N', /even state size/],
    ['dtMax < dtMin', { ...minimal, ssm: { kind: 's4', dtMin: 0.1, dtMax: 0.01 } }, 'ssm.dtMax', />= dtMin/],
    ['unknown SSM kind', { ...minimal, ssm: { kind: 's6' } }, 'ssm.kind', /one of s5\|s4d\|s4/],
    ['unknown field (typo)', { ...minimal, ssm: { kind: 's5', bloks: 4 } }, 'ssm.bloks', /known field/],
    ['dropout out of range', { ...minimal, dropout: 1 }, 'dropout', /\[0, 1\)/],
    ['bad activation', { ...minimal, activation: 'relu' }, 'activation', /half_glu1/],
    ['non-integer width', { ...minimal, dModel: 3.5 }, 'dModel', /positive integer/],
    ['missing head', { dInput: 1 }, 'head', /an object with kind classification\|regression/],
    ['head without kind', { dInput: 1, head: { nClasses: 3 } }, 'head.kind', /one of classification\|regression/],
    ['bad class count', { dInput: 1, head: { kind: 'classification', nClasses: 0 } }, 'head.nClasses', /positive integer/],
    ['bad cInit', { ...minimal, ssm: { kind: 's5', cInit: 'zeros' } }, 'ssm.cInit', /complex_normal/],
  ];
  for (const [what, input, field, message] of cases) {
    it(what, () => {
      const e = errorOf(input);
      expect(e.field).toBe(field);
      expect(e.message).toMatch(message);
      expect(e.message).toContain(field);
    });
  }
});

describe('optimiser parameter groups (opt_config)', () => {
  const config = modelConfig({ ...minimal, dModel: 4, nLayers: 1, ssm: { kind: 's5', P: 4, blocks: 1 }, activation: 'full_glu' });
  const { params } = initModel(config, T.random.key(0));

  it('standard: B, Lambda, log_step in "ssm"; C, D, Dense and norm params "regular"', () => {
    const g = paramGroups(params);
    for (const leaf of ['B', 'Lambda_re', 'Lambda_im', 'log_step']) expect(g[`layers[0].ssm.${leaf}`]).toBe('ssm');
    for (const path of ['layers[0].ssm.C', 'layers[0].ssm.D', 'layers[0].norm.scale', 'layers[0].norm.bias', 'layers[0].glu.W1.kernel', 'layers[0].glu.W2.bias', 'encoder.kernel', 'decoder.bias']) {
      expect(g[path]).toBe('regular');
    }
  });

  it('BandCdecay, BfastandCdecay, noBCdecay and dtGlobal follow the table', () => {
    const at = (opts: Parameters<typeof paramGroups>[1], leaf: string) => paramGroups(params, opts)[`layers[0].ssm.${leaf}`];
    expect(at({ optConfig: 'BandCdecay' }, 'B')).toBe('ssm_decay');
    expect(at({ optConfig: 'BandCdecay' }, 'Lambda_im')).toBe('ssm');
    expect(at({ optConfig: 'BfastandCdecay' }, 'B')).toBe('regular');
    expect(at({ optConfig: 'BfastandCdecay' }, 'log_step')).toBe('ssm');
    for (const leaf of ['B', 'C', 'D', 'Lambda_re', 'log_step']) expect(at({ optConfig: 'noBCdecay' }, leaf)).toBe('ssm');
    expect(paramGroups(params, { optConfig: 'noBCdecay' })['encoder.kernel']).toBe('regular');
    expect(at({ dtGlobal: true }, 'log_step')).toBe('regular');
    expect(at({ dtGlobal: true }, 'B')).toBe('ssm');
  });

  it('S4 leaves map by role (A_imag, log_A_real, P, log_dt are state/step params)', () => {
    const s4 = modelConfig({ ...minimal, dModel: 2, nLayers: 1, ssm: { kind: 's4', N: 4 } });
    const g = paramGroups(initModel(s4, T.random.key(0)).params);
    for (const leaf of ['A_imag', 'log_A_real', 'P', 'log_dt', 'B']) expect(g[`layers[0].ssm.${leaf}`]).toBe('ssm');
    expect(g['layers[0].ssm.C']).toBe('regular');
  });

  it('the list form is aligned with the flattened leaves', () => {
    const [leaves] = T.tree.flatten(params);
    const list = paramGroupList(params);
    expect(list.length).toBe(leaves.length);
    expect(list).toEqual(Object.values(paramGroups(params)));
  });
});
