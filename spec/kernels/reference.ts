/**
 * Independent float64 references for the kernel tests: the O(n^2) DFT and
 * the float32 FFT error bound the FFT tests share.
 */

/** Naive DFT of interleaved complex rows: sign -1 forward, +1 inverse (scaled 1/n). */
export function naiveDFT(x: ArrayLike<number>, batch: number, n: number, inverse = false, realInput = false): Float64Array {
  const out = new Float64Array(batch * n * 2);
  const sign = inverse ? 1 : -1;
  for (let b = 0; b < batch; b++) {
    for (let k = 0; k < n; k++) {
      let sr = 0, si = 0;
      for (let j = 0; j < n; j++) {
        const angle = (sign * 2 * Math.PI * ((j * k) % n)) / n;
        const xr = realInput ? x[b * n + j] : x[(b * n + j) * 2];
        const xi = realInput ? 0 : x[(b * n + j) * 2 + 1];
        sr += xr * Math.cos(angle) - xi * Math.sin(angle);
        si += xr * Math.sin(angle) + xi * Math.cos(angle);
      }
      out[(b * n + k) * 2] = inverse ? sr / n : sr;
      out[(b * n + k) * 2 + 1] = inverse ? si / n : si;
    }
  }
  return out;
}

/** float32 FFT error bound used throughout: grows like sqrt(n) log2(n) for unit-scale data. */
export function fftTolerance(n: number): { atol: number; rtol: number } {
  return { atol: 5e-7 * Math.sqrt(n) * Math.max(1, Math.log2(2 * n)), rtol: 1e-5 };
}
