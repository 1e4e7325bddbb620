// The random-draw interface used by the SSM initialisers, and the scaled
// distributions built on it. Any PRNG can be plugged in by implementing
// Sampler; the initialisers never draw randomness any other way.
//
// TN(sigma) is JAX's truncated-normal initialiser: a standard normal truncated
// to [-2, 2], multiplied by sigma / TRUNCATED_NORMAL_STD so that the result has
// standard deviation exactly sigma.

import { type ComplexVector } from './complex';

export interface Sampler {
  /** n independent standard normal draws. */
  normal(n: number): Float64Array;
  /** n independent standard normal draws truncated to [-2, 2] (not rescaled). */
  truncatedNormal(n: number): Float64Array;
  /** n independent uniform draws in [0, 1). */
  uniform(n: number): Float64Array;
}

/** Standard deviation of a standard normal truncated to [-2, 2]. */
export const TRUNCATED_NORMAL_STD = 0.87962566103423978;

const checkDraws = (draws: Float64Array, n: number, what: string): Float64Array => {
  if (!(draws instanceof Float64Array) || draws.length !== n) {
    throw new RangeError(`Sampler.${what}(${n}) returned ${draws?.length ?? 'nothing'} values instead of ${n}`);
  }
  return draws;
};

/** n draws from TN(sigma): truncated standard normal times sigma / TRUNCATED_NORMAL_STD. */
export const truncatedNormalScaled = (sampler: Sampler, n: number, sigma: number): Float64Array => {
  const draws = Float64Array.from(checkDraws(sampler.truncatedNormal(n), n, 'truncatedNormal'));
  const factor = sigma / TRUNCATED_NORMAL_STD;
  for (let i = 0; i < n; i++) draws[i] *= factor;
  return draws;
};

/** n draws from N(0, sigma^2). */
export const normalScaled = (sampler: Sampler, n: number, sigma: number): Float64Array => {
  const draws = Float64Array.from(checkDraws(sampler.normal(n), n, 'normal'));
  for (let i = 0; i < n; i++) draws[i] *= sigma;
  return draws;
};

/** n draws from U[lo, hi). */
export const uniformRange = (sampler: Sampler, n: number, lo: number, hi: number): Float64Array => {
  const draws = Float64Array.from(checkDraws(sampler.uniform(n), n, 'uniform'));
  for (let i = 0; i < n; i++) draws[i] = lo + (hi - lo) * draws[i];
  return draws;
};

/** n circular complex normal draws with E|z|^2 = variance: Re and Im i.i.d. N(0, variance / 2) (real parts drawn first). */
export const complexNormal = (sampler: Sampler, n: number, variance = 1): ComplexVector => {
  const sigma = Math.sqrt(variance / 2);
  const re = normalScaled(sampler, n, sigma);
  const im = normalScaled(sampler, n, sigma);
  return { re, im };
};

/** log-uniform timescales: n draws of log(dt) ~ U[log dtMin, log dtMax). */
export const logUniformTimescales = (sampler: Sampler, n: number, dtMin: number, dtMax: number): Float64Array => {
  if (!(dtMin > 0) || !(dtMax >= dtMin)) {
    throw new RangeError(`logUniformTimescales: need 0 < dtMin <= dtMax, got dtMin=${dtMin}, dtMax=${dtMax}`);
  }
  return uniformRange(sampler, n, Math.log(dtMin), Math.log(dtMax));
};
