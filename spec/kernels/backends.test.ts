/**
 * Backend detection and the SSMJIT_BACKENDS / SSMJIT_REQUIRE_BACKENDS
 * environment contract.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createGPU, detectBackends, parseBackendList, probeBackend, releaseBackends } from '../../kernels/backends';
import * as T from '../../src/index';

const saved = { only: process.env.SSMJIT_BACKENDS, required: process.env.SSMJIT_REQUIRE_BACKENDS };

afterEach(async () => {
  process.env.SSMJIT_BACKENDS = saved.only;
  process.env.SSMJIT_REQUIRE_BACKENDS = saved.required;
  if (saved.only === undefined) delete process.env.SSMJIT_BACKENDS;
  if (saved.required === undefined) delete process.env.SSMJIT_REQUIRE_BACKENDS;
  await releaseBackends();
});

describe('backends', () => {
  it('parses backend lists and names an unknown backend', () => {
    expect(parseBackendList('X', undefined)).toBeNull();
    expect(parseBackendList('X', ' ')).toBeNull();
    expect(parseBackendList('X', 'cpu, webasm')).toEqual(['cpu', 'webasm']);
    expect(() => parseBackendList('SSMJIT_BACKENDS', 'cpu,gpu')).toThrow(/SSMJIT_BACKENDS: unknown backend 'gpu'/);
  });

  it('reports every backend, cpu always available, the others with a reason', async () => {
    delete process.env.SSMJIT_BACKENDS;
    delete process.env.SSMJIT_REQUIRE_BACKENDS;
    const statuses = await detectBackends();
    expect(statuses.map((s) => s.name)).toEqual(['wasm', 'cpu', 'webasm', 'webgpu', 'headlessgl', 'webgl2', 'webgl']);
    expect(statuses[0].available).toBe(true);
    for (const s of statuses) expect(s.reason.length).toBeGreaterThan(0);
  });

  it('SSMJIT_BACKENDS excludes the others, and createGPU refuses an excluded backend', async () => {
    process.env.SSMJIT_BACKENDS = 'cpu';
    delete process.env.SSMJIT_REQUIRE_BACKENDS;
    const statuses = await detectBackends();
    expect(statuses.filter((s) => s.available).map((s) => s.name)).toEqual(['cpu']);
    expect(statuses.find((s) => s.name === 'webasm')!.reason).toMatch(/excluded by SSMJIT_BACKENDS=cpu/);
    await expect(createGPU('webasm')).rejects.toThrow(/backend 'webasm' is unavailable: excluded/);
  });

  it('SSMJIT_REQUIRE_BACKENDS turns an unavailable backend into an error naming it', async () => {
    process.env.SSMJIT_BACKENDS = 'cpu';
    process.env.SSMJIT_REQUIRE_BACKENDS = 'webasm';
    await expect(detectBackends()).rejects.toThrow(/unavailable backends\n {2}webasm: excluded by SSMJIT_BACKENDS=cpu/);
  });

  it('under Node the browser backends webgl2 and webgl are unavailable, and jit on them says why', async () => {
    delete process.env.SSMJIT_BACKENDS;
    for (const name of ['webgl2', 'webgl'] as const) {
      const status = await probeBackend(name);
      expect(status.available).toBe(false);
      expect(status.reason).toMatch(/browser's; under Node the GLSL path runs on 'headlessgl'/);
      const f = T.jit((x: T.Tensor<'f32'>) => T.add(x, x), { backend: name });
      await expect(f(T.tensor([1, 2]))).rejects.toThrow(new RegExp(`backend '${name}' is not available: WebGL2? is the browser's`));
    }
  });

  it('an unknown backend name is an error naming it, not a crash', async () => {
    const f = T.jit((x: T.Tensor<'f32'>) => T.add(x, x), { backend: 'webgl3' as never });
    await expect(f(T.tensor([1, 2]))).rejects.toThrow(/backend 'webgl3' is not available: unknown backend 'webgl3'/);
  });
});
