/**
 * Runs a TypeScript snippet in a child Node process started with --expose-gc (so it may call
 * `globalThis.gc()`), bundled from inside the checkout so its imports of `./src/...` and the
 * external packages resolve; returns the JSON object the snippet printed last. Used by the
 * specs that check that dropped device values give their memory back.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { expect } from 'vitest';

export async function runWithGc<R>(entry: string, timeoutMs: number): Promise<R> {
  // Inside the checkout, so the bundle finds the external packages in node_modules.
  mkdirSync(resolve('node_modules/.cache'), { recursive: true });
  const dir = mkdtempSync(join(resolve('node_modules/.cache'), 'ssmjit-gc-child-'));
  try {
    const result = await build({
      stdin: { contents: entry, resolveDir: resolve('.'), sourcefile: 'child.ts', loader: 'ts' },
      bundle: true, platform: 'node', format: 'esm', target: 'node20', write: false, logLevel: 'silent',
      external: ['gpu.js', 'gl', 'webgpu'],
      banner: { js: "import { createRequire as __c } from 'node:module'; const require = __c(import.meta.url);" },
    });
    const file = join(dir, 'child.mjs');
    writeFileSync(file, result.outputFiles[0].text);
    const r = spawnSync(process.execPath, ['--expose-gc', file], { encoding: 'utf8', timeout: timeoutMs, cwd: resolve('.') });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout.trim().split('\n').pop() as string) as R;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
