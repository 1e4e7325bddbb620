/**
 * Speed of the CPU FFT templates (kernels/cpu/fft.ts) on the WebAssembly backend, against a
 * plain radix-2 FFT in JavaScript (float64, in place, kernels/fft-tables.ts) in the
 * same run: a complex FFT of 2^16 and an rfft of [64, 2048], each in both pipeline forms, on
 * one thread and on the pool's threads. Median milliseconds of the kernels' run (inputs
 * already in place; the program is loaded and compiled once, then warmed up); every result is
 * checked against the float64 FFT before its time is printed.
 *
 *   npx esbuild scripts/bench-cpu-fft.ts --bundle --platform=node --format=esm \
 *     --outfile=dist/bench-cpu-fft.mjs --packages=external
 *   node dist/bench-cpu-fft.mjs [--runs=21]
 */
import { fft, rfft, type FFTOptions } from '../kernels/cpu/fft';
import { type TemplateContext, type View, contiguousView } from '../kernels/cpu/template';
import type { BufferDecl, Kernel } from '../kernels/ir/types';
import { fftRadix2InPlace } from '../kernels/fft-tables';
import { WasmRuntime } from '../kernels/wasm/runtime';
import { timeMs } from './timing';

const time = (f: () => void): number => timeMs(f, runs).median;

const runs = Number(process.argv.find((a) => a.startsWith('--runs='))?.slice(7) ?? 21);


type Build = (ctx: TemplateContext, x: View, out: View) => Kernel[];

/** Builds the kernels, loads them on `rt` and times their run. */
async function timeWasm(rt: WasmRuntime, x: View, xData: Float32Array, out: View, outSize: number, build: Build, check?: (out: Float32Array) => void): Promise<number> {
  const buffers: BufferDecl[] = [
    { id: x.buf, size: xData.length, storage: 'f32', kind: 'input' },
    { id: out.buf, size: outSize, storage: 'f32', kind: 'input' },
  ];
  const ctx: TemplateContext = {
    name: 'bench',
    threads: rt.threads,
    scratch: (size, storage) => (buffers.push({ id: `s${buffers.length}`, size, storage, kind: 'temp' }), `s${buffers.length - 1}`),
    constant: (data) => (buffers.push({ id: `c${buffers.length}`, size: data.length, storage: 'f32', kind: 'constant', data }), `c${buffers.length - 1}`),
  };
  const kernels = build(ctx, x, out);
  const program = await rt.load({ name: 'bench-fft', buffers, kernels }, new Map(), new Set([x.buf, out.buf]));
  try {
    program.write(x.buf, xData);
    const t = time(() => program.run());
    check?.(program.view(out.buf) as Float32Array);
    return t;
  } finally {
    program.release();
  }
}

/** The plain-JS baseline: each row through a float64 radix-2 FFT (imaginary parts zero for real rows). */
function timeJs(rows: number, n: number, data: Float32Array, real: boolean): number {
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  return time(() => {
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < n; j++) {
        re[j] = real ? data[r * n + j] : data[2 * (r * n + j)];
        im[j] = real ? 0 : data[2 * (r * n + j) + 1];
      }
      fftRadix2InPlace(re, im, -1);
    }
  });
}

/** Throws unless `out` (c64 rows of `bins`) matches the float64 radix-2 FFT of the rows to 1e-5 relative. */
function checker(rows: number, n: number, data: Float32Array, real: boolean, bins: number): (out: Float32Array) => void {
  return (out) => {
    let err = 0, norm = 0;
    for (let r = 0; r < rows; r++) {
      const re = Float64Array.from({ length: n }, (_, j) => (real ? data[r * n + j] : data[2 * (r * n + j)]));
      const im = Float64Array.from({ length: n }, (_, j) => (real ? 0 : data[2 * (r * n + j) + 1]));
      fftRadix2InPlace(re, im, -1);
      for (let k = 0; k < bins; k++) {
        err += (out[2 * (r * bins + k)] - re[k]) ** 2 + (out[2 * (r * bins + k) + 1] - im[k]) ** 2;
        norm += re[k] ** 2 + im[k] ** 2;
      }
    }
    if (!(Math.sqrt(err / norm) < 1e-5)) throw new Error(`bench-cpu-fft: wrong result (relative error ${Math.sqrt(err / norm)})`);
  };
}

async function main(): Promise<void> {
  const random = (len: number) => Float32Array.from({ length: len }, () => Math.random() - 0.5);
  const n = 1 << 16;
  const cx = random(2 * n);
  const rows = 64, m = 2048;
  const rx = random(rows * m);
  const cases = [
    {
      what: 'fft c64 [2^16]', js: () => timeJs(1, n, cx, false),
      wasm: (rt: WasmRuntime, opts: FFTOptions) =>
        timeWasm(rt, contiguousView('x', [n], 'c64'), cx, contiguousView('out', [n], 'c64'), 2 * n, (ctx, x, out) => fft(ctx, x, false, out, opts), checker(1, n, cx, false, n)),
    },
    {
      what: 'rfft f32 [64, 2048]', js: () => timeJs(rows, m, rx, true),
      wasm: (rt: WasmRuntime, opts: FFTOptions) =>
        timeWasm(rt, contiguousView('x', [rows, m], 'f32'), rx, contiguousView('out', [rows, m / 2 + 1], 'c64'), 2 * rows * (m / 2 + 1),
          (ctx, x, out) => rfft(ctx, x, out, opts), checker(rows, m, rx, true, m / 2 + 1)),
    },
  ];
  const single = await WasmRuntime.create(1);
  const pool = await WasmRuntime.create();
  console.log(`median of ${runs} runs, ms (pool: ${pool.threads} threads)`);
  console.log(['case', 'plain JS radix-2', 'wasm 1 thread rows', 'wasm 1 thread stages', `wasm ${pool.threads} threads rows`, `wasm ${pool.threads} threads stages`].join(' | '));
  for (const c of cases) {
    const cells = [c.js()];
    for (const rt of [single, pool]) for (const form of ['rows', 'stages'] as const) cells.push(await c.wasm(rt, { form }));
    console.log([c.what, ...cells.map((t) => t.toFixed(3))].join(' | '));
  }
  await Promise.all([single.pool.close(), pool.pool.close()]);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
