// Direct convolutions on hand-checked cases, and S4's two-sided kernel against
// the spec's FFT formulation (a length-2L circular convolution with
// K_full = [k0, 0...] + [0, reverse(k1)]).

import { describe, expect, it } from 'vitest';
import { bidirectionalConvolutionS4, causalConvolution, mimoConvolution } from '../../src/models/numerics/oracles';
import { type RealMatrix, realMatrix } from '../../src/models/numerics/realMatrix';
import { maxAbsDiff } from './testHelpers';
import { seededSampler } from './testSampler';

const matrix = (rows: number, cols: number, values: number[]): RealMatrix => ({ rows, cols, data: Float64Array.from(values) });

describe('causalConvolution', () => {
  it('y_t = sum_j K_j u_{t-j} + D u_t, per channel', () => {
    // Two channels; u is L x H = 3 x 2.
    const u = matrix(3, 2, [1, 10, 2, 20, 3, 30]);
    const K = matrix(2, 2, [1, 0.5, -1, 0]);
    const D = Float64Array.of(0, 2);
    const y = causalConvolution(K, u, D);
    // channel 0: [1, 2 + 0.5, 3 + 1]; channel 1: [-10 + 20, -20 + 40, -30 + 60]
    expect(Array.from(y.data)).toEqual([1, 10, 2.5, 20, 4, 30]);
  });

  it('rejects mismatched channels', () => {
    expect(() => causalConvolution(matrix(1, 2, [1, 1]), matrix(2, 2, [1, 1, 1, 1]), Float64Array.of(0, 0))).toThrow(/kernel has 1 channels but u has 2/);
  });
});

describe('bidirectionalConvolutionS4', () => {
  it('matches the circular convolution of length 2L with K_full = [k0, 0] + [0, reverse(k1)]', () => {
    const L = 9;
    const rng = seededSampler(80);
    const k0 = rng.normal(L);
    const k1 = rng.normal(L);
    const u = rng.normal(L);
    const D = 0.7;
    const Kfull = new Float64Array(2 * L);
    for (let i = 0; i < L; i++) {
      Kfull[i] += k0[i];
      Kfull[L + i] += k1[L - 1 - i];
    }
    const expected = Array.from({ length: L }, (_, t) => {
      let acc = D * u[t];
      for (let m = 0; m < 2 * L; m++) {
        const idx = (((t - m) % (2 * L)) + 2 * L) % (2 * L);
        if (idx < L) acc += Kfull[m] * u[idx];
      }
      return acc;
    });
    const y = bidirectionalConvolutionS4(
      { rows: 1, cols: L, data: k0 },
      { rows: 1, cols: L, data: k1 },
      { rows: L, cols: 1, data: u },
      Float64Array.of(D),
    );
    expect(maxAbsDiff(y.data, expected)).toBeLessThan(1e-12);
  });

  it('the anti-causal part starts at s = 1 (excludes u_t)', () => {
    const u = matrix(3, 1, [0, 1, 0]);
    const zero = matrix(1, 3, [0, 0, 0]);
    const k1 = matrix(1, 3, [5, 0, 0]);
    const y = bidirectionalConvolutionS4(zero, k1, u, Float64Array.of(0));
    expect(Array.from(y.data)).toEqual([5, 0, 0]);
  });
});

describe('mimoConvolution', () => {
  it('mixes channels with K_j and includes u_t in the backward sum', () => {
    const u = matrix(2, 2, [1, 0, 0, 1]);
    const forward = [matrix(2, 2, [0, 1, 0, 0]), matrix(2, 2, [0, 0, 3, 0])];
    const backward = [matrix(2, 2, [1, 0, 0, 0]), matrix(2, 2, [0, 0, 0, 7])];
    const y = mimoConvolution(forward, u, Float64Array.of(0.5, 0.25), backward);
    // t = 0: fwd K0 u0 = [0, 0]; bwd K0 u0 + K1 u1 = [1, 0] + [0, 7]; D u0 = [0.5, 0]
    // t = 1: fwd K0 u1 + K1 u0 = [1, 0] + [0, 3]; bwd K0 u1 = [0, 0]; D u1 = [0, 0.25]
    expect(Array.from(y.data)).toEqual([1.5, 7, 1, 3.25]);
  });

  it('rejects a kernel matrix of the wrong shape', () => {
    const u = realMatrix(2, 2);
    expect(() => mimoConvolution([realMatrix(2, 3)], u, Float64Array.of(0, 0))).toThrow(/lag 0 is 2x3, expected 2x2/);
  });
});
