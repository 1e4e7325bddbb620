/**
 * The API reference builds from the doc comments (`npm run docs`, TypeDoc over the root and
 * subpath modules) without warnings: every entry point resolves, every {@link} names something.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it('typedoc validates the reference with warnings as errors', () => {
  const repo = fileURLToPath(new URL('../..', import.meta.url));
  const typedoc = join(dirname(createRequire(import.meta.url).resolve('typedoc/package.json')), 'bin', 'typedoc');
  const out = spawnSync(process.execPath, [typedoc, '--emit', 'none', '--treatWarningsAsErrors'], { cwd: repo, encoding: 'utf8' });
  expect(out.stdout + out.stderr).not.toMatch(/\[warning\]|\[error\]/);
  expect(out.status).toBe(0);
}, 180_000);
