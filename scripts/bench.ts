/**
 * `npm run bench`: prints a table of medians.
 *  1. The S5 training step of ../shared/bench/peers (value and gradients of one S5 layer) at
 *     B=8, H=64, P=64, L=1024 and 256: ssmjit jit on each available backend, and jax-js (wasm)
 *     run in the same invocation, so the ratio is taken under the same machine load.
 *     The wasm step is also run with WebAssembly relaxed SIMD (fma as relaxed_madd, 6×8 matmul
 *     tiles) in a child process started with SSMJIT_WASM_RELAXED_SIMD=1, since under Node 20 the
 *     engine has it only behind a flag set before the first probe; rows "ssmjit jit (wasm,
 *     relaxed SIMD)". Where relaxed SIMD is on without asking (Node 22+) the plain wasm rows
 *     already use it, and the child runs with SSMJIT_WASM_RELAXED_SIMD=0 for rows "(wasm, no
 *     relaxed SIMD)" instead.
 *  2. Host<->device bytes and kernel launches per default sMNIST training step (batch 16,
 *     sequence 784) on each available backend with device memory: wasm, webgpu, headlessgl
 *     (scripts/bench-transfers.ts).
 *  3. Kernel microbenchmarks of the wasm backend (scripts/bench-wasm.ts) and of the gpu.js
 *     templates (scripts/bench-kernels.ts).
 * Options (env): BENCH_L="1024,256", BENCH_BACKENDS="cpu,webasm", BENCH_REPS=5, BENCH_PEERS=0,
 * BENCH_RELAXED=0 (no child process), BENCH_TRANSFERS=0, BENCH_WASM=0, BENCH_KERNELS=0 (the
 * last three leave a part out).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as T from '../src/index';
import { s5Init, s5ValueAndGrad } from '../bench/s5Step';
import { benchTransfers } from './bench-transfers';
import { benchWasm } from './bench-wasm';
import { median } from './timing';
import type { BackendName } from '../kernels/backends';
import { wasmFeatures } from '../kernels/wasm/features';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const peersDir = resolve(root, '../shared/bench/peers');
const B = 8;
const H = 64;
const P = 64;
const lengths = (process.env.BENCH_L ?? '1024,256').split(',').map(Number);
const reps = Number(process.env.BENCH_REPS ?? 5);


interface Row {
  readonly what: string;
  readonly L: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly compileMs: number;
  readonly note?: string;
}

async function ssmjitStep(backend: BackendName, L: number): Promise<Row> {
  const { params, u } = s5Init(B, L, H, P);
  const step = T.jit((p: typeof params, x: T.Tensor<'f32'>) => s5ValueAndGrad(p, x), { backend });
  let t = performance.now();
  const lowered = await step.lower(params, u);
  await step(params, u);
  const compileMs = performance.now() - t;
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    t = performance.now();
    await step(params, u);
    times.push(performance.now() - t);
  }
  const moved = lowered.transfers ? `; ${lowered.transfers.in} floats in, ${lowered.transfers.out} out per call` : '';
  return { what: `ssmjit jit (${backend})`, L, medianMs: median(times), minMs: Math.min(...times), compileMs, note: `${lowered.kernels.length} kernels${moved}` };
}

/** The environment variable that makes this script a child measuring only the wasm step (its value: the label). */
const CHILD = 'BENCH_WASM_STEP_CHILD';

/**
 * The wasm step rows with relaxed SIMD switched the other way than in this process (on where
 * this engine lacks it by default, off where it has it), measured by this script started again
 * as a child process that prints them as JSON; empty when the child fails.
 */
