/**
 * Benchmarks of the gpu.js kernels the jit builds (kernel IR from compiler/jit/gpu*.ts and
 * kernel-IR maps, assembled by IrPlan and rendered for gpu.js) on every available gpu.js
 * backend, printed as tables of medians over several timed runs (after one warm-up run, which
 * also compiles). Every timing is end to end: host inputs uploaded, the whole plan run, the
 * result read back.
 *
 *   node scripts/build.mjs --no-types   # builds dist/bench-kernels.js (npm run bench runs it)
 *   xvfb-run -a node dist/bench-kernels.js [--backends=cpu,webasm] [--runs=5] [--quick]
 *
 * Rows: fused vs unfused elementwise chain; complex output as one float per thread vs gpu.js
 * Array(2) returns; linear recurrence over 2^20 complex elements (tree fanouts) vs a
 * sequential loop; FFT 2^16 (Stockham, three run strategies) vs a plain-JS radix-2 FFT; matmul
 * 256/512/1024 in GFLOP/s with the strategy variants (B packed by a kernel of its own first, or
 * read as it is; partial sums).
 */
import { type BackendName, availableBackends, detectBackends, isGpuJsBackend, releaseBackends } from '../kernels/backends';
import { describeBackend } from '../kernels/capabilities';
import { fftRadix2InPlace } from '../kernels/fft-tables';
import { OUTPUT } from '../kernels/gpujs/render';
import { Block, START, add, bin, f32, i32, iadd, idiv, imul, irem, load, math, mul, neg, select, sub, type Expr } from '../kernels/ir/build';
import type { Kernel } from '../kernels/ir/types';
import type { KernelPlan } from '../kernels/plan';
import { KernelRuntime, type RunStrategy } from '../kernels/runtime';
import { affine } from '../compiler/jit/cpu/indexing';
import { transform } from '../compiler/jit/gpuFft';
import { matmulKernel } from '../compiler/jit/gpuMatmul';
import { IrPlan, bufferReader } from '../compiler/jit/gpuPlan';
import { recurrenceCombine, treeScan } from '../compiler/jit/gpuScan';

interface Args {
  backends: BackendName[] | null;
  runs: number;
  quick: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { backends: null, runs: 5, quick: false };
  for (const a of argv) {
    if (a.startsWith('--backends=')) args.backends = a.slice(11).split(',') as BackendName[];
    else if (a.startsWith('--runs=')) args.runs = Number(a.slice(7));
    else if (a === '--quick') args.quick = true;
    else throw new Error(`bench-kernels: unknown argument '${a}'`);
  }
  return args;
}

function randomData(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 4294967296 - 0.5;
  }
  return out;
}

/** One timed variant of a benchmark group. */
interface Variant {
  readonly label: string;
  readonly run: () => unknown;
  /** Extra note from the median time (e.g. GFLOP/s). */
  readonly note?: (ms: number) => string;
}

const rows: string[][] = [];

/**
 * Warms every variant once (compiling its kernels), then times them
 * round-robin `runs` times, so a load spike on this shared machine hits all
 * variants alike; records the median per variant.
 */
async function measure(backend: string, runs: number, variants: readonly Variant[]): Promise<void> {
  for (const v of variants) await v.run();
  const times = variants.map(() => [] as number[]);
  for (let r = 0; r < runs; r++) {
    for (let i = 0; i < variants.length; i++) {
      const t0 = performance.now();
      await variants[i].run();
      times[i].push(performance.now() - t0);
    }
  }
  variants.forEach((v, i) => {
    const sorted = times[i].sort((x, y) => x - y);
    const ms = sorted[Math.floor(sorted.length / 2)];
    const note = v.note ? v.note(ms) : '';
    rows.push([backend, v.label, ms.toFixed(ms < 10 ? 2 : 1), note]);
    console.error(`  ${backend.padEnd(10)} ${v.label.padEnd(52)} ${ms.toFixed(2).padStart(10)} ms  ${note}`);
  });
}

