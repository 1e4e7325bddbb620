/**
 * Kernel microbenchmarks of the wasm backend (part of `npm run bench`): each program is compiled
 * by jit, loaded once, its inputs written once, and only its kernels are timed (median of
 * repeated runs), beside a baseline taken in the same process: numpy's sgemm for matmul (when
 * python3 with numpy is present), a sequential JavaScript loop for the recurrence, a radix-2
 * JavaScript FFT, and JavaScript Math for the elementwise chain and the fused reductions.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as T from '../src/index';
import type { Tensor } from '../src/index';
import { wasmRuntime } from '../src/backend';
import { MATH_FUNCTIONS } from '../kernels/ir/math';
import { median, timeMs } from './timing';
import { fftRadix2InPlace } from '../kernels/fft-tables';

const time = (f: () => void, reps: number): number => timeMs(f, reps).median;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Milliseconds per run of the kernels of jit(f) on these arguments (inputs written once). */
async function kernelMs(f: (...xs: Tensor[]) => unknown, args: Tensor[], reps: number): Promise<{ ms: number; kernels: number }> {
  const lowered = await T.jit(f, { backend: 'wasm' }).lower(...args);
  const cpu = lowered.kernelProgram;
  if (!cpu) throw new Error('not lowered for wasm');
  const rt = await wasmRuntime();
  const keep = new Set(cpu.outputs.flatMap((o) => ('view' in o ? [o.view.buf] : [])));
  const program = await rt.load(cpu.program, MATH_FUNCTIONS, keep);
  cpu.inputs.forEach((x) => {
    if (x.source.kind === 'arg') program.write(x.buf, args[x.source.index].value().data);
  });
  const ms = time(() => program.run(), reps);
  program.release();
  return { ms, kernels: cpu.program.kernels.length };
}

function numpySgemm(shapes: readonly [number, number, number][]): (number | undefined)[] {
  const code = `
import numpy as np, time, json
out = []
for (m, k, n) in ${JSON.stringify(shapes)}:
    a = np.random.rand(m, k).astype(np.float32); b = np.random.rand(k, n).astype(np.float32)
    a @ b
    ts = []
    for _ in range(20):
        t = time.perf_counter(); a @ b; ts.append(time.perf_counter() - t)
    ts.sort(); out.append(2 * m * k * n / ts[len(ts) // 2] / 1e9)
print(json.dumps(out))`;
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const r = spawnSync('python3', ['-c', code], { encoding: 'utf8', env, timeout: 60_000 });
  if (r.status !== 0) return shapes.map(() => undefined);
  try {
    return JSON.parse(r.stdout.trim()) as number[];
  } catch {
    return shapes.map(() => undefined);
  }
}

function jsRecurrence(a: Float32Array, b: Float32Array, lines: number, n: number, inner: number): void {
  // x_t = a_t x_{t-1} + b_t over axis 1 of [lines / inner, n, inner] complex, as plain JS.
  const out = new Float32Array(b.length);
  const outer = lines / inner;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < inner; c++) {
      let xr = 0;
      let xi = 0;
      for (let t = 0; t < n; t++) {
        const i = 2 * ((o * n + t) * inner + c);
        const ar = a[i];
        const ai = a[i + 1];
        const nr = ar * xr - ai * xi + b[i];
        xi = ar * xi + ai * xr + b[i + 1];
        xr = nr;
        out[i] = xr;
        out[i + 1] = xi;
      }
    }
  }
}

/** jax-js's FFT timings (bench/peers/jaxjs_fft.mjs run in the peers' folder), when installed there. */
function jaxjsFFT(peersDir: string | undefined): { fft: number; rfft: number } | undefined {
  if (!peersDir || !existsSync(join(peersDir, 'node_modules', '@jax-js', 'jax'))) return undefined;
  copyFileSync(join(root, 'bench', 'peers', 'jaxjs_fft.mjs'), join(peersDir, 'jaxjs_fft.mjs'));
  const r = spawnSync('node', ['jaxjs_fft.mjs'], { cwd: peersDir, encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) return undefined;
  try {
    const j = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { fft_2_16_ms: number; rfft_64x2048_ms: number };
    return { fft: j.fft_2_16_ms, rfft: j.rfft_64x2048_ms };
  } catch {
    return undefined;
  }
}

/** Milliseconds of a whole jitted call on wasm, its outputs read back to the host. */
async function callMs(f: (...xs: Tensor[]) => Tensor, args: Tensor[], reps: number): Promise<number> {
  const jitted = T.jit(f, { backend: 'wasm' });
  const once = async () => (await jitted(...args)).data();
  await once();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await once();
    ts.push(performance.now() - t);
  }
  return median(ts);
}

