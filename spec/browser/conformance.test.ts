/**
 * The jit in a real browser (Chromium, spec/browser/chromium.ts): on each backend a page can
 * offer — gpu.js's cpu and webasm, the project's wasm (Web Workers over one shared memory: the
 * page is cross-origin isolated), webgl2, webgl and webgpu (SwiftShader without a GPU) — the
 * page compiles a sample of the primitive table (the first case of every primitive), the VJP
 * table (jit(grad) of the first case of every primitive) and 32 random programs, and compares
 * each with the reference interpreter evaluating the same function in the same page, with the
 * float32 tolerances of spec/jit/TOLERANCES.md. One exception, measured and stated: sin and
 * cos on the shader backends (spec/browser/page/shaderTolerance.ts). A backend the page does
 * not offer is skipped with its reason, or fails under SSMJIT_REQUIRE_BROWSER=1.
 *
 * Also: the library's browser bundle (dist/browser's build) imported by a plain
 * `<script type="module">`, and what availableBackends() says about threads with and without
 * cross-origin isolation.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BackendName } from '../../kernels/backends';
import { BROWSER_REQUIRED, type BrowserSession, describeInChromium, openPage, specPageRoute } from './chromium';
import type { ConformanceApi, SuiteResult } from './page/conformance';
import { readFileSync } from 'node:fs';

const BACKENDS: readonly BackendName[] = ['cpu', 'webasm', 'wasm', 'webgl2', 'webgl', 'webgpu'];
const PROGRAMS = 32;
const SEED = 20261201;

const routes = {
  '/conformance.html': async () => ({ type: 'text/html; charset=utf-8', body: readFileSync('spec/browser/page/conformance.html') }),
  '/conformance.js': specPageRoute('spec/browser/page/conformance.ts'),
};

type Suite = 'primitives' | 'vjps' | 'programs';

describeInChromium('the jit in Chromium = the interpreter', () => {
  let s: BrowserSession;
  const measured: string[] = [];

  beforeAll(async () => {
    s = await openPage('/conformance.html', routes);
  });
  afterAll(async () => {
    if (measured.length) console.log(`browser conformance (worst normalised error):\n  ${measured.join('\n  ')}`);
    await s?.close();
  });

  const run = (backend: BackendName, suite: Suite): Promise<SuiteResult> =>
    s.page.evaluate(
      async ({ backend, suite, programs, seed }) => {
        const api = (globalThis as unknown as { ssmjitConformance: ConformanceApi }).ssmjitConformance;
        return suite === 'programs' ? api.programs(backend, programs, seed) : api[suite](backend);
      },
      { backend, suite, programs: PROGRAMS, seed: SEED },
    );

  for (const [bi, backend] of BACKENDS.entries()) {
    for (const suite of ['primitives', 'vjps', 'programs'] as const) {
      it(`${suite} [${backend}]`, async (ctx) => {
        const status = await s.page.evaluate((b) => (globalThis as unknown as { ssmjitConformance: ConformanceApi }).ssmjitConformance.probe(b), backend);
        if (!status.available) {
          if (BROWSER_REQUIRED) throw new Error(`backend ${backend} is unavailable in Chromium: ${status.reason}`);
          ctx.skip(`${backend}: ${status.reason}`);
        }
        const result = suite === 'programs' ? await run(backend, suite) : await run(backend, suite);
        const worst = Object.entries(result.worst).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k, v]) => `${k} ${v.toExponential(1)}`);
        measured.push(`${backend} ${suite}: ${result.ran} compared in ${(result.ms / 1000).toFixed(1)} s (${status.reason}); worst: ${worst.join(', ')}`);
        expect(result.ran).toBeGreaterThan(suite === 'programs' ? PROGRAMS - 1 : 40);
        expect(result.failures, result.failures.join('\n\n')).toEqual([]);
        void bi;
      }, 600_000);
    }
  }

  it('wasm on Web Workers: kernels large enough to split across the threads match the interpreter', async () => {
    const out = await s.page.evaluate(async () => {
      const T = (globalThis as { ssmjit?: any }).ssmjit;
      const n = 1 << 18;
      const x = T.tensor(Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 2));
      const a = T.tensor(Float32Array.from({ length: 192 * 192 }, (_, i) => Math.cos(i * 0.37)), 'f32', [192, 192]);
      const f = (v: unknown) => T.mul(T.tanh(v), T.add(v, 1));
      const g = (m: unknown) => T.matmul(m, m);
      const fx = await T.jit(f, { backend: 'wasm' })(x);
      const gx = await T.jit(g, { backend: 'wasm' })(a);
      const worst = (p: any, q: any) => {
        const u = p.data64(), w = q.data64();
        let e = 0, scale = 1;
        for (let i = 0; i < w.length; i++) scale = Math.max(scale, Math.abs(w[i]));
        for (let i = 0; i < w.length; i++) e = Math.max(e, Math.abs(u[i] - w[i]));
        return e / scale;
      };
      const statuses = await T.availableBackends();
      return { map: worst(fx, f(x)), matmul: worst(gx, g(a)), reason: statuses.find((b: { name: string }) => b.name === 'wasm').reason, cores: (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency };
    });
    expect(out.reason).toMatch(/threads over a shared memory/);
    // Chromium ships WebAssembly relaxed SIMD (since 114): the probe finds it, so fma renders as
    // f32x4.relaxed_madd and this matmul runs the 6×8 fma tiles.
    expect(out.reason).toMatch(/relaxed SIMD/);
    expect(out.cores).toBeGreaterThan(1);
    expect(out.map).toBeLessThan(1e-6);
    expect(out.matmul).toBeLessThan(1e-5);
  });

  it('the library bundle loads from a plain <script type="module"> and its jit matches its interpreter', async () => {
    const out = await s.page.evaluate(async () => {
      const T = (globalThis as { ssmjit?: any }).ssmjit;
      const f = (x: unknown) => T.sum(T.mul(T.tanh(x), x));
      const x = T.tensor([0.5, -1.25, 2, 3.5]);
      const compiled = await T.jit(f, { backend: 'cpu' })(x);
      await T.jit(f)(x);
      return { jit: compiled.data64()[0], interp: f(x).data64()[0], isolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated, statuses: await T.availableBackends(), auto: T.currentBackend() };
    });
    const expected = Math.tanh(0.5) * 0.5 + Math.tanh(-1.25) * -1.25 + Math.tanh(2) * 2 + Math.tanh(3.5) * 3.5;
    expect(out.interp).toBeCloseTo(expected, 10);
    expect(Math.abs(out.jit - expected)).toBeLessThan(1e-5);
    expect(out.isolated).toBe(true);
    const statuses = out.statuses as { name: string; available: boolean; reason: string }[];
    const wasm = statuses.find((b) => b.name === 'wasm');
    expect(wasm?.reason).toMatch(/threads over a shared memory/);
    // auto: hardware WebGPU, else hardware WebGL2, else wasm. Here both GPUs are SwiftShader.
    const software = (name: string) => /swiftshader/i.test(statuses.find((b) => b.name === name)!.reason);
    expect(out.auto).toBe(!software('webgpu') ? 'webgpu' : !software('webgl2') ? 'webgl2' : 'wasm');
    expect(statuses.find((b) => b.name === 'headlessgl')?.reason).toMatch(/in a browser the page's WebGL serves/);
  });
});

describeInChromium('the page without cross-origin isolation', () => {
  it('runs the wasm backend on one thread and says why', async () => {
    const s = await openPage('/conformance.html', routes, false);
    try {
      const out = await s.page.evaluate(async () => {
        const T = (globalThis as { ssmjit?: any }).ssmjit;
        const x = T.tensor([1, 2, 3]);
        const y = await T.jit((v: unknown) => T.mul(v, 2), { backend: 'wasm' })(x);
        return { isolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated, y: Array.from(y.data64() as Float64Array), statuses: await T.availableBackends() };
      });
      expect(out.isolated).toBe(false);
      expect(out.y).toEqual([2, 4, 6]);
      const wasm = (out.statuses as { name: string; available: boolean; reason: string }[]).find((b) => b.name === 'wasm');
      expect(wasm?.available).toBe(true);
      expect(wasm?.reason).toMatch(/one thread \(the page is not cross-origin isolated/);
    } finally {
      await s.close();
    }
  });
});
