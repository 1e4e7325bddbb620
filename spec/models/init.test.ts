/**
 * Initialisation through PRNG keys: HiPPO-N eigenvalues of the S5 and S4D/S4 layers against
 * the spec's table (§1.1, numpy eigh values), the ListOps block structure, C-init scales
 * (§1.3), and determinism in the key.
 */
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import { decodeSSMConfig, type S4Config, type S4DConfig, type S5Config } from '../../src/models/config';
import { initS4 } from '../../src/models/s4';
import { initS4D } from '../../src/models/s4d';
import { initS5 } from '../../src/models/s5';
import { complexParts, maxAbsDiff, values } from './helpers';

const decode = <C>(input: unknown): C => {
  const r = decodeSSMConfig(input);
  if (r._tag === 'Left') throw r.left;
  return r.right as C;
};

const N16_HALF = [-80.966081, -25.629226, -13.834342, -8.362105, -5.090024, -2.899668, -1.371989, -0.352018];
const N8 = [-19.85741, -5.354209, -1.957794, -0.427489, 0.427489, 1.957794, 5.354209, 19.85741];

describe('HiPPO-N eigenvalues in the initial parameters match the spec table', () => {
  it('S5, P = 16, one block, conjSym: the negative-imaginary half of N = 16', () => {
    const p = initS5(decode<S5Config>({ kind: 's5', P: 16, blocks: 1 }), 2, T.random.key(0));
    expect(maxAbsDiff(values(p.Lambda_im), N16_HALF)).toBeLessThan(1e-6);
    expect(values(p.Lambda_re).every((x) => Math.abs(x + 0.5) < 1e-12)).toBe(true);
  });

  it('S5, P = 8, conjSym off: all eight eigenvalues of N = 8', () => {
    const p = initS5(decode<S5Config>({ kind: 's5', P: 8, blocks: 1, conjSym: false }), 2, T.random.key(0));
    expect(maxAbsDiff(values(p.Lambda_im), N8)).toBeLessThan(1e-5);
  });

  it('ListOps blocks (P = 16, J = 8): every state is -0.5 - 0.866025i', () => {
    const p = initS5(decode<S5Config>({ kind: 's5', P: 16, blocks: 8 }), 2, T.random.key(0));
    expect(p.Lambda_im.shape).toEqual([8]);
    for (const x of values(p.Lambda_im)) expect(x).toBeCloseTo(-0.866025, 6);
  });

  it('S4D-LegS and S4 (N = 8): the negative-imaginary half, copied per channel', () => {
    const s4d = initS4D(decode<S4DConfig>({ kind: 's4d', N: 8, init: 'legs' }), 3, T.random.key(0));
    const s4 = initS4(decode<S4Config>({ kind: 's4', N: 8 }), 3, T.random.key(0));
    for (const p of [s4d, s4]) {
      expect(p.A_imag.shape).toEqual([3, 4]);
      expect(maxAbsDiff(values(p.A_imag), [...N8.slice(0, 4), ...N8.slice(0, 4), ...N8.slice(0, 4)])).toBeLessThan(1e-5);
    }
  });

  it('S4D-Lin and S4D-Inv follow their closed forms (stored with negative imaginary parts)', () => {
    const lin = initS4D(decode<S4DConfig>({ kind: 's4d', N: 8, init: 'lin' }), 1, T.random.key(0));
    const inv = initS4D(decode<S4DConfig>({ kind: 's4d', N: 8, init: 'inv' }), 1, T.random.key(0));
    expect(maxAbsDiff(values(lin.A_imag), [0, 1, 2, 3].map((n) => -Math.PI * n))).toBeLessThan(1e-12);
    expect(maxAbsDiff(values(inv.A_imag), [0, 1, 2, 3].map((n) => -(8 / Math.PI) * (8 / (2 * n + 1) - 1)))).toBeLessThan(1e-12);
  });
});

describe('S5 C initialisation scales', () => {
  const rms = (xs: Float64Array): number => Math.sqrt(xs.reduce((a, x) => a + x * x, 0) / xs.length);
  it('complex_normal draws C directly with Re, Im ~ N(0, 1/2)', () => {
    const p = initS5(decode<S5Config>({ kind: 's5', P: 32, blocks: 1, cInit: 'complex_normal' }), 64, T.random.key(9));
    const { re, im } = complexParts(p.C);
    // 1024 draws each: the sample rms is within a few percent of sqrt(1/2).
    expect(Math.abs(rms(re) - Math.SQRT1_2)).toBeLessThan(0.05);
    expect(Math.abs(rms(im) - Math.SQRT1_2)).toBeLessThan(0.05);
  });

  it('trunc_standard_normal has fan-in Pf, lecun_normal fan-in Pf·H (so H times smaller variance)', () => {
    const H = 16;
    const trunc = initS5(decode<S5Config>({ kind: 's5', P: 32, blocks: 1, cInit: 'trunc_standard_normal' }), H, T.random.key(9));
    const lecun = initS5(decode<S5Config>({ kind: 's5', P: 32, blocks: 1, cInit: 'lecun_normal' }), H, T.random.key(9));
    // C~ = C V with V's columns orthonormal: E|C~_hn|² = Σ_k E|C_hk|² |V_kn|² = 2σ², σ² = 1/Pf for trunc_standard_normal.
    const power = (c: T.Tensor<'c64'>) => {
      const { re, im } = complexParts(c);
      return (rms(re) ** 2 + rms(im) ** 2);
    };
    expect(power(trunc.C)).toBeGreaterThan(0.8 * (2 / 32));
    expect(power(trunc.C)).toBeLessThan(1.2 * (2 / 32));
    expect(power(trunc.C) / power(lecun.C)).toBeGreaterThan(0.7 * H);
    expect(power(trunc.C) / power(lecun.C)).toBeLessThan(1.3 * H);
  });
});

describe('initialisation is a function of the key', () => {
  it('same key, same parameters; another key, other parameters', () => {
    const config = decode<S5Config>({ kind: 's5', P: 8, blocks: 2 });
    const a = initS5(config, 3, T.random.key(4));
    const b = initS5(config, 3, T.random.key(4));
    const c = initS5(config, 3, T.random.key(5));
    expect(values(a.B)).toEqual(values(b.B));
    expect(values(a.log_step)).toEqual(values(b.log_step));
    expect(maxAbsDiff(values(a.B), values(c.B))).toBeGreaterThan(1e-3);
    for (const s of values(a.log_step)) {
      expect(s).toBeGreaterThanOrEqual(Math.log(0.001));
      expect(s).toBeLessThan(Math.log(0.1));
    }
  });
});