/**
 * Reductions computing an elementwise operand in their reads (no map kernel, no buffer for it):
 * a long dot-like sum (split into chunks), a row variance (a broadcast mean), and a bias-style
 * gradient over the batch and sequence axes. Rows: label, kernel ms, kernels, JS loop ms.
 */
export async function fusedReductionRows(): Promise<string[][]> {
  const key = (i: number) => T.random.key(200 + i);
  const F = (x: Tensor) => x as Tensor<'f32'>;
  const rows: string[][] = [];
  const row = (label: string, ms: number, kernels: number, n: number, js: number) =>
    rows.push([label, ms.toFixed(3), `${kernels} kernel${kernels > 1 ? 's' : ''}, ${(n / ms / 1e6).toFixed(2)} G elements/s`, `JS loop ${js.toFixed(2)} ms`]);
  {
    const n = 1 << 20;
    const x = T.random.normal(key(0), [n]);
    const y = T.random.normal(key(1), [n]);
    const { ms, kernels } = await kernelMs((a: Tensor, b: Tensor) => T.sum(T.mul(T.exp(F(a)), F(b))), [x, y], 25);
    const xd = Float32Array.from(x.value().data);
    const yd = Float32Array.from(y.value().data);
    const js = time(() => {
      let s = 0;
      for (let i = 0; i < n; i++) s += Math.exp(xd[i]) * yd[i];
      return s;
    }, 9);
    row('sum(exp(x)·y), 2^20', ms, kernels, n, js);
  }
  {
    const [r, c] = [4096, 256];
    const x = T.random.normal(key(2), [r, c]);
    const mu = T.random.normal(key(3), [r, 1]);
    const { ms, kernels } = await kernelMs((a: Tensor, m: Tensor) => T.sum(T.square(T.sub(F(a), F(m))), { axis: 1 }), [x, mu], 25);
    const xd = Float32Array.from(x.value().data);
    const md = Float32Array.from(mu.value().data);
    const out = new Float32Array(r);
    const js = time(() => {
      for (let i = 0; i < r; i++) {
        let s = 0;
        for (let j = 0; j < c; j++) s += (xd[i * c + j] - md[i]) ** 2;
        out[i] = s;
      }
    }, 9);
    row('Σ_j (x − μ)² rows, [4096, 256] − [4096, 1]', ms, kernels, r * c, js);
  }
  {
    const [b, l, h] = [8, 1024, 64];
    const g = T.random.normal(key(4), [b, l, h]);
    const u = T.random.normal(key(5), [b, l, h]);
    const { ms, kernels } = await kernelMs((p: Tensor, q: Tensor) => T.sum(T.mul(F(p), F(q)), { axis: [0, 1] }), [g, u], 25);
    const gd = Float32Array.from(g.value().data);
    const ud = Float32Array.from(u.value().data);
    const out = new Float32Array(h);
    const js = time(() => {
      out.fill(0);
      for (let i = 0; i < b * l; i++) for (let j = 0; j < h; j++) out[j] += gd[i * h + j] * ud[i * h + j];
    }, 9);
    row('Σ_{b,l} g·u, [8, 1024, 64] -> [64]', ms, kernels, b * l * h, js);
  }
  return rows;
}

