/**
 * The FFT family on the last axis: fft/ifft (c64 -> c64, any length; ifft carries 1/n),
 * rfft (f32 -> c64, n/2+1 frequencies) and irfft (c64 -> f32 of length n). `n` pads or
 * truncates the input first, as numpy does.
 */
import type { Shape } from '../../compiler/shape';
import { bind1 } from '../../compiler/tracer';
import type { Tensor } from '../tensor';
import { tensorArg } from './core';

function fitLast(x: Tensor, n: number): Tensor {
  if (!(Number.isSafeInteger(n) && n >= 1)) throw new RangeError(`fft: n must be a positive integer, got ${n}`);
  const m = x.shape[x.ndim - 1];
  if (n === m) return x;
  if (n < m) return bind1('slice', [x], { start: x.shape.map(() => 0), limit: x.shape.map((d, i) => (i === x.ndim - 1 ? n : d)) });
  return bind1('pad', [x], { lo: x.shape.map(() => 0), hi: x.shape.map((_, i) => (i === x.ndim - 1 ? n - m : 0)), value: 0 });
}

export const fft = <S extends Shape>(x: Tensor<'c64', S>, n?: number): Tensor<'c64'> =>
  bind1('fft', [n === undefined ? tensorArg('fft', 'x', x) : fitLast(tensorArg('fft', 'x', x), n)], { inverse: false }) as never;
export const ifft = <S extends Shape>(x: Tensor<'c64', S>, n?: number): Tensor<'c64'> =>
  bind1('fft', [n === undefined ? tensorArg('ifft', 'x', x) : fitLast(tensorArg('ifft', 'x', x), n)], { inverse: true }) as never;
export const rfft = (x: Tensor<'f32'>, n?: number): Tensor<'c64'> => bind1('rfft', [n === undefined ? tensorArg('rfft', 'x', x) : fitLast(tensorArg('rfft', 'x', x), n)], {}) as never;
export const irfft = (x: Tensor<'c64'>, n?: number): Tensor<'f32'> => {
  tensorArg('irfft', 'x', x);
  const m = x.shape[x.ndim - 1];
  const len = n ?? 2 * (m - 1);
  return bind1('irfft', [fitLast(x, Math.floor(len / 2) + 1)], { n: len }) as never;
};
