// The CPU FFT templates (kernels/cpu/fft.ts) against a naive float64 DFT written here, run on
// the kernel-IR evaluator (each launch split into random unit ranges) and on the WebAssembly
// backend: complex transforms of power-of-two and other lengths, both pipeline forms, strided
// views, a 2^16 round trip, and the real transforms (rfft, irfft with the imaginary parts the
// interpreter ignores set to noise). Scratch and outputs start as NaN, so a read of anything
// not yet written shows.
import { describe, expect, it } from 'vitest';
import { fft, irfft, rfft, type FFTOptions } from '../../kernels/cpu/fft';
import { type TemplateContext, type View, contiguousView } from '../../kernels/cpu/template';
import { typecheckKernel } from '../../kernels/ir/typecheck';
import type { Kernel } from '../../kernels/ir/types';
import { type TestBuffer, runOnEvaluator, runOnWasm } from './harness';

type Backend = 'evaluator' | 'wasm';
const BACKENDS: readonly Backend[] = ['evaluator', 'wasm'];

// ---- the reference ----

type CVec = { re: Float64Array; im: Float64Array };

/** X_k = Σ_j x_j exp(sign·2πi·jk/n), angles from jk mod n. */
function naiveDFT(x: CVec, sign: number): CVec {
  const n = x.re.length;
  const out = { re: new Float64Array(n), im: new Float64Array(n) };
  for (let k = 0; k < n; k++) {
    let sr = 0, si = 0;
    for (let j = 0; j < n; j++) {
      const a = (sign * 2 * Math.PI * ((j * k) % n)) / n;
      const c = Math.cos(a), s = Math.sin(a);
      sr += x.re[j] * c - x.im[j] * s;
      si += x.re[j] * s + x.im[j] * c;
    }
    out.re[k] = sr;
    out.im[k] = si;
  }
  return out;
}

// ---- buffers, a template context, running ----

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

interface Run {
  readonly ctx: TemplateContext;
  readonly buffers: TestBuffer[];
}

function context(threads = 4): Run {
  const buffers: TestBuffer[] = [];
  const ctx: TemplateContext = {
    name: 't',
    threads,
    scratch(size, storage) {
      const id = `scratch${buffers.length}`;
      // NaN: a read of scratch the template did not write shows up in the results
      buffers.push({ id, size, storage, kind: 'temp', data: storage === 'f32' ? new Float32Array(size).fill(NaN) : new Int32Array(size) });
      return id;
    },
    constant(data) {
      const id = `const${buffers.length}`;
      buffers.push({ id, size: data.length, storage: data instanceof Float32Array ? 'f32' : 'i32', kind: 'constant', data });
      return id;
    },
  };
  return { ctx, buffers };
}

function input(id: string, data: Float32Array): TestBuffer {
  return { id, size: data.length, storage: 'f32', kind: 'input', data };
}

async function execute(backend: Backend, run: Run, kernels: Kernel[], io: TestBuffer[]): Promise<Map<string, Float32Array | Int32Array>> {
  const all = [...io, ...run.buffers];
  for (const k of kernels) typecheckKernel(k, all);
  return backend === 'wasm' ? runOnWasm(all, kernels) : runOnEvaluator(all, kernels);
}

/** Row r of a c64 result (contiguous rows of n). */
function rowOf(data: Float32Array | Int32Array, r: number, n: number, at = (k: number) => 2 * (r * n + k)): CVec {
  const v = { re: new Float64Array(n), im: new Float64Array(n) };
  for (let k = 0; k < n; k++) {
    v.re[k] = data[at(k)];
    v.im[k] = data[at(k) + 1];
  }
  return v;
}

/** ‖got - want‖ / ‖want‖ over a row (‖want‖ floored at 1e-30). */
function relError(got: CVec, want: CVec): number {
  let d = 0, w = 0;
  for (let k = 0; k < want.re.length; k++) {
    d += (got.re[k] - want.re[k]) ** 2 + (got.im[k] - want.im[k]) ** 2;
    w += want.re[k] ** 2 + want.im[k] ** 2;
  }
  return Math.sqrt(d) / Math.max(Math.sqrt(w), 1e-30);
}

