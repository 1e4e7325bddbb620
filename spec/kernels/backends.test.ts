/**
 * Backend detection and the SSMJIT_BACKENDS / SSMJIT_REQUIRE_BACKENDS
 * environment contract.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createGPU, detectBackends, parseBackendList, releaseBackends } from '../../kernels/backends';

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
    expect(statuses.map((s) => s.name)).toEqual(['wasm', 'cpu', 'webasm', 'webgpu', 'headlessgl']);
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
});