const gflops = (flops: number) => (ms: number) => `${(flops / ms / 1e6).toFixed(2)} GFLOP/s`;

function printTable(title: string, table: string[][]): void {
  const header = ['backend', 'benchmark', 'median ms', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(`\n### ${title}\n`);
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of table) console.log(line(r));
}

// ------------------------------------------------------------ baselines

function sequentialRecurrence(a: Float32Array, b: Float32Array): Float32Array {
  const n = a.length / 2;
  const x = new Float32Array(2 * n);
  let xr = 0, xi = 0;
  for (let i = 0; i < n; i++) {
    const ar = a[2 * i], ai = a[2 * i + 1];
    const nr = ar * xr - ai * xi + b[2 * i];
    xi = ar * xi + ai * xr + b[2 * i + 1];
    xr = nr;
    x[2 * i] = xr;
    x[2 * i + 1] = xi;
  }
  return x;
}

function plainFFT(src: Float32Array): Float64Array {
  const m = src.length / 2;
  const re = new Float64Array(m), im = new Float64Array(m);
  for (let i = 0; i < m; i++) { re[i] = src[2 * i]; im[i] = src[2 * i + 1]; }
  fftRadix2InPlace(re, im, -1);
  return re;
}

function plainMatmul(A: Float32Array, B: Float32Array, size: number): Float32Array {
  const C = new Float32Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let k = 0; k < size; k++) {
      const aik = A[i * size + k];
      for (let j = 0; j < size; j++) C[i * size + j] += aik * B[k * size + j];
    }
  }
  return C;
}

async function baselines(args: Args): Promise<void> {
  const n = 1 << 20, m = 1 << 16;
  const a = randomData(2 * n, 1), b = randomData(2 * n, 2), x = randomData(2 * m, 3);
  const variants: Variant[] = [
    { label: 'linear recurrence 2^20 c64, sequential loop', run: () => sequentialRecurrence(a, b) },
    { label: 'FFT 2^16 c64, plain radix-2 (float64)', run: () => plainFFT(x) },
  ];
  for (const size of args.quick ? [256] : [256, 512, 1024]) {
    const A = randomData(size * size, 4), B = randomData(size * size, 5);
    variants.push({ label: `matmul ${size}, i-k-j loop`, run: () => plainMatmul(A, B, size), note: gflops(2 * size ** 3) });
  }
  await measure('js', args.runs, variants);
}

// --------------------------------------------------------- per backend

/** A one-unit-per-float kernel storing `value(block)` (the unit is START). */
function mapKernel(name: string, units: number, value: (block: Block) => Expr): Kernel {
  const block = new Block();
  block.store(OUTPUT, START, value(block));
  return { name, units, unitCost: 1, body: block.stmts };
}

function elementwisePlans(n: number): { fused: KernelPlan; unfused: KernelPlan } {
  // y = exp(-(a b + c)^2) / 2: one kernel (t = a b + c bound once), and four
  const fusedP = new IrPlan('fused');
  const [fa, fb, fc] = ['a', 'b', 'c'].map((id) => fusedP.input(id, n));
  const fused = fusedP.launch(mapKernel('fused', n, (block) => {
    const t = block.bind(add(mul(load(fa, START), load(fb, START)), load(fc, START)));
    return mul(math('exp', neg(mul(t, t))), f32(0.5));
  }));
  const unP = new IrPlan('unfused');
  const [ua, ub, uc] = ['a', 'b', 'c'].map((id) => unP.input(id, n));
  const m = unP.launch(mapKernel('mul', n, () => mul(load(ua, START), load(ub, START))));
  const a = unP.launch(mapKernel('add', n, () => add(load(m, START), load(uc, START))));
  const sq = unP.launch(mapKernel('square', n, (block) => { const x = block.bind(load(a, START)); return mul(x, x); }));
  const ex = unP.launch(mapKernel('exp', n, () => mul(math('exp', neg(load(sq, START))), f32(0.5))));
  return { fused: fusedP.build(fused), unfused: unP.build(ex) };
}

