/**
 * The PRNG: Threefry-2x32 against the published Random123 known-answer vectors, the random
 * bits and key splitting against an independent Threefry written from the paper, determinism
 * (eager and traced), independence of split keys, and the samplers' distributions (moments and
 * Kolmogorov-Smirnov distances), permutations and Bernoulli rates.
 */
import { describe, expect, it } from 'vitest';
import { evalIR } from '../../compiler/interpreter/index';
import { threefry2x32 } from '../../compiler/interpreter/random';
import type { Tensor } from '../../src/index';
import * as T from '../../src/index';
import { normalCdf } from '../support/naive/scalar';
import { asInt32, threefry2x32Reference } from '../support/naive/threefry';

/**
 * Random123 tests/kat_vectors, "threefry2x32 R ctr0 ctr1 key0 key1 -> out0 out1"
 * (Salmon et al., SC 2011; the same vectors are used by JAX's threefry tests).
 */
const KAT: readonly { rounds: number; ctr: [number, number]; key: [number, number]; out: [number, number] }[] = [
  { rounds: 13, ctr: [0, 0], key: [0, 0], out: [0x9d1c5ec6, 0x8bd50731] },
  { rounds: 13, ctr: [0xffffffff, 0xffffffff], key: [0xffffffff, 0xffffffff], out: [0xfd36d048, 0x2d17272c] },
  { rounds: 13, ctr: [0x243f6a88, 0x85a308d3], key: [0x13198a2e, 0x03707344], out: [0xba3e4725, 0xf27d669e] },
  { rounds: 20, ctr: [0, 0], key: [0, 0], out: [0x6b200159, 0x99ba4efe] },
  { rounds: 20, ctr: [0xffffffff, 0xffffffff], key: [0xffffffff, 0xffffffff], out: [0x1cb996fc, 0xbb002be7] },
  { rounds: 20, ctr: [0x243f6a88, 0x85a308d3], key: [0x13198a2e, 0x03707344], out: [0xc4923a9c, 0x483df7a0] },
  { rounds: 32, ctr: [0, 0], key: [0, 0], out: [0xcee3d47e, 0xa23dfd5c] },
  { rounds: 32, ctr: [0x243f6a88, 0x85a308d3], key: [0x13198a2e, 0x03707344], out: [0xe2827716, 0xc3c05cdf] },
];

const hex = (xs: readonly number[]) => xs.map((x) => (x >>> 0).toString(16).padStart(8, '0'));

describe('Threefry-2x32 known-answer tests', () => {
  it.each(KAT.filter((k) => k.rounds === 20))('the library (20 rounds): key $key ctr $ctr', ({ key, ctr, out }) => {
    expect(hex(threefry2x32(key[0], key[1], ctr[0], ctr[1]))).toEqual(hex(out));
  });

  it.each(KAT)('the independent reference ($rounds rounds): key $key ctr $ctr', ({ rounds, key, ctr, out }) => {
    expect(hex(threefry2x32Reference(key, ctr, rounds))).toEqual(hex(out));
  });
});

/** Element j of random_bits(k): the first word of Threefry(k, (j, 0)), signed. */
const bitsRef = (k: readonly number[], j: number): number => asInt32(threefry2x32Reference([k[0] >>> 0, k[1] >>> 0], [j, 0])[0]);

describe('keys', () => {
  it('key(seed) holds the high and low 32-bit words of the seed', () => {
    expect(Array.from(T.random.key(42).data64())).toEqual([0, 42]);
    expect(Array.from(T.random.key(2 ** 32 + 5).data64())).toEqual([1, 5]);
  });

  it('split(k, n) takes its keys from consecutive random words of k', () => {
    const k = T.random.key(2024);
    const kv = Array.from(k.data64());
    const keys = T.random.split(k, 3);
    keys.forEach((s, i) => expect(Array.from(s.data64())).toEqual([bitsRef(kv, 2 * i), bitsRef(kv, 2 * i + 1)]));
    expect(new Set(keys.map((s) => s.data64().join())).size).toBe(3);
  });

  it('foldIn is deterministic and separates data values', () => {
    const k = T.random.key(5);
    const a = T.random.foldIn(k, 1).data64().join();
    expect(T.random.foldIn(k, 1).data64().join()).toBe(a);
    expect(T.random.foldIn(k, 2).data64().join()).not.toBe(a);
    expect(k.data64().join()).not.toBe(a);
  });
});

describe('determinism', () => {
  it('the same key gives the same numbers, eagerly and through a traced program', () => {
    const k = T.random.key(7);
    const a = Array.from(T.random.uniform(k, [64]).data64());
    expect(Array.from(T.random.uniform(k, [64]).data64())).toEqual(a);
    const traced = T.makeIR((key: T.random.Key) => T.random.uniform(key, [64]))(T.spec([2], 'i32'));
    const [out] = evalIR(traced.ir, traced.consts.map((t) => t.value()), [k.value()]);
    expect(Array.from(out.data)).toEqual(a);
  });

  it('different keys give different numbers', () => {
    const a = T.random.uniform(T.random.key(1), [16]).data64().join();
    expect(T.random.uniform(T.random.key(2), [16]).data64().join()).not.toBe(a);
  });
});

