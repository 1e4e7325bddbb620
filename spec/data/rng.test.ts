import { describe, expect, it } from 'vitest';
import { mixSeed, randomPermutation, seededPermutation, seededRandom } from '../../src/data/rng';

describe('seededRandom', () => {
  it('is reproducible for a seed and differs between seeds', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const c = seededRandom(8);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
  });

  it('is uniform on [0, 1): mean 1/2, variance 1/12, chi-square over 10 bins', () => {
    const random = seededRandom(123);
    const n = 100_000;
    const bins = new Array(10).fill(0);
    let sum = 0;
    let sumSq = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const x = random.next();
      if (!(x >= 0 && x < 1)) outside++;
      sum += x;
      sumSq += x * x;
      bins[Math.floor(x * 10)]++;
    }
    expect(outside).toBe(0);
    expect(sum / n).toBeCloseTo(0.5, 2);
    expect(sumSq / n - (sum / n) ** 2).toBeCloseTo(1 / 12, 2);
    const chi2 = bins.reduce((acc, count) => acc + (count - n / 10) ** 2 / (n / 10), 0);
    expect(chi2).toBeLessThan(27.9); // 99.9% quantile of chi-square with 9 degrees of freedom
  });

  it('int(lo, hi) covers both ends inclusively and nothing outside', () => {
    const random = seededRandom(5);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(random.int(2, 10));
    expect([...seen].sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(() => random.int(3, 2)).toThrow(RangeError);
  });
});

describe('permutations', () => {
  it('randomPermutation is a permutation and roughly uniform over positions', () => {
    const random = seededRandom(1);
    const firstCounts = new Array(4).fill(0);
    for (let trial = 0; trial < 4000; trial++) {
      const p = randomPermutation(4, random);
      expect([...p].sort()).toEqual([0, 1, 2, 3]);
      firstCounts[p[0]]++;
    }
    for (const count of firstCounts) expect(Math.abs(count - 1000)).toBeLessThan(120);
  });

  it('seededPermutation depends on seed and epoch only', () => {
    const perm = seededPermutation(3);
    expect(perm(50, 0)).toEqual(seededPermutation(3)(50, 0));
    expect(perm(50, 1)).not.toEqual(perm(50, 0));
    expect(seededPermutation(4)(50, 0)).not.toEqual(perm(50, 0));
  });

  it('mixSeed separates its inputs', () => {
    expect(mixSeed(1, 2)).not.toBe(mixSeed(2, 1));
    expect(mixSeed(0, 2 ** 32)).not.toBe(mixSeed(0, 0));
    expect(() => mixSeed(1.5)).toThrow(RangeError);
  });
});