/** z = x y over n complex elements, one float per unit (the unit's parity choosing the part). */
function complexMultiplyPlan(n: number): KernelPlan {
  const p = new IrPlan('cmul');
  const [za, zb] = [p.input('za', 2 * n), p.input('zb', 2 * n)];
  const out = p.launch(mapKernel('cmul', 2 * n, (block) => {
    const at = block.bind(imul(idiv(START, 2), i32(2)));
    const [ar, ai] = [block.bind(load(za, at)), block.bind(load(za, iadd(at, i32(1))))];
    const [br, bi] = [block.bind(load(zb, at)), block.bind(load(zb, iadd(at, i32(1))))];
    return select(bin('eq', irem(START, 2), i32(0)), sub(mul(ar, br), mul(ai, bi)), add(mul(ar, bi), mul(ai, br)));
  }));
  return p.build(out);
}

async function benchElementwise(rt: KernelRuntime, args: Args): Promise<void> {
  const n = 1 << 20;
  const inputs = [randomData(n, 6), randomData(n, 7), randomData(n, 8)];
  const { fused, unfused } = elementwisePlans(n);
  const za = randomData(2 * n, 9), zb = randomData(2 * n, 10);
  const cplan = complexMultiplyPlan(n);
  const pair = rt.gpu.createKernel(
    'function (a, b) { const i = this.thread.x; const ar = a[2 * i]; const ai = a[2 * i + 1]; const br = b[2 * i]; const bi = b[2 * i + 1]; return [ar * br - ai * bi, ar * bi + ai * br]; }',
    { output: [n], asyncMode: true, precision: 'single' },
  );
  await measure(rt.backend, args.runs, [
    { label: 'elementwise 2^20: fused (1 kernel)', run: () => rt.run(fused, inputs) },
    { label: 'elementwise 2^20: unfused (4 kernels, resident)', run: () => rt.run(unfused, inputs, 'resident') },
    { label: 'elementwise 2^20: unfused (4 kernels, pipeline)', run: () => rt.run(unfused, inputs, 'pipeline'), note: () => `executor ${rt.pipelineOf(unfused).executorKind}` },
    { label: 'elementwise 2^20: unfused (4 kernels, readback)', run: () => rt.run(unfused, inputs, 'readback') },
    { label: 'complex multiply 2^20: one float per thread', run: () => rt.run(cplan, [za, zb]) },
    {
      label: 'complex multiply 2^20: Array(2) + interleave',
      run: async () => {
        const r = (await pair(za, zb)) as unknown as Float32Array[];
        const out = new Float32Array(2 * n);
        for (let i = 0; i < n; i++) { out[2 * i] = r[i][0]; out[2 * i + 1] = r[i][1]; }
        return out;
      },
    },
  ]);
}

/** x_t = a_t x_{t-1} + b_t over n complex elements as the jit's tree scan of fanout F. */
function recurrencePlan(n: number, fanout: number): KernelPlan {
  const p = new IrPlan('rec');
  const [a, b] = [bufferReader(p.input('a', 2 * n), [n], true), bufferReader(p.input('b', 2 * n), [n], true)];
  const out = treeScan({
    name: 'recurrence', shape: [n], axis: 0, reverse: false, components: 4, fanout,
    combine: recurrenceCombine(true),
    read: (block, axes) => {
      const [va, vb] = [a(block, axes), b(block, axes)];
      return (c) => [va.re, va.im, vb.re, vb.im][c] as Expr;
    },
    output: { components: [2, 3], complex: true },
  }, (kernel) => p.launch(kernel));
  return p.build(out);
}

async function benchRecurrence(rt: KernelRuntime, args: Args): Promise<void> {
  const n = 1 << 20;
  const a = randomData(2 * n, 11).map((v) => v * 1.8), b = randomData(2 * n, 12);
  const variants: Variant[] = (args.quick ? [8] : [4, 8, 16]).map((fanout) => {
    const plan = recurrencePlan(n, fanout);
    return { label: `linear recurrence 2^20 c64, fanout ${fanout}`, run: () => rt.run(plan, [a, b]), note: () => `${plan.steps.length} kernels` };
  });
  await measure(rt.backend, Math.min(args.runs, 3), variants);
}

