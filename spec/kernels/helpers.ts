/**
 * Shared test scaffolding for the gpu.js kernel builders (compiler/jit/gpu*.ts, called through
 * IrPlan): one describe block per backend (skipped, with the reason in its name, where
 * unavailable), seeded random data, readers of row-major plan inputs, and float32 comparison
 * against naive float64 references.
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { type BackendName, type GpuJsBackend, detectBackends, isGpuJsBackend, releaseBackends } from '../../kernels/backends';
import { KernelRuntime } from '../../kernels/runtime';
import { type AxesReader, bufferReader, type IrPlan } from '../../compiler/jit/gpuPlan';

const statuses = await detectBackends();

/** Runs `body` once per backend with a runtime bound to it. */
export function describeEachBackend(title: string, body: (rt: () => KernelRuntime, backend: BackendName) => void): void {
  for (const status of statuses.filter((s) => isGpuJsBackend(s.name))) {
    const label = status.available ? `${title} [${status.name}]` : `${title} [${status.name}] skipped: ${status.reason}`;
    if (!status.available) console.log(`kernels: ${label}`);
    describe.skipIf(!status.available)(label, () => {
      let runtime: KernelRuntime | null = null;
      beforeAll(async () => {
        runtime = await KernelRuntime.create(status.name as GpuJsBackend);
      });
      afterAll(async () => {
        await runtime?.destroy();
      });
      body(() => runtime!, status.name);
    });
  }
  afterAll(releaseBackends);
}

/** Deterministic uniform floats in [lo, hi) (mulberry32). */
export function randomArray(length: number, seed: number, lo = -1, hi = 1): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = lo + (hi - lo) * u;
  }
  return out;
}

/**
 * Asserts |actual - expected| <= atol + rtol * |expected| elementwise and
 * reports the worst index on failure.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: { atol: number; rtol?: number }, what = 'result'): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  const rtol = tol.rtol ?? 0;
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i] - expected[i]);
    const excess = diff - (tol.atol + rtol * Math.abs(expected[i]));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(diff))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    expect.fail(`${what}: index ${worst} is ${actual[worst]}, expected ${expected[worst]} (atol ${tol.atol}, rtol ${rtol})`);
  }
}

/** Max-abs of an array (for error bounds scaled to the data). */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

/** A plan input holding a row-major tensor of `shape` (interleaved when complex), and its reader. */
export function inputTensor(plan: IrPlan, id: string, shape: readonly number[], complex = false): AxesReader {
  const floats = shape.reduce((p, d) => p * d, 1) * (complex ? 2 : 1);
  return bufferReader(plan.input(id, floats), shape, complex);
}
