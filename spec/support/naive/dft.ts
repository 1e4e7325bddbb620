/**
 * O(n²) discrete Fourier transforms on the last axis, straight from the definitions:
 *   fft:   X_k = Σ_j x_j e^{-2πi jk/n}
 *   ifft:  x_j = (1/n) Σ_k X_k e^{+2πi jk/n}
 *   rfft:  X_k for k = 0..⌊n/2⌋ of a real signal
 *   irfft: x_j = (1/n) [Re X_0 + 2 Σ_{0<k<n/2} Re(X_k e^{2πi jk/n}) + (n even) Re X_{n/2} (-1)^j]
 * The angle jk/n is reduced modulo n in integers before the trigonometric calls.
 */
import { numel, type RefArray } from '../refArray';

const twiddle = (jk: number, n: number, sign: number): [number, number] => {
  const ang = (sign * 2 * Math.PI * (jk % n)) / n;
  return [Math.cos(ang), Math.sin(ang)];
};

function rowsOf(x: RefArray): [number, number] {
  const n = x.shape[x.shape.length - 1];
  return [numel(x.shape.slice(0, -1)), n];
}

/** Complex DFT (sign -1) or inverse DFT with 1/n (sign +1) of each row of a c64 array. */
export function dft(x: RefArray, inverse: boolean): RefArray {
  const [rows, n] = rowsOf(x);
  const data: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < n; k++) {
      let re = 0;
      let im = 0;
      for (let j = 0; j < n; j++) {
        const [c, s] = twiddle(j * k, n, inverse ? 1 : -1);
        const [xr, xi] = [x.data[2 * (r * n + j)], x.data[2 * (r * n + j) + 1]];
        re += xr * c - xi * s;
        im += xr * s + xi * c;
      }
      data.push(inverse ? re / n : re, inverse ? im / n : im);
    }
  }
  return { dtype: 'c64', shape: [...x.shape], data };
}

/** Frequencies 0..⌊n/2⌋ of the DFT of each row of a real f32 array. */
export function rdft(x: RefArray): RefArray {
  const [rows, n] = rowsOf(x);
  const m = Math.floor(n / 2) + 1;
  const data: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < m; k++) {
      let re = 0;
      let im = 0;
      for (let j = 0; j < n; j++) {
        const [c, s] = twiddle(j * k, n, -1);
        re += x.data[r * n + j] * c;
        im += x.data[r * n + j] * s;
      }
      data.push(re, im);
    }
  }
  return { dtype: 'c64', shape: [...x.shape.slice(0, -1), m], data };
}

/** The real signal of length n whose half spectrum is X (imaginary parts of X_0 and X_{n/2} ignored). */
export function irdft(x: RefArray, n: number): RefArray {
  const [rows, m] = rowsOf(x);
  const data: number[] = [];
  for (let r = 0; r < rows; r++) {
    const X = (k: number): [number, number] => [x.data[2 * (r * m + k)], x.data[2 * (r * m + k) + 1]];
    for (let j = 0; j < n; j++) {
      let acc = X(0)[0];
      for (let k = 1; 2 * k < n; k++) {
        const [c, s] = twiddle(j * k, n, 1);
        const [re, im] = X(k);
        acc += 2 * (re * c - im * s);
      }
      if (n % 2 === 0) acc += X(n / 2)[0] * (j % 2 === 0 ? 1 : -1);
      data.push(acc / n);
    }
  }
  return { dtype: 'f32', shape: [...x.shape.slice(0, -1), n], data };
}