async function benchFFT(rt: KernelRuntime, args: Args): Promise<void> {
  const n = 1 << 16;
  const x = randomData(2 * n, 13);
  const p = new IrPlan('fft');
  const read = bufferReader(p.input('x', 2 * n), [n], true);
  const out = transform({ name: 'fft', batchShape: [], n, inverse: false, input: (block, batch, k) => read(block, [...batch, affine(k)]) as { re: Expr; im: Expr } }, p.fftSink);
  const plan = p.build(out);
  const strategies: RunStrategy[] = args.quick ? ['resident'] : ['resident', 'pipeline', 'readback'];
  const variants: Variant[] = strategies.map((strategy) => ({
    label: `FFT 2^16 c64 Stockham, ${strategy}`,
    run: () => rt.run(plan, [x], strategy),
    note: () => (strategy === 'pipeline' ? `executor ${rt.pipelineOf(plan).executorKind}` : `${plan.steps.length} kernels`),
  }));
  await measure(rt.backend, args.runs, variants);
}

/** C = A B of size² f32 matrices as the jit builds it: with packB, a kernel writes Bᵀ first. */
function matmulPlan(size: number, packB: boolean, unroll: number): KernelPlan {
  const p = new IrPlan('mm');
  const [a, b] = [p.input('a', size * size), p.input('b', size * size)];
  const bt = packB
    ? p.launch(mapKernel('matmul_packB', size * size, (block) => {
        const [j, k] = [block.bind(idiv(START, size)), block.bind(irem(START, size))];
        return load(b, iadd(imul(k, i32(size)), j));
      }))
    : b;
  const [readA, readB] = [bufferReader(a, [size, size], false), bufferReader(bt, [size, size], false)];
  const { kernel, dims } = matmulKernel({
    name: 'matmul', aShape: [size, size], bShape: [size, size], transposeB: packB, complexA: false, complexB: false, unroll,
    read: (block, i, axes) => (i === 0 ? readA(block, axes) : readB(block, axes)),
  });
  return p.build(p.launch(kernel, dims));
}

async function benchMatmul(rt: KernelRuntime, args: Args): Promise<void> {
  const best = describeBackend(rt.backend).matmul;
  for (const size of args.quick ? [256] : [256, 512, 1024]) {
    const A = randomData(size * size, 14), B = randomData(size * size, 15);
    const strategies = size === 512 && !args.quick
      ? [{ packB: false, unroll: 1 }, { packB: false, unroll: 4 }, { packB: true, unroll: 4 }, { packB: true, unroll: 8 }]
      : [best];
    const variants = strategies.map((v) => {
      const plan = matmulPlan(size, v.packB, v.unroll);
      return { label: `matmul ${size} f32, packB=${v.packB} unroll=${v.unroll}`, run: () => rt.run(plan, [A, B]), note: gflops(2 * size ** 3) };
    });
    await measure(rt.backend, size >= 1024 ? Math.min(args.runs, 3) : args.runs, variants);
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  for (const s of await detectBackends()) console.error(`${s.name}: ${s.available ? 'available' : 'unavailable'} (${s.reason})`);
  const backends = (await availableBackends()).filter(isGpuJsBackend).filter((b) => !args.backends || args.backends.includes(b));
  console.error('baselines');
  await baselines(args);
  for (const backend of backends) {
    console.error(backend);
    const rt = await KernelRuntime.create(backend);
    await benchElementwise(rt, args);
    await benchRecurrence(rt, args);
    await benchFFT(rt, args);
    await benchMatmul(rt, args);
    await rt.destroy();
  }
  printTable('Kernel benchmarks (median wall time, upload + run + readback)', rows);
  await releaseBackends();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
