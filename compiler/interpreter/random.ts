/**
 * Counter-based random bits: Threefry-2x32 with 20 rounds (Salmon et al., "Parallel random
 * numbers: as easy as 1, 2, 3", 2011). Element i of random_bits(key, shape) is the first word of
 * threefry2x32(key, (i, 0)), as a signed 32-bit integer. The same key gives the same bits on
 * every backend and in every program.
 */

const ROTATIONS = [
  [13, 15, 26, 6],
  [17, 29, 16, 24],
] as const;

const rotl = (x: number, r: number): number => ((x << r) | (x >>> (32 - r))) >>> 0;

export function threefry2x32(k0: number, k1: number, c0: number, c1: number): [number, number] {
  k0 >>>= 0;
  k1 >>>= 0;
  const ks = [k0, k1, (0x1bd11bda ^ k0 ^ k1) >>> 0];
  let x0 = (c0 + k0) >>> 0;
  let x1 = (c1 + k1) >>> 0;
  for (let group = 0; group < 5; group++) {
    for (const r of ROTATIONS[group % 2]) {
      x0 = (x0 + x1) >>> 0;
      x1 = rotl(x1, r) ^ x0;
    }
    x0 = (x0 + ks[(group + 1) % 3]) >>> 0;
    x1 = (x1 + ks[(group + 2) % 3] + group + 1) >>> 0;
  }
  return [x0, x1];
}

export function randomBits(k0: number, k1: number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = threefry2x32(k0, k1, i, 0)[0] | 0;
  return out;
}
