/**
 * Doc tests: every ```ts block of README.md and docs/guide.md is a program a user could paste.
 * Each is written out as its own module importing 'ssmjit' (and its subpaths), type-checked by
 * tsc with --strict against the sources (paths map 'ssmjit' to src/index.ts, 'ssmjit/x' to
 * src/api/x.ts, as the package's exports do for dist/), then bundled with esbuild and run by
 * Node: a snippet that no longer compiles, throws or exits non-zero fails here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const DOCS = ['README.md', 'docs/guide.md'];

interface Snippet {
  readonly doc: string;
  readonly line: number;
  readonly name: string;
  readonly code: string;
}

/** The ```ts blocks of a markdown file, with the line each starts on. */
export function snippetsOf(doc: string, text: string): Snippet[] {
  const out: Snippet[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```ts') continue;
    const start = i + 1;
    let j = start;
    while (j < lines.length && lines[j].trim() !== '```') j++;
    out.push({ doc, line: start + 1, name: `${doc.replace(/\W+/g, '_')}_${start + 1}`, code: lines.slice(start, j).join('\n') });
    i = j;
  }
  return out;
}

const snippets = DOCS.filter((d) => existsSync(join(repo, d))).flatMap((d) => snippetsOf(d, readFileSync(join(repo, d), 'utf8')));

let dir = '';
let typeErrors = '';

beforeAll(() => {
  const cache = join(repo, 'node_modules', '.cache', 'ssmjit-spec');
  mkdirSync(cache, { recursive: true });
  dir = mkdtempSync(join(cache, 'snippets-'));
  for (const s of snippets) writeFileSync(join(dir, `${s.name}.ts`), `${s.code}\nexport {};\n`);
  const paths = { ssmjit: [join(repo, 'src/index.ts')], 'ssmjit/*': [join(repo, 'src/api/*.ts')] };
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], lib: ['ES2022'], paths, typeRoots: [join(repo, 'node_modules/@types')] },
      files: snippets.map((s) => `${s.name}.ts`),
    }),
  );
  const out = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: dir, encoding: 'utf8' });
  typeErrors = out.stdout + out.stderr;
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('documentation snippets', () => {
  it('there are snippets to test, and tsc reports nothing outside them', () => {
    expect(snippets.length).toBeGreaterThan(0);
    const others = typeErrors.split('\n').filter((l) => /error TS/.test(l) && !snippets.some((s) => l.startsWith(`${s.name}.ts`)));
    expect(others.join('\n')).toBe('');
  });

  it.each(snippets.map((s) => [`${s.doc}:${s.line}`, s] as const))('%s type-checks under --strict', (_, s) => {
    const mine = typeErrors.split('\n').filter((l) => l.startsWith(`${s.name}.ts`));
    expect(mine.join('\n')).toBe('');
  });

  it.each(snippets.map((s) => [`${s.doc}:${s.line}`, s] as const))('%s runs', (_, s) => {
    const outfile = join(dir, `${s.name}.mjs`);
    buildSync({
      entryPoints: [join(dir, `${s.name}.ts`)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: ['gpu.js', 'gl', 'webgpu'],
      alias: { ssmjit: join(repo, 'src/index.ts'), 'ssmjit/nn': join(repo, 'src/api/nn.ts'), 'ssmjit/optim': join(repo, 'src/api/optim.ts'), 'ssmjit/train': join(repo, 'src/api/train.ts'), 'ssmjit/data': join(repo, 'src/api/data.ts') },
      banner: { js: "import { createRequire as __ssmjitCreateRequire } from 'node:module'; const require = __ssmjitCreateRequire(import.meta.url);" },
      logLevel: 'silent',
    });
    const out = spawnSync(process.execPath, [outfile], { cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, SSMJIT_BACKEND: 'wasm' } });
    expect(out.stderr, out.stdout).toBe('');
    expect(out.status).toBe(0);
  }, 150_000);
});
