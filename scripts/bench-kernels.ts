/**
 * Benchmarks of the kernel templates on every available backend, printed as
 * tables of medians over several timed runs (after one warm-up run, which
 * also compiles). Every timing is end to end: host inputs uploaded, the
 * whole plan run, the result read back.
 *
 *   npx esbuild scripts/bench-kernels.ts --bundle --platform=node --format=esm \
 *     --outfile=dist/bench-kernels.mjs --packages=external
 *   xvfb-run -a node dist/bench-kernels.mjs [--backends=cpu,webasm] [--runs=5] [--quick]
 *
 * Rows: fused vs unfused elementwise chain; complex output as one float per
 * thread vs gpu.js Array(2) returns; linear recurrence over 2^20 complex
 * elements (tree fanouts) vs a sequential loop; FFT 2^16 (radix 4 and 2,
 * three run strategies) vs a plain-JS radix-2 FFT; matmul 256/512/1024 in
 * GFLOP/s with the strategy variants.
 */
import { type BackendName, availableBackends, detectBackends, isGpuJsBackend, releaseBackends } from '../kernels/backends';
import { bufferOf, operandOf } from '../kernels/operand';
import { type KernelPlan, PlanBuilder } from '../kernels/plan';
import { KernelRuntime, type RunStrategy } from '../kernels/runtime';
import { elementwise, mapOperands } from '../kernels/templates/elementwise';
import { fft } from '../kernels/templates/fft';
import { fftRadix2InPlace } from '../kernels/templates/fft-tables';
import { linearRecurrence } from '../kernels/templates/linear-recurrence';
import { matmul, matmulStrategy } from '../kernels/templates/matmul';

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

function elementwisePlans(n: number): { fused: KernelPlan; unfused: KernelPlan } {
  // y = exp(-(a b + c)^2) / 2: one kernel (t = a b + c bound once), and four
  const fusedB = new PlanBuilder('fused');
  const [fa, fb, fc] = ['a', 'b', 'c'].map((id) => operandOf(fusedB.input(id, n), [n], 'f32'));
  const fusedOut = elementwise(fusedB, {
    shape: [n], dtype: 'f32', bindings: [...fa.bindings, ...fb.bindings, ...fc.bindings],
    body: (coords) => ({
      statements: [`const t = ${fa.read(coords, 're')} * ${fb.read(coords, 're')} + ${fc.read(coords, 're')};`],
      value: 'Math.exp(-(t * t)) * 0.5',
    }),
  });
  const unB = new PlanBuilder('unfused');
  const [ua, ub, uc] = ['a', 'b', 'c'].map((id) => operandOf(unB.input(id, n), [n], 'f32'));
  const mul = mapOperands(unB, { name: 'mul', inputs: [ua, ub], dtype: 'f32', expr: ([x, y]) => ({ re: `${x.re} * ${y.re}`, im: '0.0' }) });
  const add = mapOperands(unB, { name: 'add', inputs: [mul, uc], dtype: 'f32', expr: ([x, y]) => ({ re: `${x.re} + ${y.re}`, im: '0.0' }) });
  const sq = mapOperands(unB, { name: 'square', inputs: [add], dtype: 'f32', expr: ([x]) => ({ re: `${x.re} * ${x.re}`, im: '0.0' }) });
  const ex = mapOperands(unB, { name: 'exp', inputs: [sq], dtype: 'f32', expr: ([x]) => ({ re: `Math.exp(-${x.re}) * 0.5`, im: '0.0' }) });
  return { fused: fusedB.build(bufferOf(fusedOut)), unfused: unB.build(bufferOf(ex)) };
}

async function benchElementwise(rt: KernelRuntime, args: Args): Promise<void> {
  const n = 1 << 20;
  const inputs = [randomData(n, 6), randomData(n, 7), randomData(n, 8)];
  const { fused, unfused } = elementwisePlans(n);
  const za = randomData(2 * n, 9), zb = randomData(2 * n, 10);
  const cb = new PlanBuilder('cmul');
  const [A, B] = [operandOf(cb.input('za', 2 * n), [n], 'c64'), operandOf(cb.input('zb', 2 * n), [n], 'c64')];
  const prod = mapOperands(cb, {
    inputs: [A, B], dtype: 'c64',
    expr: ([x, y]) => ({ re: `${x.re} * ${y.re} - ${x.im} * ${y.im}`, im: `${x.re} * ${y.im} + ${x.im} * ${y.re}` }),
  });
  const cplan = cb.build(bufferOf(prod));
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

async function benchRecurrence(rt: KernelRuntime, args: Args): Promise<void> {
  const n = 1 << 20;
  const a = randomData(2 * n, 11).map((v) => v * 1.8), b = randomData(2 * n, 12);
  const variants: Variant[] = (args.quick ? [8] : [4, 8, 16]).map((fanout) => {
    const builder = new PlanBuilder('rec');
    const x = linearRecurrence(builder, {
      a: operandOf(builder.input('a', 2 * n), [n], 'c64'), b: operandOf(builder.input('b', 2 * n), [n], 'c64'), axis: 0, fanout,
    });
    const plan = builder.build(bufferOf(x));
    return { label: `linear recurrence 2^20 c64, fanout ${fanout}`, run: () => rt.run(plan, [a, b]), note: () => `${plan.steps.length} kernels` };
  });
  await measure(rt.backend, Math.min(args.runs, 3), variants);
}

async function benchFFT(rt: KernelRuntime, args: Args): Promise<void> {
  const n = 1 << 16;
  const x = randomData(2 * n, 13);
  const variants: Variant[] = [];
  for (const radix of [4, 2] as const) {
    const builder = new PlanBuilder('fft');
    const X = fft(builder, { input: operandOf(builder.input('x', 2 * n), [n], 'c64'), radix });
    const plan = builder.build(bufferOf(X));
    const strategies: RunStrategy[] = args.quick ? ['resident'] : ['resident', 'pipeline', 'readback'];
    for (const strategy of strategies) {
      variants.push({
        label: `FFT 2^16 c64 radix ${radix}, ${strategy}`,
        run: () => rt.run(plan, [x], strategy),
        note: () => (strategy === 'pipeline' ? `executor ${rt.pipelineOf(plan).executorKind}` : `${plan.steps.length} kernels`),
      });
    }
  }
  await measure(rt.backend, args.runs, variants);
}

async function benchMatmul(rt: KernelRuntime, args: Args): Promise<void> {
  const best = matmulStrategy(rt.backend);
  for (const size of args.quick ? [256] : [256, 512, 1024]) {
    const A = randomData(size * size, 14), B = randomData(size * size, 15);
    const strategies = size === 512 && !args.quick
      ? [{ packB: false, unroll: 1 }, { packB: false, unroll: 4 }, { packB: true, unroll: 4 }, { packB: true, unroll: 8 }]
      : [best];
    const variants = strategies.map((v) => {
      const builder = new PlanBuilder('mm');
      const C = matmul(builder, {
        a: operandOf(builder.input('a', size * size), [size, size], 'f32'),
        b: operandOf(builder.input('b', size * size), [size, size], 'f32'),
        ...v,
      });
      const plan = builder.build(bufferOf(C));
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