function otherSimdRows(): Row[] {
  const on = !wasmFeatures.relaxedSimd;
  const label = on ? 'relaxed SIMD' : 'no relaxed SIMD';
  const env = { ...process.env, SSMJIT_WASM_RELAXED_SIMD: on ? '1' : '0', [CHILD]: label };
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], { env, encoding: 'utf8', timeout: 600_000 });
  try {
    if (r.status !== 0) throw new Error(r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`);
    return JSON.parse(r.stdout.trim().split('\n').pop() as string) as Row[];
  } catch (e) {
    console.error(`ssmjit on wasm with ${label} (child process) failed: ${(e as Error).message}`);
    return [];
  }
}

/** In the child: the wasm step at every length, as JSON rows on the last line of stdout. */
async function childMain(label: string): Promise<void> {
  if ((label === 'relaxed SIMD') !== wasmFeatures.relaxedSimd) throw new Error(`the engine did not switch relaxed SIMD as asked (${label})`);
  const rows: Row[] = [];
  for (const L of lengths) rows.push({ ...(await ssmjitStep('wasm', L)), what: `ssmjit jit (wasm, ${label})` });
  console.log(JSON.stringify(rows));
  process.exit(0);
}

/**
 * Where the peers run: a copy of their folder under node_modules/.cache, so installing their
 * dependencies never writes into the shared folder (which root could write despite its mode).
 */
function peersWorkDir(): string {
  const copy = join(root, 'node_modules', '.cache', 'ssmjit-peers');
  mkdirSync(copy, { recursive: true });
  cpSync(peersDir, copy, { recursive: true, filter: (src) => !src.includes('node_modules') });
  return copy;
}

function peerStep(script: string, L: number): Row | undefined {
  if (process.env.BENCH_PEERS === '0') return undefined;
  if (!existsSync(join(peersDir, script))) return undefined;
  const dir = peersWorkDir();
  if (!existsSync(join(dir, 'node_modules'))) {
    console.error(`installing the peers in ${dir} ...`);
    spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
  }
  try {
    const out = execFileSync('node', [script, 'wasm', String(B), String(L), String(H), String(P)], { cwd: dir, encoding: 'utf8', timeout: 600_000 });
    const r = JSON.parse(out.trim().split('\n').pop() as string);
    return { what: `${r.peer}`, L, medianMs: r.median_ms, minMs: r.min_ms, compileMs: r.compile_ms ?? NaN };
  } catch (e) {
    console.error(`peer ${script} failed: ${(e as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

function printTable(rows: readonly Row[], peerByL: Map<number, Row>): void {
  const header = ['step', 'L', 'median ms', 'min ms', 'compile ms', 'jax-js / this', 'note'];
  const lines = rows.map((r) => {
    const peer = peerByL.get(r.L);
    const ratio = peer && r !== peer ? (peer.medianMs / r.medianMs).toFixed(2) + '×' : '';
    return [r.what, String(r.L), r.medianMs.toFixed(1), r.minMs.toFixed(1), Number.isFinite(r.compileMs) ? r.compileMs.toFixed(0) : '', ratio, r.note ?? ''];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  console.log(fmt(header));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const l of lines) console.log(fmt(l));
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    if (line) return line.split(':')[1].trim();
  } catch {
    // not Linux
  }
  return cpus()[0]?.model ?? 'unknown CPU';
}

async function main(): Promise<void> {
  const status = await T.availableBackends();
  const wanted = process.env.BENCH_BACKENDS?.split(',') ?? status.filter((s) => s.available).map((s) => s.name);
  for (const s of status) if (!s.available) console.log(`backend ${s.name}: skipped (${s.reason})`);
  const rows: Row[] = [];
  const peerByL = new Map<number, Row>();
  const other = (wanted as string[]).includes('wasm') && process.env.BENCH_RELAXED !== '0' ? otherSimdRows() : [];
  for (const L of lengths) {
    const peer = peerStep('jaxjs_s5_step.mjs', L);
    if (peer) {
      rows.push(peer);
      peerByL.set(L, peer);
    }
    for (const backend of wanted as BackendName[]) {
      try {
        rows.push(await ssmjitStep(backend, L));
      } catch (e) {
        console.error(`ssmjit on ${backend} at L=${L} failed: ${(e as Error).message}`);
      }
      if (backend === 'wasm') rows.push(...other.filter((r) => r.L === L));
    }
  }
  console.log(`\nS5 training step, B=${B} H=${H} P=${P}, median of ${reps} after a warm-up (machine: ${cpuModel()}, ${cpus().length} cores, ${process.arch}, node ${process.version})`);
  printTable(rows, peerByL);
  if (process.env.BENCH_TRANSFERS !== '0') {
    console.log('');
    const t0 = performance.now();
    for (const line of await benchTransfers(wanted as BackendName[])) console.log(line);
    console.log(`  (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  if (process.env.BENCH_WASM !== '0' && (wanted as string[]).includes('wasm')) {
    console.log('');
    const peers = join(root, 'node_modules', '.cache', 'ssmjit-peers');
    for (const line of await benchWasm(existsSync(peers) ? peers : undefined)) console.log(line);
  }
  const kernelsBench = join(root, 'dist', 'bench-kernels.js');
  if (existsSync(kernelsBench) && process.env.BENCH_KERNELS !== '0') {
    console.log('\nKernel microbenchmarks');
    spawnSync('node', [kernelsBench], { stdio: 'inherit' });
  }
  process.exit(0);
}

const childLabel = process.env[CHILD];
await (childLabel ? childMain(childLabel) : main());
