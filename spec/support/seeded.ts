/**
 * Seeded random inputs for tests: a small deterministic generator (mulberry32, independent of
 * the library's Threefry PRNG), arrays of every dtype at a given shape, and special values
 * (±inf, NaN, ±0, extreme i32) mixed in on request.
 */
import type { DType } from '../../src/index';
import { lanesOf, numel, type RefArray } from './refArray';

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  pick<A>(xs: readonly A[]): A;
}

export function seededRng(seed: number): Rng {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rng: Rng = {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    normal: () => {
      const u = 1 - next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
    pick: (xs) => xs[Math.floor(next() * xs.length)],
  };
  return rng;
}

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/** Special f32 values every elementwise primitive should pass through correctly. */
export const SPECIAL_F32: readonly number[] = [Infinity, -Infinity, NaN, 0, -0, 1e-30, -1e30];
/** Extreme i32 values (wrap-around cases). */
export const SPECIAL_I32: readonly number[] = [0, -1, 1, INT32_MIN, INT32_MAX];

export interface GenOptions {
  /** Range of real values (f32, and both parts of c64). Default [-3, 3]. */
  readonly range?: readonly [number, number];
  /** Range of i32 values. Default [-50, 50]. */
  readonly intRange?: readonly [number, number];
  /** Overwrite some elements with special values (f32: ±inf, NaN, ±0; i32: extremes). */
  readonly special?: boolean;
}

/** A random array of `dtype` and `shape`. */
export function randomArray(rng: Rng, dtype: DType, shape: readonly number[], opts: GenOptions = {}): RefArray {
  const [lo, hi] = opts.range ?? [-3, 3];
  const [ilo, ihi] = opts.intRange ?? [-50, 50];
  const n = numel(shape);
  const data: number[] = [];
  for (let i = 0; i < n; i++) {
    if (dtype === 'f32') data.push(rng.uniform(lo, hi));
    else if (dtype === 'i32') data.push(rng.int(ilo, ihi));
    else if (dtype === 'bool') data.push(rng.next() < 0.5 ? 1 : 0);
    else data.push(rng.uniform(lo, hi), rng.uniform(lo, hi));
  }
  if (opts.special && n > 0) {
    const specials = dtype === 'i32' ? SPECIAL_I32 : SPECIAL_F32;
    const l = lanesOf(dtype);
    if (dtype !== 'bool') {
      // Spread over the array at distinct positions; all of them appear when there is room.
      const m = Math.min(specials.length, n);
      for (let k = 0; k < m; k++) data[Math.floor((k * n) / m) * l + (dtype === 'c64' ? k % 2 : 0)] = specials[k];
    }
  }
  return { dtype, shape: [...shape], data };
}

/**
 * Shapes every shape-polymorphic primitive runs at: scalar, size-1 axes, empty axes (size 0)
 * and non-power-of-two lengths.
 */
export const TEST_SHAPES: readonly (readonly number[])[] = [[], [1], [0], [7], [1, 5], [3, 0], [2, 3], [2, 3, 4]];

/** Shapes of rank >= 1 (for primitives acting along an axis). */
export const AXIS_SHAPES: readonly (readonly number[])[] = TEST_SHAPES.filter((s) => s.length >= 1);