const tolerance = (n: number): number => 1e-6 * Math.max(1, Math.log2(n));

function randomComplexRows(rows: number, n: number, seed: number): Float32Array {
  const rnd = random(seed);
  return Float32Array.from({ length: 2 * rows * n }, rnd);
}

// ---- complex transforms ----

async function checkFFT(backend: Backend, n: number, rows: number, inverse: boolean, opts: FFTOptions = {}, threads = 4): Promise<number> {
  const data = randomComplexRows(rows, n, 7 * n + rows);
  const run = context(threads);
  const x = contiguousView('x', [rows, n], 'c64');
  const out = contiguousView('out', [rows, n], 'c64');
  const kernels = fft(run.ctx, x, inverse, out, opts);
  const mem = await execute(backend, run, kernels, [input('x', data), input('out', new Float32Array(2 * rows * n).fill(NaN))]);
  let worst = 0;
  for (let r = 0; r < rows; r++) {
    const want = naiveDFT(rowOf(data, r, n), inverse ? 1 : -1);
    if (inverse) for (let k = 0; k < n; k++) (want.re[k] /= n), (want.im[k] /= n);
    worst = Math.max(worst, relError(rowOf(mem.get('out')!, r, n), want));
  }
  return worst;
}

const LENGTHS = [1, 2, 3, 4, 5, 7, 8, 12, 16, 17, 31, 32, 64, 100, 128, 256, 512];

