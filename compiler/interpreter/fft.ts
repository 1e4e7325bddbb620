/**
 * Interpreter rules of the FFT family on the last axis, in float64: a recursive radix-2
 * Cooley-Tukey FFT for powers of two and Bluestein's chirp-z for every other length.
 * fft(x)_k = Σ_j x_j e^{-2πijk/n}; ifft carries the 1/n. rfft keeps frequencies 0..⌊n/2⌋;
 * irfft(X, n) takes the Hermitian extension, ignoring Im X_0 (and Im X_{n/2} for even n).
 */
import { type NDArray, ndarray } from '../ndarray';
import { sizeOf } from '../shape';

type CVec = { re: Float64Array; im: Float64Array };

const isPow2 = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

function radix2(x: CVec, sign: number): CVec {
  const n = x.re.length;
  if (n === 1) return { re: Float64Array.from(x.re), im: Float64Array.from(x.im) };
  const half = n / 2;
  const even = { re: new Float64Array(half), im: new Float64Array(half) };
  const odd = { re: new Float64Array(half), im: new Float64Array(half) };
  for (let i = 0; i < half; i++) {
    even.re[i] = x.re[2 * i];
    even.im[i] = x.im[2 * i];
    odd.re[i] = x.re[2 * i + 1];
    odd.im[i] = x.im[2 * i + 1];
  }
  const e = radix2(even, sign);
  const o = radix2(odd, sign);
  const out = { re: new Float64Array(n), im: new Float64Array(n) };
  for (let k = 0; k < half; k++) {
    const ang = (sign * 2 * Math.PI * k) / n;
    const [c, s] = [Math.cos(ang), Math.sin(ang)];
    const tr = c * o.re[k] - s * o.im[k];
    const ti = c * o.im[k] + s * o.re[k];
    out.re[k] = e.re[k] + tr;
    out.im[k] = e.im[k] + ti;
    out.re[k + half] = e.re[k] - tr;
    out.im[k + half] = e.im[k] - ti;
  }
  return out;
}

/** Bluestein: jk = (j² + k² - (k-j)²)/2 turns the DFT into a convolution done at a power of two. */
function bluestein(x: CVec, sign: number): CVec {
  const n = x.re.length;
  let m = 1;
  while (m < 2 * n - 1) m *= 2;
  const chirpRe = new Float64Array(n);
  const chirpIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const ang = (sign * Math.PI * ((k * k) % (2 * n))) / n;
    chirpRe[k] = Math.cos(ang);
    chirpIm[k] = Math.sin(ang);
  }
  const a = { re: new Float64Array(m), im: new Float64Array(m) };
  const b = { re: new Float64Array(m), im: new Float64Array(m) };
  for (let k = 0; k < n; k++) {
    a.re[k] = x.re[k] * chirpRe[k] - x.im[k] * chirpIm[k];
    a.im[k] = x.re[k] * chirpIm[k] + x.im[k] * chirpRe[k];
    b.re[k] = chirpRe[k];
    b.im[k] = -chirpIm[k];
    if (k > 0) {
      b.re[m - k] = chirpRe[k];
      b.im[m - k] = -chirpIm[k];
    }
  }
  const fa = radix2(a, -1);
  const fb = radix2(b, -1);
  const prod = { re: new Float64Array(m), im: new Float64Array(m) };
  for (let i = 0; i < m; i++) {
    prod.re[i] = fa.re[i] * fb.re[i] - fa.im[i] * fb.im[i];
    prod.im[i] = fa.re[i] * fb.im[i] + fa.im[i] * fb.re[i];
  }
  const conv = radix2(prod, 1);
  const out = { re: new Float64Array(n), im: new Float64Array(n) };
  for (let k = 0; k < n; k++) {
    const cr = conv.re[k] / m;
    const ci = conv.im[k] / m;
    out.re[k] = cr * chirpRe[k] - ci * chirpIm[k];
    out.im[k] = cr * chirpIm[k] + ci * chirpRe[k];
  }
  return out;
}

/** Unnormalised DFT with kernel e^{sign·2πijk/n}. */
export function dft1d(x: CVec, sign: number): CVec {
  const n = x.re.length;
  if (n === 0) return { re: new Float64Array(0), im: new Float64Array(0) };
  return isPow2(n) ? radix2(x, sign) : bluestein(x, sign);
}

function rows(x: NDArray): number {
  return sizeOf(x.shape.slice(0, -1));
}

export function fft(x: NDArray, inverse: boolean): NDArray {
  const n = x.shape[x.shape.length - 1];
  const out = ndarray('c64', x.shape);
  for (let r = 0; r < rows(x); r++) {
    const v = { re: new Float64Array(n), im: new Float64Array(n) };
    for (let j = 0; j < n; j++) {
      v.re[j] = x.data[2 * (r * n + j)];
      v.im[j] = x.data[2 * (r * n + j) + 1];
    }
    const f = dft1d(v, inverse ? 1 : -1);
    const scale = inverse ? 1 / n : 1;
    for (let k = 0; k < n; k++) {
      out.data[2 * (r * n + k)] = f.re[k] * scale;
      out.data[2 * (r * n + k) + 1] = f.im[k] * scale;
    }
  }
  return out;
}

export function rfft(x: NDArray): NDArray {
  const n = x.shape[x.shape.length - 1];
  const m = Math.floor(n / 2) + 1;
  const out = ndarray('c64', [...x.shape.slice(0, -1), m]);
  for (let r = 0; r < rows(x); r++) {
    const v = { re: x.data.slice(r * n, (r + 1) * n), im: new Float64Array(n) };
    const f = dft1d(v, -1);
    for (let k = 0; k < m; k++) {
      out.data[2 * (r * m + k)] = f.re[k];
      out.data[2 * (r * m + k) + 1] = f.im[k];
    }
  }
  return out;
}

export function irfft(x: NDArray, n: number): NDArray {
  const m = x.shape[x.shape.length - 1];
  const out = ndarray('f32', [...x.shape.slice(0, -1), n]);
  for (let r = 0; r < rows(x); r++) {
    const v = { re: new Float64Array(n), im: new Float64Array(n) };
    for (let k = 0; k < m; k++) {
      const re = x.data[2 * (r * m + k)];
      const im = k === 0 || 2 * k === n ? 0 : x.data[2 * (r * m + k) + 1];
      v.re[k] = re;
      v.im[k] = im;
      if (k > 0 && n - k !== k) {
        v.re[n - k] = re;
        v.im[n - k] = -im;
      }
    }
    const f = dft1d(v, 1);
    for (let j = 0; j < n; j++) out.data[r * n + j] = f.re[j] / n;
  }
  return out;
}
