/**
 * Seeded pseudo-random numbers for data generation (ListOps, adding problem, splits) and the
 * default shuffle. This is deliberately separate from the model's counter-based PRNG: datasets
 * only need a reproducible stream, and any shuffle source can be injected into the batcher
 * through a PermutationFn.
 *
 * Generator: sfc32 (Small Fast Counting, 128-bit state) seeded through splitmix32, giving
 * uniform 32-bit outputs; `next()` maps them to [0, 1) with 2^-32 resolution.
 */

/** A reproducible stream of uniform random numbers. */
export interface RandomSource {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [lo, hi], both ends included (like Python's random.randint). */
  int(lo: number, hi: number): number;
}

/** `(n, epoch) => permutation of 0..n-1`: the shuffle order of an n-example split for an epoch. */
export type PermutationFn = (n: number, epoch: number) => Int32Array;

/** splitmix32 finalizer: a bijective avalanche hash of a 32-bit integer. */
function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Hashes several integers (seed, epoch, stream id, ...) into one 32-bit seed. */
export function mixSeed(...parts: number[]): number {
  let h = 0x2545f491;
  for (const part of parts) {
    if (!Number.isSafeInteger(part)) throw new RangeError(`mixSeed: seed parts must be integers, got ${part}`);
    const lo = part >>> 0;
    const hi = Math.floor(part / 0x100000000) >>> 0;
    h = splitmix32(h ^ lo);
    h = splitmix32(h ^ hi);
  }
  return h;
}

/** A RandomSource seeded by an integer; equal seeds give equal streams. */
export function seededRandom(seed: number): RandomSource {
  const s0 = mixSeed(seed);
  let a = s0;
  let b = splitmix32(s0 ^ 0x1);
  let c = splitmix32(s0 ^ 0x2);
  let d = 1;
  const nextUint32 = (): number => {
    const result = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + result) | 0;
    return result >>> 0;
  };
  for (let i = 0; i < 12; i++) nextUint32();
  return {
    next: () => nextUint32() / 0x100000000,
    int: (lo, hi) => {
      if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || hi < lo) {
        throw new RangeError(`RandomSource.int: need integers lo <= hi, got [${lo}, ${hi}]`);
      }
      return lo + Math.floor((nextUint32() / 0x100000000) * (hi - lo + 1));
    },
  };
}

/** A uniformly random permutation of 0..n-1 (Fisher-Yates) drawn from `random`. */
export function randomPermutation(n: number, random: RandomSource): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = random.int(0, i);
    const tmp = order[i];
    order[i] = order[j];
    order[j] = tmp;
  }
  return order;
}

/** The default PermutationFn: a fresh seeded Fisher-Yates shuffle per (seed, n, epoch). */
export function seededPermutation(seed: number): PermutationFn {
  return (n, epoch) => randomPermutation(n, seededRandom(mixSeed(seed, n, epoch)));
}