for (const backend of BACKENDS) describe(`cpu fft on the ${backend}: complex transforms against a naive float64 DFT`, () => {
  for (const n of LENGTHS) {
    it(`n = ${n}, forward and inverse, 3 rows, both forms`, async () => {
      for (const inverse of [false, true]) {
        for (const form of ['rows', 'stages'] as const) {
          expect(await checkFFT(backend, n, 3, inverse, { form }), `${inverse ? 'inverse' : 'forward'} ${form}`).toBeLessThan(tolerance(n));
        }
      }
    });
  }

  it('n = 1000 and 1024 (one row, split into chunks across units) and n = 2048', async () => {
    expect(await checkFFT(backend, 1000, 1, false, { form: 'stages' }, 8)).toBeLessThan(tolerance(1000));
    expect(await checkFFT(backend, 1024, 1, true, { form: 'stages' }, 8)).toBeLessThan(tolerance(1024));
    expect(await checkFFT(backend, 2048, 1, false)).toBeLessThan(tolerance(2048));
  });

  it('the automatic form choice: many short rows, few long ones', async () => {
    expect(await checkFFT(backend, 16, 40, false, {}, 2)).toBeLessThan(tolerance(16));
    expect(await checkFFT(backend, 2048, 2, true, {}, 8)).toBeLessThan(tolerance(2048));
  });

  it('leading axes [2, 3], a permuted input and a strided output view', async () => {
    const rows = 6;
    for (const n2 of [12, 16, 64]) {
      // x stored as [n2, 3, 2] (c64), read as [2, 3, n2]: the leading axes do not collapse into one stride
      const stored = randomComplexRows(rows, n2, 99 + n2);
      const x: View = { buf: 'x', dtype: 'c64', shape: [2, 3, n2], strides: [2, 4, 12], offset: 0 };
      // out rows of n2 spaced 2·n2 + 6 apart, each element 4 floats apart, from offset 3
      const rowStride = 4 * n2 + 6;
      const out: View = { buf: 'out', dtype: 'c64', shape: [2, 3, n2], strides: [3 * rowStride, rowStride, 4], offset: 3 };
      for (const form of ['rows', 'stages'] as const) {
        const run = context();
        const kernels = fft(run.ctx, x, false, out, { form });
        const size = 3 + rows * rowStride;
        const mem = await execute(backend, run, kernels, [input('x', stored), input('out', new Float32Array(size).fill(NaN))]);
        for (let r = 0; r < rows; r++) {
          const want = naiveDFT(rowOf(stored, r, n2, (j) => 2 * ((j * 3 + (r % 3)) * 2 + Math.floor(r / 3))), -1);
          const got = rowOf(mem.get('out')!, r, n2, (k) => 3 + r * rowStride + 4 * k);
          expect(relError(got, want), `n = ${n2} row ${r} ${form}`).toBeLessThan(tolerance(n2));
        }
      }
    }
  });

  it('forward then inverse on 2^16 returns the input, and sampled bins of the forward transform are right', async () => {
    const n = 1 << 16;
    const data = randomComplexRows(1, n, 5);
    const run = context(8);
    const x = contiguousView('x', [1, n], 'c64');
    const mid = contiguousView('mid', [1, n], 'c64');
    const out = contiguousView('out', [1, n], 'c64');
    const kernels = [...fft(run.ctx, x, false, mid), ...fft(run.ctx, mid, true, out)];
    const blank = () => new Float32Array(2 * n).fill(NaN);
    const mem = await execute(backend, run, kernels, [input('x', data), input('mid', blank()), input('out', blank())]);
    expect(relError(rowOf(mem.get('out')!, 0, n), rowOf(data, 0, n))).toBeLessThan(2 * tolerance(n));
    // the forward transform itself at a sample of bins (each an O(n) sum), relative to its norm
    const X = rowOf(mem.get('mid')!, 0, n);
    const signal = rowOf(data, 0, n);
    let norm = 0;
    for (let k = 0; k < n; k++) norm += X.re[k] ** 2 + X.im[k] ** 2;
    const rnd = random(17);
    for (const k of [0, 1, n / 4, n / 2, n - 1, ...Array.from({ length: 20 }, () => Math.floor((rnd() + 0.5) * n))]) {
      let sr = 0, si = 0;
      for (let j = 0; j < n; j++) {
        const a = (-2 * Math.PI * ((j * k) % n)) / n;
        sr += signal.re[j] * Math.cos(a) - signal.im[j] * Math.sin(a);
        si += signal.re[j] * Math.sin(a) + signal.im[j] * Math.cos(a);
      }
      expect(Math.hypot(X.re[k] - sr, X.im[k] - si) / Math.sqrt(norm / n), `bin ${k}`).toBeLessThan(tolerance(n));
    }
  });
});

// ---- real transforms ----

async function checkRFFT(backend: Backend, n: number, rows: number, opts: FFTOptions): Promise<number> {
  const bins = Math.floor(n / 2) + 1;
  const rnd = random(3 * n + 1);
  const data = Float32Array.from({ length: rows * n }, rnd);
  const run = context();
  const kernels = rfft(run.ctx, contiguousView('x', [rows, n], 'f32'), contiguousView('out', [rows, bins], 'c64'), opts);
  const mem = await execute(backend, run, kernels, [input('x', data), input('out', new Float32Array(2 * rows * bins).fill(NaN))]);
  let worst = 0;
  for (let r = 0; r < rows; r++) {
    const full = naiveDFT({ re: Float64Array.from(data.subarray(r * n, (r + 1) * n)), im: new Float64Array(n) }, -1);
    const want = { re: full.re.slice(0, bins), im: full.im.slice(0, bins) };
    worst = Math.max(worst, relError(rowOf(mem.get('out')!, r, bins), want));
  }
  return worst;
}

/** The interpreter's irfft: the Hermitian extension (Im X_0, Im X_{n/2} dropped), inverse DFT, real part. */
function naiveIRFFT(X: CVec, n: number): Float64Array {
  const y = { re: new Float64Array(n), im: new Float64Array(n) };
  for (let k = 0; k < X.re.length; k++) {
    const im = k === 0 || 2 * k === n ? 0 : X.im[k];
    y.re[k] = X.re[k];
    y.im[k] = im;
    if (k > 0 && n - k !== k) {
      y.re[n - k] = X.re[k];
      y.im[n - k] = -im;
    }
  }
  return naiveDFT(y, 1).re.map((v) => v / n);
}

