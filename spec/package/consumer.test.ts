/**
 * The package as npm users get it: `npm run build` (what `prepare` runs on install from git)
 * produces dist/ with the bundles and declaration files of every entry in `exports`; a consumer
 * project that depends on ssmjit (a symlinked node_modules/ssmjit, as `"ssmjit": "file:…"` makes)
 * type-checks under `moduleResolution` NodeNext and Bundler with `strict`, its compiled output
 * runs under Node and computes what a hand derivation says, and the `bin` runs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  bin: Record<string, string>;
  exports: Record<string, { types: string; default: string } | string>;
};

const CONSUMER = `
import * as T from 'ssmjit';
import { Dense, LayerNorm, type DenseParams } from 'ssmjit/nn';
import { adamw, applyUpdates } from 'ssmjit/optim';
import { exampleLosses } from 'ssmjit/train';
import { tensorBatches, addingSplits } from 'ssmjit/data';

interface Params { readonly dense: DenseParams; readonly norm: { scale: T.Tensor<'f32'>; bias: T.Tensor<'f32'> } }
const key = T.random.key(0);
const params: Params = { dense: Dense.init(key, 3, 2), norm: LayerNorm.init(2) };
const x = T.tensor([[1, 2, 3], [4, 5, 6]]);
const loss = (p: Params, x: T.Tensor<'f32'>): T.Tensor<'f32'> => T.sum(T.square(LayerNorm.apply(p.norm, Dense.apply(p.dense, x))));
const g: Params = T.grad(loss)(params, x);
// @ts-expect-error the gradient is a Params tree, not a number
const wrong: number = g;
const opt = adamw(1e-3);
const r = opt.update(g, opt.init(params), params);
const next: Params = applyUpdates(params, r.updates);
const h = T.grad((v: T.Tensor<'f32'>) => T.pipe(v, T.mul(v), T.sum({ axis: -1 })))(T.tensor([1.5, -2]));
const splits = addingSplits({ seqLen: 4, nTrain: 8, nVal: 4, nTest: 4, seed: 1 });
let batches = 0;
for (const b of tensorBatches(splits.train, { batchSize: 4 })) batches += b.inputs.shape[0] === 4 ? 1 : 0;
const ce = exampleLosses(T.tensor([[Math.log(0.25), Math.log(0.75)]]), { kind: 'classes', labels: T.tensor([1], 'i32') });
const fast = T.jit(loss);
const value: number = (await fast(next, x)).item();
console.log(JSON.stringify({ h: Array.from(h.data()), batches, ce: ce.item(), finite: Number.isFinite(value), wrong: typeof wrong }));
`;

// NodeNext checks every declaration file (skipLibCheck off; gpu.js's own types need the DOM
// library); Bundler checks as most projects do (skipLibCheck on). The @ts-expect-error line in
// the consumer fails both if the declarations ever degrade to `any`.
const tsconfig = (module: string, resolution: string, outDir: string, strictLibs: boolean) =>
  JSON.stringify({
    compilerOptions: { target: 'ES2022', module, moduleResolution: resolution, strict: true, skipLibCheck: !strictLibs, types: ['node'], outDir, lib: strictLibs ? ['ES2022', 'DOM'] : ['ES2022'] },
    files: ['consumer.ts'],
  });

let dir = '';

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: repo, stdio: 'pipe' });
  const cache = join(repo, 'node_modules', '.cache', 'ssmjit-spec');
  mkdirSync(cache, { recursive: true });
  dir = mkdtempSync(join(cache, 'consumer-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(repo, join(dir, 'node_modules', 'ssmjit'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true, dependencies: { ssmjit: 'file:../../..' } }));
  writeFileSync(join(dir, 'consumer.ts'), CONSUMER);
  writeFileSync(join(dir, 'tsconfig.nodenext.json'), tsconfig('NodeNext', 'NodeNext', 'out-nodenext', true));
  writeFileSync(join(dir, 'tsconfig.bundler.json'), tsconfig('ESNext', 'Bundler', 'out-bundler', false));
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const runTsc = (project: string) => spawnSync(process.execPath, [tsc, '-p', project], { cwd: dir, encoding: 'utf8' });

describe('the installed package', () => {
  it('builds dist/ on install (prepare) and declares types for every export', () => {
    expect(pkg.scripts.prepare).toMatch(/scripts\/build\.mjs/);
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      if (typeof target === 'string') continue;
      expect(readFileSync(join(repo, target.types), 'utf8'), `${subpath} types`).toMatch(/export/);
      expect(readFileSync(join(repo, target.default), 'utf8'), `${subpath} bundle`).toMatch(/export/);
    }
    expect(Object.keys(pkg.exports)).toEqual(expect.arrayContaining(['.', './nn', './optim', './train', './data']));
  });

  it.each(['nodenext', 'bundler'])('a strict consumer type-checks under %s resolution', (kind) => {
    const out = runTsc(`tsconfig.${kind}.json`);
    expect(out.stdout + out.stderr).toBe('');
    expect(out.status).toBe(0);
  }, 120_000);

  it('the compiled consumer runs under Node and gets the derivatives right', () => {
    const out = spawnSync(process.execPath, [join(dir, 'out-nodenext', 'consumer.js')], { cwd: dir, encoding: 'utf8' });
    expect(out.stderr).toBe('');
    const result = JSON.parse(out.stdout) as { h: number[]; batches: number; ce: number; finite: boolean };
    // d/dv Σ v² = 2v; 8 examples in batches of 4; cross-entropy of p = 0.75 is −log 0.75.
    expect(result.h).toEqual([3, -4]);
    expect(result.batches).toBe(2);
    expect(result.ce).toBeCloseTo(-Math.log(0.75), 6);
    expect(result.finite).toBe(true);
  }, 120_000);

  it('the bin runs from the clone', () => {
    const bin = join(repo, pkg.bin.ssmjit);
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const out = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/Usage: ssmjit <command>/);
  }, 60_000);
});