/** Kolmogorov-Smirnov distance of a sample from a continuous CDF. */
function ksDistance(sample: ArrayLike<number>, cdf: (x: number) => number): number {
  const xs = Array.from(sample).sort((a, b) => a - b);
  const n = xs.length;
  return xs.reduce((d, x, i) => {
    const F = cdf(x);
    return Math.max(d, Math.abs(F - i / n), Math.abs((i + 1) / n - F));
  }, 0);
}
/** The 1% critical value of the one-sample KS statistic for large n. */
const ks1 = (n: number): number => 1.63 / Math.sqrt(n);

const moments = (xs: ArrayLike<number>): { mean: number; variance: number } => {
  const a = Array.from(xs);
  const mean = a.reduce((s, v) => s + v, 0) / a.length;
  return { mean, variance: a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length };
};

describe('samplers', () => {
  const n = 20000;
  const [k1, k2, k3, k4] = T.random.split(T.random.key(99), 4);

  it('uniform: in [0, 1), mean 1/2, variance 1/12, KS distance under the 1% critical value', () => {
    const u = T.random.uniform(k1, [n]).data64();
    expect(Array.from(u).every((v) => v >= 0 && v < 1)).toBe(true);
    const { mean, variance } = moments(u);
    expect(Math.abs(mean - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.003);
    expect(ksDistance(u, (x) => Math.min(Math.max(x, 0), 1))).toBeLessThan(ks1(n));
  });

  it('uniform(lo, hi) scales to [lo, hi)', () => {
    const u = Array.from(T.random.uniform(k1, [1000], -3, 5).data64());
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-3);
    expect(Math.max(...u)).toBeLessThan(5);
    expect(ksDistance(u, (x) => Math.min(Math.max((x + 3) / 8, 0), 1))).toBeLessThan(ks1(1000));
  });

  it('normal: mean 0, variance 1, KS distance from the normal CDF under the 1% critical value', () => {
    const z = T.random.normal(k2, [n]).data64();
    const { mean, variance } = moments(z);
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
    expect(ksDistance(z, normalCdf)).toBeLessThan(ks1(n));
    const std3 = moments(T.random.normal(k2, [n], 3).data64());
    expect(Math.abs(Math.sqrt(std3.variance) - 3)).toBeLessThan(0.1);
  });

  it('truncatedNormal: inside [lo, hi] and distributed as the truncated normal law', () => {
    const [lo, hi] = [-1, 2];
    const z = Array.from(T.random.truncatedNormal(k3, [5000], lo, hi).data64());
    expect(z.every((v) => v >= lo && v <= hi)).toBe(true);
    const [a, b] = [normalCdf(lo), normalCdf(hi)];
    expect(ksDistance(z, (x) => (normalCdf(Math.min(Math.max(x, lo), hi)) - a) / (b - a))).toBeLessThan(ks1(5000));
  });

  it('bernoulli: the rate of true values is p', () => {
    const p = 0.3;
    const draws = T.random.bernoulli(k4, p, [n]);
    expect(draws.dtype).toBe('bool');
    const rate = Array.from(draws.data64()).reduce((s, v) => s + v, 0) / n;
    expect(Math.abs(rate - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
  });

  it('split keys give uncorrelated streams', () => {
    const [a, b] = T.random.split(T.random.key(3), 2).map((k) => Array.from(T.random.uniform(k, [n]).data64()));
    const ma = moments(a);
    const mb = moments(b);
    const cov = a.reduce((s, v, i) => s + (v - ma.mean) * (b[i] - mb.mean), 0) / n;
    expect(Math.abs(cov / Math.sqrt(ma.variance * mb.variance))).toBeLessThan(4 / Math.sqrt(n));
  });
});

describe('permutation', () => {
  it.each([0, 1, 2, 10, 1000])('is a permutation of 0..%i-1', (n) => {
    const p = Array.from(T.random.permutation(T.random.key(n + 11), n));
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('is uniform over the 6 orderings of 3 items (chi-square, 5 degrees of freedom, 0.1% level)', () => {
    const draws = 1200;
    const counts = new Map<string, number>();
    for (let s = 0; s < draws; s++) {
      const key = T.random.key(s);
      const p = T.random.permutation(key, 3).join();
      counts.set(p, (counts.get(p) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    const expected = draws / 6;
    const chi2 = [...counts.values()].reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(20.52);
  });
});

describe('random bits in programs', () => {
  it('uniform draws come from the random bits of the key: u = bits / 2^32 + 1/2', () => {
    const k = T.random.key(123);
    const kv = Array.from(k.data64());
    const u = Array.from(T.random.uniform(k, [8]).data64());
    expect(u).toEqual(Array.from({ length: 8 }, (_, j) => Math.min(bitsRef(kv, j) / 2 ** 32 + 0.5, 1 - 2 ** -24)));
  });

  it('a key of the wrong shape or dtype is rejected with a clear error', () => {
    const bad = T.tensor([1, 2, 3], 'i32') as Tensor as T.random.Key;
    expect(() => T.random.uniform(bad, [2])).toThrow('random.uniform: the key must be an i32[2] tensor from T.random.key(seed) or split, got a i32[3] tensor');
  });
});