async function checkIRFFT(backend: Backend, n: number, rows: number, opts: FFTOptions): Promise<number> {
  const bins = Math.floor(n / 2) + 1;
  const data = randomComplexRows(rows, bins, 11 * n + 2);
  const run = context();
  const kernels = irfft(run.ctx, contiguousView('X', [rows, bins], 'c64'), n, contiguousView('out', [rows, n], 'f32'), opts);
  const mem = await execute(backend, run, kernels, [input('X', data), input('out', new Float32Array(rows * n).fill(NaN))]);
  let worst = 0;
  for (let r = 0; r < rows; r++) {
    const want = naiveIRFFT(rowOf(data, r, bins), n);
    const got = Float64Array.from(mem.get('out')!.subarray(r * n, (r + 1) * n));
    const zeros = new Float64Array(n);
    worst = Math.max(worst, relError({ re: got, im: zeros }, { re: want, im: zeros }));
  }
  return worst;
}

for (const backend of BACKENDS) describe(`cpu fft on the ${backend}: rfft and irfft`, () => {
  const lengths = [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 17, 24, 31, 32, 64, 100, 128, 256];
  for (const n of lengths) {
    it(`n = ${n}, 3 rows, both forms`, async () => {
      for (const form of ['rows', 'stages'] as const) {
        expect(await checkRFFT(backend, n, 3, { form }), `rfft ${form}`).toBeLessThan(tolerance(n));
        expect(await checkIRFFT(backend, n, 3, { form }), `irfft ${form}`).toBeLessThan(tolerance(n));
      }
    });
  }

  it('n = 2048 and 1000', async () => {
    expect(await checkRFFT(backend, 2048, 2, {})).toBeLessThan(tolerance(2048));
    expect(await checkIRFFT(backend, 2048, 2, {})).toBeLessThan(tolerance(2048));
    expect(await checkRFFT(backend, 1000, 1, {})).toBeLessThan(tolerance(1000));
    expect(await checkIRFFT(backend, 1000, 1, {})).toBeLessThan(tolerance(1000));
  });

  it('a transposed real input', async () => {
    const n = 16, rows = 3, bins = 9;
    const stored = Float32Array.from({ length: n * rows }, random(4));
    const x: View = { buf: 'x', dtype: 'f32', shape: [rows, n], strides: [1, rows], offset: 0 };
    const run = context();
    const mem = await execute(backend, run, rfft(run.ctx, x, contiguousView('out', [rows, bins], 'c64')),
      [input('x', stored), input('out', new Float32Array(2 * rows * bins).fill(NaN))]);
    for (let r = 0; r < rows; r++) {
      const full = naiveDFT({ re: Float64Array.from({ length: n }, (_, j) => stored[j * rows + r]), im: new Float64Array(n) }, -1);
      expect(relError(rowOf(mem.get('out')!, r, bins), { re: full.re.slice(0, bins), im: full.im.slice(0, bins) })).toBeLessThan(tolerance(n));
    }
  });
});

describe('cpu fft: argument checks', () => {
  it('rejects mismatched dtypes and shapes', () => {
    const { ctx } = context();
    expect(() => fft(ctx, contiguousView('x', [4], 'f32'), false, contiguousView('o', [4], 'c64'))).toThrow(/c64/);
    expect(() => rfft(ctx, contiguousView('x', [8], 'f32'), contiguousView('o', [4], 'c64'))).toThrow(/shape/);
    expect(() => irfft(ctx, contiguousView('x', [4], 'c64'), 8, contiguousView('o', [8], 'f32'))).toThrow(/bins/);
  });
});
