/**
 * Splittable counter-based PRNG keys (Threefry-2x32). A key is an i32[2] tensor; `split`
 * derives independent keys, and every sampler is a pure function of (key, shape), so the
 * same key gives the same numbers everywhere: eager, traced or compiled.
 */
import { randomBits } from '../compiler/interpreter/random';
import { ndarray } from '../compiler/ndarray';
import type { Shape } from '../compiler/shape';
import { bind1 } from '../compiler/tracer';
import { castTo, describeValue } from './ops/core';
import { add, less, maximum, minimum, mul } from './ops/elementwise';
import { erfinv } from './ops/special';
import { concreteTensor, Tensor } from './tensor';
import { checkShape } from './ops/creation';

export type Key = Tensor<'i32', readonly [2]>;

/** A key from an integer seed. */
export function key(seed: number): Key {
  const a = ndarray('i32', [2]);
  a.data[0] = Math.floor(seed / 2 ** 32) | 0;
  a.data[1] = seed | 0;
  return concreteTensor(a);
}

/** k itself when it is a key (an i32[2] tensor); else an error naming the function. */
function checkKey(op: string, k: unknown): Key {
  if (!(k instanceof Tensor) || k.dtype !== 'i32' || k.shape.length !== 1 || k.shape[0] !== 2) {
    throw new TypeError(`random.${op}: the key must be an i32[2] tensor from T.random.key(seed) or split, got ${describeValue(k)}`);
  }
  return k as Key;
}

const bits = (k: Key, shape: Shape, op = 'uniform'): Tensor<'i32'> =>
  bind1('random_bits', [checkKey(op, k)], { shape: [...checkShape(`random.${op}`, shape)] }) as Tensor<'i32'>;

/** n independent keys derived from k. */
export function split(k: Key, n = 2): Key[] {
  if (!(Number.isSafeInteger(n) && n >= 1)) throw new RangeError(`random.split: n must be a positive integer, got ${n}`);
  const b = bits(k, [n, 2], 'split');
  return Array.from({ length: n }, (_, i) => bind1('reshape', [bind1('slice', [b], { start: [i, 0], limit: [i + 1, 2] })], { shape: [2] }) as Key);
}

/** A key derived from k and an integer (e.g. a step or layer index). */
export function foldIn(k: Key, data: number): Key {
  const v = checkKey('foldIn', k).value().data;
  const [a, b] = [v[0] ^ data, v[1]];
  return concreteTensor(ndarray('i32', [2], randomBits(a, b, 2))) as Key;
}

/** Uniform in [lo, hi). */
export function uniform<const S extends Shape>(k: Key, shape: S, lo = 0, hi = 1, op = 'uniform'): Tensor<'f32', S> {
  // 32 signed bits -> [0, 1): x / 2^32 + 1/2, clamped below 1 against float32 rounding.
  const u01 = minimum(add(mul(castTo(bits(k, shape, op), 'f32') as Tensor<'f32'>, 2 ** -32), 0.5), 1 - 2 ** -24);
  return (lo === 0 && hi === 1 ? u01 : add(mul(u01, hi - lo), lo)) as never;
}

/** Standard normal by the inverse CDF: sqrt(2) erfinv(2u - 1), u in the open interval. */
export function normal<const S extends Shape>(k: Key, shape: S, std = 1): Tensor<'f32', S> {
  const u = maximum(uniform(k, shape, -1, 1, 'normal'), -1 + 2 ** -23);
  const z = mul(erfinv(u), Math.SQRT2);
  return (std === 1 ? z : mul(z, std)) as never;
}

/** Standard normal truncated to [lo, hi] (inverse-CDF sampling of the truncated law). */
export function truncatedNormal<const S extends Shape>(k: Key, shape: S, lo = -2, hi = 2): Tensor<'f32', S> {
  const cdf = (x: number) => 0.5 * (1 + erfScalar(x / Math.SQRT2));
  const [a, b] = [cdf(lo), cdf(hi)];
  const u = uniform(k, shape, 2 * a - 1, 2 * b - 1, 'truncatedNormal');
  return minimum(maximum(mul(erfinv(u), Math.SQRT2), lo), hi) as never;
}

export function bernoulli<const S extends Shape>(k: Key, p: number, shape: S): Tensor<'bool', S> {
  return less(uniform(k, shape, 0, 1, 'bernoulli'), p) as never;
}

/** A uniformly random permutation of 0..n-1 (Fisher-Yates driven by the key's bits); needs a concrete key. */
export function permutation(k: Key, n: number): Int32Array {
  const v = checkKey('permutation', k).value().data;
  const r = randomBits(v[0], v[1], Math.max(n, 1));
  const out = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(((r[i] >>> 0) / 2 ** 32) * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function erfScalar(x: number): number {
  return bind1('erf', [concreteTensor(ndarray('f32', [], Float64Array.of(x)))], {}).value().data[0];
}
