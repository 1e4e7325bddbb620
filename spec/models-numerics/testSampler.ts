// A small seeded Sampler for tests: sfc32 uniform bits (53-bit doubles),
// Box-Muller normals, and rejection sampling for the [-2, 2] truncated normal.

import type { Sampler } from '../../src/models/numerics/sampler';

export interface TestSampler extends Sampler {
  /** One uniform double in [0, 1). */
  next(): number;
}

export const seededSampler = (seed: number): TestSampler => {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next32 = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (a + b + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 20; i++) next32();
  const next = (): number => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992;
  const standardNormal = (): number => {
    let u = next();
    while (u === 0) u = next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
  };
  return {
    next,
    uniform: (n) => Float64Array.from({ length: n }, next),
    normal: (n) => Float64Array.from({ length: n }, standardNormal),
    truncatedNormal: (n) =>
      Float64Array.from({ length: n }, () => {
        for (;;) {
          const x = standardNormal();
          if (Math.abs(x) <= 2) return x;
        }
      }),
  };
};
