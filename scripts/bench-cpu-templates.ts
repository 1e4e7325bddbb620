/**
 * Benchmarks of the CPU templates (kernels/cpu) on the WebAssembly backend, one section per
 * template family, each case timed on 1 and 2 threads (the template is instantiated for that
 * thread count): the median of several runs after a warm-up run, kernels only (inputs are
 * written once, before timing).
 *
 *   npx esbuild scripts/bench-cpu-templates.ts --bundle --platform=node --format=esm \
 *     --outfile=dist/bench-cpu-templates.mjs --packages=external
 *   node dist/bench-cpu-templates.mjs [--runs=9] [--sections=matmul,reduce]
 *
 * matmul: 8192×64·64×64 (rows of activations times a weight), 64×8192·8192×64 with A a
 * transposed activation (a weight gradient: split-K), 512³; in GFLOP/s (2·M·N·K per product).
 * Where the engine has relaxed SIMD (SSMJIT_WASM_RELAXED_SIMD=1 under Node 20) each case is timed
 * three ways, runs alternating: 4×8 tiles with a multiply and an add, 4×8 tiles on
 * f32x4.relaxed_madd, and the 6×8 fma tiles on f32x4.relaxed_madd (what the jit then uses).
 * reduce: the sum of 2^20 floats, and [8, 1024, 64] summed over axes (0, 1) (a bias gradient),
 * in GB/s of input read.
 */
import { matmul } from '../kernels/cpu/matmul';
import { reduce } from '../kernels/cpu/reduce';
import { type TemplateContext, type View, contiguousView } from '../kernels/cpu/template';
import type { BufferDecl, Kernel } from '../kernels/ir/types';
import { wasmFeatures } from '../kernels/wasm/features';
import { WasmRuntime } from '../kernels/wasm/runtime';

interface Args {
  runs: number;
  sections: string[] | null;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { runs: 9, sections: null };
  for (const a of argv) {
    if (a.startsWith('--runs=')) args.runs = Number(a.slice(7));
    else if (a.startsWith('--sections=')) args.sections = a.slice(11).split(',');
    else throw new Error(`bench-cpu-templates: unknown argument '${a}'`);
  }
  return args;
}

/** A template context collecting scratch declarations. */
function context(threads: number, scratch: BufferDecl[], fusedMultiplyAdd = false): TemplateContext {
  return {
    name: 'bench',
    threads,
    fusedMultiplyAdd,
    scratch: (size, storage) => {
      const id = `scratch${scratch.length}`;
      scratch.push({ id, size, storage, kind: 'temp' });
      return id;
    },
    constant: () => {
      throw new Error('bench: no constants');
    },
  };
}

interface Input {
  readonly id: string;
  readonly data: Float32Array;
}

/** One program to time: its kernels and scratch, rendered with or without relaxed SIMD. */
interface Variant {
  readonly kernels: Kernel[];
  readonly scratch: readonly BufferDecl[];
  readonly relaxedSimd?: boolean;
}

/**
 * Median milliseconds of `runs` runs of each variant's kernels (after one warm-up run each),
 * the variants' runs alternating so that they share the machine's state.
 */
async function time(rt: WasmRuntime, inputs: readonly Input[], out: BufferDecl, variants: readonly Variant[], runs: number): Promise<number[]> {
  const programs = [];
  try {
    for (const v of variants) {
      const buffers: BufferDecl[] = [...inputs.map((x) => ({ id: x.id, size: x.data.length, storage: 'f32' as const, kind: 'input' as const })), out, ...v.scratch];
      const program = await rt.load({ name: 'bench', buffers, kernels: v.kernels }, new Map(), new Set([...inputs.map((x) => x.id), out.id]), { relaxedSimd: v.relaxedSimd ?? false });
      programs.push(program);
      for (const x of inputs) program.write(x.id, x.data);
      program.run();
    }
    const ms: number[][] = programs.map(() => []);
    for (let i = 0; i < runs; i++) {
      programs.forEach((program, p) => {
        const t0 = performance.now();
        program.run();
        ms[p].push(performance.now() - t0);
      });
    }
    return ms.map((m) => m.sort((a, b) => a - b)[Math.floor(m.length / 2)]);
  } finally {
    for (const program of programs) program.release();
  }
}

const random = (n: number): Float32Array => {
  let s = 1;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  });
};

interface Row {
  readonly name: string;
  readonly values: string[];
}

function print(title: string, threads: readonly number[], rows: readonly Row[]): void {
  console.log(`\n${title}`);
  console.log(`  ${'case'.padEnd(40)}${threads.map((t) => `${t} thread${t > 1 ? 's' : ''}`.padStart(32)).join('')}`);
  for (const r of rows) console.log(`  ${r.name.padEnd(40)}${r.values.map((v) => `${v}`.padStart(32)).join('')}`);
}

