/**
 * Benchmarks of the CPU scan templates (kernels/cpu/scan.ts) on the WebAssembly backend, each
 * next to a plain sequential JavaScript loop over the same data in the same run: the complex
 * linear recurrence over [8, 1024, 32] along axis 1 (lines as f32x4 lanes), one complex line
 * of 2^20 (the chunked scan), cumsum over one f32 line of 2^20, and the denormal guard (a
 * decaying recurrence, a = 0.5, against a = 0.99; the affine associative scan, which has no
 * flush, shows what the guard avoids). Medians of several timed runs after a warm-up.
 *
 *   npx esbuild scripts/bench-cpu-scans.ts --bundle --platform=node --format=esm \
 *     --outfile=dist/bench-cpu-scans.mjs --packages=external
 *   node dist/bench-cpu-scans.mjs [--threads=N] [--runs=9]
 */
import { add, mul, sub } from '../kernels/ir/build';
import type { BufferDecl, Kernel, Storage } from '../kernels/ir/types';
import { associativeScan, type Combine, cumsum, linearRecurrence } from '../kernels/cpu/scan';
import { contiguousView, type TemplateContext, type View } from '../kernels/cpu/template';
import { WasmRuntime } from '../kernels/wasm/runtime';
import { timeMs } from './timing';

const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const RUNS = Number(arg('runs') ?? 9);

/** Median and minimum milliseconds after three warm-ups (the minimum is the figure to trust on a busy machine). */
const time = (f: () => void, runs = RUNS): Timing => timeMs(f, runs, 3);


interface Timing {
  median: number;
  min: number;
}

/** A program under construction: input buffers with data, scratch, kernels from templates. */
class Setup {
  readonly decls: BufferDecl[] = [];
  readonly data = new Map<string, Float32Array | Int32Array>();
  readonly ctx: TemplateContext;

  constructor(threads: number) {
    this.ctx = {
      name: 'bench',
      threads,
      scratch: (size, storage) => this.decl(size, storage, 'temp'),
      constant: (data) => {
        const id = this.decl(data.length, data instanceof Float32Array ? 'f32' : 'i32', 'constant');
        this.decls[this.decls.length - 1] = { ...this.decls[this.decls.length - 1], data };
        return id;
      },
    };
  }

  decl(size: number, storage: Storage, kind: BufferDecl['kind']): string {
    const id = `b${this.decls.length}`;
    this.decls.push({ id, size, storage, kind });
    return id;
  }

  input(shape: readonly number[], dtype: 'f32' | 'c64', data: Float32Array): View {
    const id = this.decl(data.length, 'f32', 'input');
    this.data.set(id, data);
    return contiguousView(id, shape, dtype);
  }

  output(shape: readonly number[], dtype: 'f32' | 'c64'): View {
    return contiguousView(this.decl(shape.reduce((a, b) => a * b, 1) * (dtype === 'c64' ? 2 : 1), 'f32', 'input'), shape, dtype);
  }

  /** Median milliseconds of one run of `kernels` on `rt`. */
  async time(rt: WasmRuntime, kernels: readonly Kernel[]): Promise<Timing> {
    const keep = new Set(this.decls.filter((d) => d.kind === 'input').map((d) => d.id));
    const program = await rt.load({ name: 'bench', buffers: this.decls, kernels }, new Map(), keep);
    try {
      for (const [id, d] of this.data) program.write(id, d);
      return time(() => program.run());
    } finally {
      program.release();
    }
  }
}

function random(n: number, f: (i: number) => number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = f(i);
  return x;
}

/** Complex a with |a| = rho and random phase, interleaved. */
function complexA(n: number, rho: number): Float32Array {
  const a = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const th = Math.random() * 0.2;
    a[2 * i] = rho * Math.cos(th);
    a[2 * i + 1] = rho * Math.sin(th);
  }
  return a;
}

/** The sequential complex recurrence over [B, L, P] along L, in plain JavaScript (cache-friendly order). */
function linrecJs(a: Float32Array, b: Float32Array, out: Float32Array, B: number, L: number, P: number): void {
  for (let i = 0; i < B; i++) {
    for (let p = 0; p < P; p++) {
      let xr = 0;
      let xi = 0;
      for (let t = 0; t < L; t++) {
        const o = 2 * ((i * L + t) * P + p);
        const ar = a[o];
        const ai = a[o + 1];
        const r = ar * xr - ai * xi + b[o];
        xi = ar * xi + ai * xr + b[o + 1];
        xr = r;
        out[o] = xr;
        out[o + 1] = xi;
      }
    }
  }
}

/** Line-major variant used for [B, L, P]: t outer, p inner (what a JS programmer would write for speed). */
function linrecJsInner(a: Float32Array, b: Float32Array, out: Float32Array, B: number, L: number, P: number): void {
  const x = new Float64Array(2 * P);
  for (let i = 0; i < B; i++) {
    x.fill(0);
    for (let t = 0; t < L; t++) {
      const base = 2 * (i * L + t) * P;
      for (let p = 0; p < P; p++) {
        const o = base + 2 * p;
        const xr = x[2 * p];
        const xi = x[2 * p + 1];
        const ar = a[o];
        const ai = a[o + 1];
        out[o] = x[2 * p] = ar * xr - ai * xi + b[o];
        out[o + 1] = x[2 * p + 1] = ar * xi + ai * xr + b[o + 1];
      }
    }
  }
}

