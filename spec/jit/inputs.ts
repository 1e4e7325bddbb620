/**
 * Seeded arguments for the jit specs. Every value is a float32 number (Math.fround), so the
 * compiled kernels (float32 buffers) and the reference interpreter (float64) start from the
 * same numbers and any difference is the arithmetic's, not the upload's.
 */
import * as T from '../../src/index';
import type { DType, Tensor } from '../../src/index';
import { type Rng, seededRng } from '../support/seeded';

/**
 * Where values are drawn: `normal` N(0, 1); `positive` [0.5, 2]; `awayFromZero` |v| in
 * [0.5, 1.5] with a random sign; `contraction` |v| < 0.6 per part (stable recurrences);
 * `small` [-0.5, 0.5]; `index` integers in [0, `max`] (i32 arguments).
 */
export type Domain = 'normal' | 'positive' | 'awayFromZero' | 'contraction' | 'small' | { readonly index: number };

export interface ArgSpec {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly domain?: Domain;
}

export const arg = (shape: readonly number[], dtype: DType = 'f32', domain?: Domain): ArgSpec => ({ shape, dtype, domain });

function sample(r: Rng, domain: Domain): number {
  if (typeof domain === 'object') return r.int(0, domain.index);
  switch (domain) {
    case 'normal':
      return r.normal();
    case 'positive':
      return r.uniform(0.5, 2);
    case 'awayFromZero':
      return (r.next() < 0.5 ? -1 : 1) * r.uniform(0.5, 1.5);
    case 'contraction':
      return r.uniform(-0.6, 0.6);
    case 'small':
      return r.uniform(-0.5, 0.5);
  }
}

/** Integers: an index range, [1, 20] for `positive`, ±[1, 20] for `awayFromZero`, else [-20, 20]. */
function sampleInt(r: Rng, domain: Domain): number {
  if (typeof domain === 'object') return r.int(0, domain.index);
  if (domain === 'positive') return r.int(1, 20);
  if (domain === 'awayFromZero') return (r.next() < 0.5 ? -1 : 1) * r.int(1, 20);
  return r.int(-20, 20);
}

const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** A concrete tensor of float32-representable values. */
export function randomArg(r: Rng, { shape, dtype, domain = 'normal' }: ArgSpec): Tensor {
  const n = numel(shape) * (dtype === 'c64' ? 2 : 1);
  const data = Array.from({ length: n }, () => {
    if (dtype === 'bool') return r.next() < 0.5 ? 1 : 0;
    if (dtype === 'i32') return sampleInt(r, domain);
    return Math.fround(sample(r, domain));
  });
  return T.tensor(Float64Array.from(data), dtype, [...shape]);
}

/** Arguments for a list of specs from one seed. */
export const randomArgs = (seed: number, specs: readonly ArgSpec[]): Tensor[] => {
  const r = seededRng(seed);
  return specs.map((s) => randomArg(r, s));
};

export const showSpec = (s: ArgSpec): string => `${s.dtype}[${s.shape.join(',')}]`;