async function matmulSection(runtimes: readonly WasmRuntime[], runs: number): Promise<void> {
  const cases: { name: string; M: number; K: number; N: number; transposedA: boolean }[] = [
    { name: '8192×64 · 64×64', M: 8192, K: 64, N: 64, transposedA: false },
    { name: '64×8192 · 8192×64 (A = Xᵀ, split-K)', M: 64, K: 8192, N: 64, transposedA: true },
    { name: '512×512 · 512×512', M: 512, K: 512, N: 512, transposedA: false },
  ];
  const rows: Row[] = [];
  const relaxed = wasmFeatures.relaxedSimd;
  for (const c of cases) {
    const values: string[] = [];
    for (const rt of runtimes) {
      const a: View = c.transposedA
        ? { buf: 'a', dtype: 'f32', shape: [c.M, c.K], strides: [1, c.M], offset: 0 }
        : contiguousView('a', [c.M, c.K], 'f32');
      const b = contiguousView('b', [c.K, c.N], 'f32');
      const out = contiguousView('c', [c.M, c.N], 'f32');
      const variant = (fmaTiles: boolean, relaxedSimd: boolean): Variant => {
        const scratch: BufferDecl[] = [];
        return { kernels: matmul(context(rt.threads, scratch, fmaTiles), a, b, out), scratch, relaxedSimd };
      };
      const inputs = [{ id: 'a', data: random(c.M * c.K) }, { id: 'b', data: random(c.K * c.N) }];
      const ms = await time(rt, inputs, { id: 'c', size: c.M * c.N, storage: 'f32', kind: 'temp' }, relaxed ? [variant(false, false), variant(false, true), variant(true, true)] : [variant(false, false)], runs);
      values.push(ms.map((t) => `${((2 * c.M * c.N * c.K) / t / 1e6).toFixed(1)}`).join(' / ') + ` (${ms[0].toFixed(2)} ms)`);
    }
    rows.push({ name: c.name, values });
  }
  const what = relaxed
    ? 'GFLOP/s of 4×8 tiles (mul, add) / 4×8 tiles (relaxed_madd) / 6×8 tiles (relaxed_madd), runs alternating (median time of the first)'
    : 'GFLOP/s (median time); no relaxed SIMD in this engine';
  print(`matmul (kernels/cpu/matmul.ts): ${what}`, runtimes.map((r) => r.threads), rows);
}

async function reduceSection(runtimes: readonly WasmRuntime[], runs: number): Promise<void> {
  const cases: { name: string; shape: number[]; axes: number[] }[] = [
    { name: 'sum of 2^20 floats', shape: [1 << 20], axes: [0] },
    { name: '[8, 1024, 64] over axes (0, 1)', shape: [8, 1024, 64], axes: [0, 1] },
    { name: '[8, 1024, 64] over axis 2', shape: [8, 1024, 64], axes: [2] },
  ];
  const rows: Row[] = [];
  for (const c of cases) {
    const values: string[] = [];
    const n = c.shape.reduce((a, b) => a * b, 1);
    const outShape = c.shape.filter((_, i) => !c.axes.includes(i));
    const outSize = outShape.reduce((a, b) => a * b, 1);
    for (const rt of runtimes) {
      const scratch: BufferDecl[] = [];
      const kernels = reduce(context(rt.threads, scratch), contiguousView('x', c.shape, 'f32'), c.axes, 'sum', contiguousView('y', outShape, 'f32'));
      const [ms] = await time(rt, [{ id: 'x', data: random(n) }], { id: 'y', size: outSize, storage: 'f32', kind: 'temp' }, [{ kernels, scratch }], runs);
      values.push(`${((4 * n) / ms / 1e6).toFixed(1)} (${ms.toFixed(3)} ms)`);
    }
    rows.push({ name: c.name, values });
  }
  print('reduce (kernels/cpu/reduce.ts): GB/s of input read (median time)', runtimes.map((r) => r.threads), rows);
}

const SECTIONS: Record<string, (rts: readonly WasmRuntime[], runs: number) => Promise<void>> = {
  matmul: matmulSection,
  reduce: reduceSection,
};

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const runtimes = [await WasmRuntime.create(1), await WasmRuntime.create(2)];
  for (const [name, section] of Object.entries(SECTIONS)) {
    if (!args.sections || args.sections.includes(name)) await section(runtimes, args.runs);
  }
  process.exit(0);
}

void main();