const affineC: Combine = (l, r, blk) => {
  const [ar1, ai1, br1, bi1] = l.map((e) => blk.bind(e));
  const [ar2, ai2, br2, bi2] = r.map((e) => blk.bind(e));
  return [
    sub(mul(ar2, ar1), mul(ai2, ai1)), add(mul(ar2, ai1), mul(ai2, ar1)),
    add(sub(mul(ar2, br1), mul(ai2, bi1)), br2), add(add(mul(ar2, bi1), mul(ai2, br1)), bi2),
  ];
};

const fmt = (t: Timing): string => `${t.min.toFixed(3).padStart(8)} ms  (median ${t.median.toFixed(3).padStart(8)})`;

async function main(): Promise<void> {
  const rtAll = await WasmRuntime.create(arg('threads') ? Number(arg('threads')) : undefined);
  const rt1 = await WasmRuntime.create(1);
  const T = rtAll.threads;
  console.log(`wasm scans: ${T} threads (and 1); minimum (and median) of ${RUNS} runs`);
  const row = (what: string, t: Timing, base?: Timing): void =>
    console.log(`  ${what.padEnd(56)}${fmt(t)}${base ? `   ${(base.min / t.min).toFixed(2)}× JS` : ''}`);

  // Complex linear recurrence over [8, 1024, 32] along axis 1.
  {
    const [B, L, P] = [8, 1024, 32];
    const n = B * L * P;
    const a = complexA(n, 0.999);
    const b = random(2 * n, () => Math.random() - 0.5);
    const out = new Float32Array(2 * n);
    console.log(`\nlinrec c64 [${B}, ${L}, ${P}] along axis 1`);
    const js = time(() => linrecJs(a, b, out, B, L, P));
    row('plain JS loop (line by line)', js);
    row('plain JS loop (t outer, p inner)', time(() => linrecJsInner(a, b, out, B, L, P)));
    for (const [rt, threads] of [[rt1, 1], [rtAll, T]] as const) {
      const s = new Setup(threads);
      const ks = linearRecurrence(s.ctx, s.input([B, L, P], 'c64', a), s.input([B, L, P], 'c64', b), 1, false, s.output([B, L, P], 'c64'));
      row(`wasm, ${threads} thread(s) (${ks.length} kernel, ${ks[0].units} units)`, await s.time(rt, ks), js);
    }
  }

  // One complex line of 2^20.
  {
    const n = 2 ** 20;
    const a = complexA(n, 0.9999);
    const b = random(2 * n, () => Math.random() - 0.5);
    const out = new Float32Array(2 * n);
    console.log(`\nlinrec c64, one line of 2^20`);
    const js = time(() => linrecJs(a, b, out, 1, n, 1));
    row('plain JS loop', js);
    for (const [rt, threads] of [[rt1, 1], [rtAll, T]] as const) {
      const s = new Setup(threads);
      const ks = linearRecurrence(s.ctx, s.input([n], 'c64', a), s.input([n], 'c64', b), 0, false, s.output([n], 'c64'));
      row(`wasm, ${threads} thread(s) (${ks.length} kernels, ${ks[0].units} chunk units)`, await s.time(rt, ks), js);
    }
  }

  // cumsum over one f32 line of 2^20.
  {
    const n = 2 ** 20;
    const x = random(n, () => Math.random() - 0.5);
    const out = new Float32Array(n);
    console.log(`\ncumsum f32, one line of 2^20`);
    const js = time(() => {
      let s = 0;
      for (let i = 0; i < n; i++) out[i] = s += x[i];
    });
    row('plain JS loop', js);
    for (const [rt, threads] of [[rt1, 1], [rtAll, T]] as const) {
      const s = new Setup(threads);
      const ks = cumsum(s.ctx, s.input([n], 'f32', x), 0, false, s.output([n], 'f32'));
      row(`wasm, ${threads} thread(s) (${ks.length} kernels)`, await s.time(rt, ks), js);
    }
    {
      const L = 1024;
      const s = new Setup(T);
      const ks = cumsum(s.ctx, s.input([L, n / L], 'f32', x), 0, false, s.output([L, n / L], 'f32'));
      row(`wasm, ${T} thread(s), as [1024, 1024] along axis 0`, await s.time(rtAll, ks), js);
    }
  }

  // The denormal guard: decaying recurrences (a = 0.5) against a = 0.99.
  {
    const [B, L, P] = [8, 1024, 32];
    const n = B * L * P;
    const b = random(2 * n, (i) => (i % (2 * L * P) < 2 * P ? 1 : 0)); // an impulse at t = 0, then pure decay
    console.log(`\ndenormals: c64 [${B}, ${L}, ${P}] along axis 1, b an impulse at t = 0, ${T} thread(s)`);
    for (const rho of [0.99, 0.9, 0.5]) {
      const a = complexA(n, rho);
      const s = new Setup(T);
      const ks = linearRecurrence(s.ctx, s.input([B, L, P], 'c64', a), s.input([B, L, P], 'c64', b), 1, false, s.output([B, L, P], 'c64'));
      row(`linrec (flushes below 2^-100), a = ${rho}`, await s.time(rtAll, ks));
    }
    for (const rho of [0.99, 0.9, 0.5]) {
      const a = complexA(n, rho);
      const s = new Setup(T);
      const shape = [B, L, P];
      const outs = [s.output(shape, 'c64'), s.output(shape, 'c64')];
      const ks = associativeScan(s.ctx, [s.input(shape, 'c64', a), s.input(shape, 'c64', b)], 1, false, affineC, outs);
      row(`affine associative scan (no flush), a = ${rho}`, await s.time(rtAll, ks));
    }
  }
  process.exit(0);
}

void main();
