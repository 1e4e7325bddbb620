/**
 * Glue between PRNG keys, the float64 initialisers of ./numerics and DSL tensors: a Sampler
 * driven by a key (each draw splits off a fresh subkey, so initialisation is a pure function of
 * the key), conversions of numerics vectors/matrices to f32/c64 tensors, and the dense
 * (lecun_normal) initialiser shared by every Dense layer.
 */
import * as T from '../index';
import type { ComplexVector } from './numerics/complex';
import type { ComplexMatrix } from './numerics/complexMatrix';
import { type Sampler, TRUNCATED_NORMAL_STD } from './numerics/sampler';

/** A numerics Sampler whose draws come from `key`; successive calls use successive subkeys. */
export function keySampler(key: T.random.Key): Sampler {
  let current = key;
  const next = (): T.random.Key => {
    const [carry, sub] = T.random.split(current);
    current = carry;
    return sub;
  };
  const draw = (t: T.Tensor<'f32'>): Float64Array => Float64Array.from(t.data64());
  return {
    normal: (n) => draw(T.random.normal(next(), [n])),
    truncatedNormal: (n) => draw(T.random.truncatedNormal(next(), [n], -2, 2)),
    uniform: (n) => draw(T.random.uniform(next(), [n])),
  };
}

export const realTensor = (values: ArrayLike<number>, shape: readonly number[]): T.Tensor<'f32'> =>
  T.tensor(Float64Array.from(values), 'f32', shape);

const interleave = (re: ArrayLike<number>, im: ArrayLike<number>): Float64Array => {
  const out = new Float64Array(2 * re.length);
  for (let i = 0; i < re.length; i++) {
    out[2 * i] = re[i];
    out[2 * i + 1] = im[i];
  }
  return out;
};

/** A c64 tensor of the given shape from split real/imaginary parts (row-major). */
export const complexTensor = (re: ArrayLike<number>, im: ArrayLike<number>, shape: readonly number[]): T.Tensor<'c64'> =>
  T.tensor(interleave(re, im), 'c64', shape);

export const complexVectorTensor = (v: ComplexVector): T.Tensor<'c64'> => complexTensor(v.re, v.im, [v.re.length]);
export const complexMatrixTensor = (m: ComplexMatrix): T.Tensor<'c64'> => complexTensor(m.re, m.im, [m.rows, m.cols]);

/** Stacks equal-length complex vectors (one per channel) into a [channels, n] c64 tensor. */
export const stackComplexVectors = (vs: readonly ComplexVector[]): T.Tensor<'c64'> => {
  const n = vs[0].re.length;
  const re = new Float64Array(vs.length * n);
  const im = new Float64Array(vs.length * n);
  vs.forEach((v, i) => {
    re.set(v.re, i * n);
    im.set(v.im, i * n);
  });
  return complexTensor(re, im, [vs.length, n]);
};

/** Flax's lecun_normal: TN(1/sqrt(fanIn)), a truncated normal with standard deviation 1/sqrt(fanIn). */
export function lecunNormal(key: T.random.Key, shape: readonly number[], fanIn: number): T.Tensor<'f32'> {
  return T.mul(T.random.truncatedNormal(key, shape, -2, 2), 1 / (Math.sqrt(fanIn) * TRUNCATED_NORMAL_STD)) as T.Tensor<'f32'>;
}

/** Concrete float64 values of a tensor (for initialisers and recurrent-mode setup, not traced code). */
export const valuesOf = (x: T.Tensor): Float64Array => Float64Array.from(x.data64());

/** Split re/im float64 arrays of a concrete c64 tensor. */
export function complexValuesOf(x: T.Tensor<'c64'>): ComplexVector {
  const d = x.data64();
  const n = d.length / 2;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    re[i] = d[2 * i];
    im[i] = d[2 * i + 1];
  }
  return { re, im };
}
