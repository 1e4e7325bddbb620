// The scaled distributions built on the Sampler interface.

import { describe, expect, it } from 'vitest';
import {
  TRUNCATED_NORMAL_STD,
  complexNormal,
  logUniformTimescales,
  truncatedNormalScaled,
  uniformRange,
} from '../../src/models/numerics/sampler';
import { maxAbs, mean, rms } from './testHelpers';
import { seededSampler } from './testSampler';

/** Composite Simpson rule on [a, b] with n (even) intervals. */
const simpson = (f: (x: number) => number, a: number, b: number, n: number): number => {
  const h = (b - a) / n;
  let s = f(a) + f(b);
  for (let i = 1; i < n; i++) s += (i % 2 === 1 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3;
};

describe('truncated normal', () => {
  it('TRUNCATED_NORMAL_STD is the standard deviation of N(0,1) truncated to [-2, 2]', () => {
    const density = (x: number): number => Math.exp(-0.5 * x * x);
    const variance = simpson((x) => x * x * density(x), -2, 2, 20000) / simpson(density, -2, 2, 20000);
    expect(Math.abs(Math.sqrt(variance) - TRUNCATED_NORMAL_STD)).toBeLessThan(1e-12);
  });

  it('TN(sigma) draws have standard deviation sigma and stay within 2 sigma / 0.8796', () => {
    const sigma = 0.3;
    const draws = truncatedNormalScaled(seededSampler(10), 40000, sigma);
    // Standard error of the std estimate is about sigma / sqrt(2n) = 0.001.
    expect(Math.abs(rms(draws) - sigma)).toBeLessThan(0.005);
    expect(maxAbs(draws)).toBeLessThanOrEqual((2 * sigma) / TRUNCATED_NORMAL_STD + 1e-15);
    expect(maxAbs(draws)).toBeGreaterThan(0.95 * ((2 * sigma) / TRUNCATED_NORMAL_STD));
  });

  it('rejects a sampler that returns the wrong number of draws', () => {
    const bad = { ...seededSampler(1), truncatedNormal: () => new Float64Array(3) };
    expect(() => truncatedNormalScaled(bad, 5, 1)).toThrow(/returned 3 values instead of 5/);
  });
});

describe('other draws', () => {
  it('complexNormal has E|z|^2 = variance with Re and Im each variance / 2', () => {
    const z = complexNormal(seededSampler(11), 20000, 1);
    expect(Math.abs(rms(z.re) - Math.SQRT1_2)).toBeLessThan(0.015);
    expect(Math.abs(rms(z.im) - Math.SQRT1_2)).toBeLessThan(0.015);
  });

  it('uniformRange and logUniformTimescales stay in [lo, hi)', () => {
    const u = uniformRange(seededSampler(12), 5000, -1, 3);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...u)).toBeLessThan(3);
    expect(Math.abs(mean(u) - 1)).toBeLessThan(0.06);
    const logs = logUniformTimescales(seededSampler(13), 5000, 0.001, 0.1);
    expect(Math.min(...logs)).toBeGreaterThanOrEqual(Math.log(0.001));
    expect(Math.max(...logs)).toBeLessThan(Math.log(0.1));
    expect(() => logUniformTimescales(seededSampler(13), 2, 0, 0.1)).toThrow(/dtMin/);
  });
});