export async function benchWasm(peersDir?: string): Promise<string[]> {
  const rt = await wasmRuntime();
  const rows: string[][] = [['kernel', 'wasm ms', 'figure', 'baseline in the same run']];
  const key = (i: number) => T.random.key(100 + i);
  const F = (x: Tensor) => x as Tensor<'f32'>;
  const C = (x: Tensor) => x as Tensor<'c64'>;

  const shapes: [number, number, number][] = [[8192, 64, 64], [64, 8192, 64], [512, 512, 512]];
  const numpy = numpySgemm(shapes);
  for (const [i, [m, k, n]] of shapes.entries()) {
    const a = m === 64 ? T.random.normal(key(i), [k, m]) : T.random.normal(key(i), [m, k]);
    const b = T.random.normal(key(i + 10), [k, n]);
    const f = m === 64 ? (x: Tensor, y: Tensor) => T.matmul(T.mT(F(x)), F(y)) : (x: Tensor, y: Tensor) => T.matmul(F(x), F(y));
    const { ms } = await kernelMs(f, [a, b], 15);
    const gflops = (2 * m * k * n) / ms / 1e6;
    const np = numpy[i];
    rows.push([`matmul f32 ${m}×${k}×${n}${m === 64 ? ' (Aᵀ·B)' : ''}`, ms.toFixed(3), `${gflops.toFixed(1)} GFLOP/s`, np ? `numpy sgemm ${np.toFixed(1)} GFLOP/s (${((100 * gflops) / np).toFixed(0)}%)` : 'numpy: not available']);
  }

  for (const [shape, label] of [[[8, 1024, 32], '[8, 1024, 32] axis 1'], [[1, 1 << 20, 1], 'one line of 2^20']] as const) {
    const a = T.mul(T.complex(T.random.uniform(key(20), shape, 0.5, 0.99), T.random.uniform(key(21), shape, -0.1, 0.1)), 1);
    const b = T.complex(T.random.normal(key(22), shape), T.random.normal(key(23), shape));
    const { ms } = await kernelMs((x: Tensor, y: Tensor) => T.linearRecurrence(C(x), C(y), { axis: 1 }), [a, b], 25);
    const ad = Float32Array.from(a.value().data);
    const bd = Float32Array.from(b.value().data);
    const js = time(() => jsRecurrence(ad, bd, shape[0] * shape[2], shape[1], shape[2]), 9);
    rows.push([`linear recurrence c64 ${label}`, ms.toFixed(3), `${(js / ms).toFixed(1)}× a sequential JS loop`, `JS loop ${js.toFixed(2)} ms`]);
  }

  {
    const jax = jaxjsFFT(peersDir);
    const peer = (ms: number | undefined, call: number) => (ms === undefined ? 'jax-js: not installed' : `jax-js jit ${ms.toFixed(2)} ms (${(ms / call).toFixed(0)}× this call)`);
    const x = T.complex(T.random.normal(key(30), [1 << 16]), T.random.normal(key(31), [1 << 16]));
    const { ms } = await kernelMs((z: Tensor) => T.fft(C(z)), [x], 25);
    const call = await callMs((z: Tensor) => T.fft(C(z)), [x], 15);
    const re = Float64Array.from({ length: 1 << 16 }, (_, i) => x.value().data[2 * i]);
    const im = Float64Array.from({ length: 1 << 16 }, (_, i) => x.value().data[2 * i + 1]);
    const js = time(() => fftRadix2InPlace(re.slice(), im.slice()), 9);
    rows.push(['fft c64 2^16', ms.toFixed(3), `call with read-back ${call.toFixed(2)} ms; ${(js / ms).toFixed(1)}× radix-2 JS (${js.toFixed(2)} ms)`, peer(jax?.fft, call)]);
    const r = T.random.normal(key(32), [64, 2048]);
    const rf = await kernelMs((v: Tensor) => T.rfft(F(v)), [r], 25);
    const rcall = await callMs((v: Tensor) => T.rfft(F(v)), [r], 15);
    rows.push(['rfft f32 [64, 2048]', rf.ms.toFixed(3), `call with read-back ${rcall.toFixed(2)} ms`, peer(jax?.rfft, rcall)]);
  }

  {
    const x = T.random.normal(key(40), [1 << 20]);
    const y = T.random.normal(key(41), [1 << 20]);
    const { ms } = await kernelMs((a: Tensor, b: Tensor) => T.add(T.mul(T.exp(F(a)), F(b)), T.sin(F(a))), [x, y], 25);
    const xd = Float32Array.from(x.value().data);
    const yd = Float32Array.from(y.value().data);
    const out = new Float32Array(1 << 20);
    const js = time(() => {
      for (let i = 0; i < out.length; i++) out[i] = Math.exp(xd[i]) * yd[i] + Math.sin(xd[i]);
    }, 9);
    rows.push(['fused exp(x)·y + sin(x), 2^20', ms.toFixed(3), `${((1 << 20) / ms / 1e6).toFixed(2)} G elements/s`, `JS Math loop ${js.toFixed(2)} ms`]);
  }

  rows.push(...(await fusedReductionRows()));

  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => '| ' + r.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  return [`wasm kernels (${rt.threads} threads; kernels only, inputs already in memory; medians)`, fmt(rows[0]), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.slice(1).map(fmt)];
}
