/**
 * Applying per-channel SSM convolution kernels by FFT (S4 FFTConv, spec §4.4), shared by S4D
 * and S4. Inputs u: f32[B, L, H]; kernels K: f32[channels, H, L] with channels 1 (causal) or 2
 * (bidirectional: k0 causal, k1 anti-causal). Everything is padded to 2L, which turns the
 * circular convolution into a linear one:
 *   causal:        y_t = Σ_{j<=t} k0[j] u_{t-j} + D u_t
 *   bidirectional: adds Σ_{s>=1} k1[s-1] u_{t+s}, from the length-2L kernel [k0, 0] + [0, reverse(k1)]
 *                  (the anti-causal part excludes u_t, as S4 does).
 */
import * as T from '../index';

/** The length-2L kernel f32[H, 2L] whose circular convolution realises the causal (and anti-causal) parts. */
export function fullKernel(K: T.Tensor<'f32'>): T.Tensor<'f32'> {
  const [channels, , L] = K.shape;
  const k0 = T.squeeze(T.sliceAxis(K, 0, 0, 1), 0);
  const causal = T.pad(k0, [[0, 0], [0, L]]);
  if (channels === 1) return causal;
  const k1 = T.squeeze(T.sliceAxis(K, 0, 1, 2), 0);
  return T.add(causal, T.pad(T.reverse(k1, -1), [[0, 0], [L, 0]]));
}

/** y = K * u + D ⊙ u, over the time axis of u: f32[B, L, H]. */
export function fftConvolve(u: T.Tensor<'f32'>, K: T.Tensor<'f32'>, D: T.Tensor<'f32'>): T.Tensor<'f32'> {
  const L = u.shape[1];
  if (K.ndim !== 3 || K.shape[1] !== u.shape[2] || K.shape[2] !== L || (K.shape[0] !== 1 && K.shape[0] !== 2)) {
    throw new RangeError(`fftConvolve: kernel must be [1 or 2, ${u.shape[2]}, ${L}] for inputs [${u.shape.join(',')}], got [${K.shape.join(',')}]`);
  }
  const n = 2 * L;
  const timeLast = T.transpose(u, [0, 2, 1]) as T.Tensor<'f32'>;
  const spectrum = T.mul(T.rfft(timeLast, n), T.rfft(fullKernel(K), n));
  const y = T.sliceAxis(T.irfft(spectrum, n), -1, 0, L);
  return T.add(T.transpose(y, [0, 2, 1]) as T.Tensor<'f32'>, T.mul(D, u));
}
