/**
 * Host-side FFT tables and geometry, computed in float64 and rounded once to
 * float32 (more accurate than evaluating sin/cos in float32 inside kernels):
 *
 *  - twiddles(n):  W_n^k = exp(-2 pi i k / n), k = 0 .. n-1.
 *  - chirp(n):     w_k = exp(-pi i k^2 / n), k = 0 .. n-1 (Bluestein),
 *                  with k^2 reduced mod 2n so large k keeps full accuracy.
 *  - bluesteinFilterSpectrum(n, m, inverse): FFT_m of the chirp filter
 *                  h_j = conj(w_j) (w_j when inverse) for |j| < n (indices
 *                  mod m), computed with a float64 radix-2 FFT.
 *  - stockhamRadices(n): the radices of the Stockham stages of a power-of-two
 *                  length n (radix 4, one radix-2 stage first when log2 n is odd).
 *
 * Tables are cached per size (the same Float32Array object is returned, so a
 * runtime uploads each one once). Also exports the float64 in-place radix-2
 * FFT used for the filter spectrum (and by the CPU backends and benchmarks).
 * The gpu.js FFT kernels (compiler/jit/gpuFft.ts) and the wasm backend's
 * Bluestein (kernels/cpu/fft-bluestein.ts) read these tables.
 */

const twiddleCache = new Map<number, Float32Array>();
const chirpCache = new Map<number, Float32Array>();
const filterCache = new Map<string, Float32Array>();

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
}

export function nextPowerOfTwo(n: number): number {
  let m = 1;
  while (m < n) m *= 2;
  return m;
}

/** Interleaved exp(-2 pi i k / n) for k = 0 .. n-1. */
export function twiddles(n: number): Float32Array {
  let t = twiddleCache.get(n);
  if (!t) {
    t = new Float32Array(2 * n);
    for (let k = 0; k < n; k++) {
      const angle = (-2 * Math.PI * k) / n;
      t[2 * k] = Math.cos(angle);
      t[2 * k + 1] = Math.sin(angle);
    }
    twiddleCache.set(n, t);
  }
  return t;
}

/** Interleaved exp(-pi i k^2 / n) for k = 0 .. n-1. */
export function chirp(n: number): Float32Array {
  let c = chirpCache.get(n);
  if (!c) {
    c = new Float32Array(2 * n);
    for (let k = 0; k < n; k++) {
      const k2 = (k * k) % (2 * n);
      const angle = (-Math.PI * k2) / n;
      c[2 * k] = Math.cos(angle);
      c[2 * k + 1] = Math.sin(angle);
    }
    chirpCache.set(n, c);
  }
  return c;
}

/**
 * In-place iterative radix-2 FFT on float64 arrays (length a power of two);
 * sign -1 forward, +1 inverse (unnormalised).
 */
export function fftRadix2InPlace(re: Float64Array, im: Float64Array, sign: -1 | 1 = -1): void {
  const n = re.length;
  if (!isPowerOfTwo(n) || im.length !== n) throw new Error(`fftRadix2InPlace: length ${n} is not a power of two`);
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let len = 2; len <= n; len *= 2) {
    const angle = (sign * 2 * Math.PI) / len;
    const wr = Math.cos(angle), wi = Math.sin(angle);
    for (let start = 0; start < n; start += len) {
      let cr = 1, ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = start + k, b = a + len / 2;
        const tr = re[b] * cr - im[b] * ci;
        const ti = re[b] * ci + im[b] * cr;
        re[b] = re[a] - tr; im[b] = im[a] - ti;
        re[a] += tr; im[a] += ti;
        const nr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = nr;
      }
    }
  }
}

/**
 * FFT_m of the Bluestein filter h_j = conj(chirp_j) (forward transform) or
 * chirp_j (inverse transform), placed at j and m - j for |j| < n; interleaved.
 */
export function bluesteinFilterSpectrum(n: number, m: number, inverse = false): Float32Array {
  const key = `${n}:${m}:${inverse}`;
  let spectrum = filterCache.get(key);
  if (!spectrum) {
    if (m < 2 * n - 1 || !isPowerOfTwo(m)) throw new Error(`bluestein: padded length ${m} must be a power of two >= ${2 * n - 1}`);
    const re = new Float64Array(m), im = new Float64Array(m);
    for (let j = 0; j < n; j++) {
      const angle = (Math.PI * ((j * j) % (2 * n))) / n;
      re[j] = Math.cos(angle);
      im[j] = inverse ? -Math.sin(angle) : Math.sin(angle);
      if (j > 0) {
        re[m - j] = re[j];
        im[m - j] = im[j];
      }
    }
    fftRadix2InPlace(re, im, -1);
    spectrum = new Float32Array(2 * m);
    for (let k = 0; k < m; k++) {
      spectrum[2 * k] = re[k];
      spectrum[2 * k + 1] = im[k];
    }
    filterCache.set(key, spectrum);
  }
  return spectrum;
}

/** Radices of the Stockham stages of a power-of-two length n, first to last. */
export function stockhamRadices(n: number): number[] {
  if (!isPowerOfTwo(n)) throw new Error(`stockhamRadices: length ${n} is not a power of two`);
  const stages: number[] = [];
  let rest = n;
  if (Math.log2(n) % 2 === 1) {
    stages.push(2);
    rest /= 2;
  }
  while (rest > 1) {
    stages.push(4);
    rest /= 4;
  }
  return stages;
}
