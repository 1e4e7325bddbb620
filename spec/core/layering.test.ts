/**
 * The layering of the source tree, read from the import statements themselves: src/ (the
 * user-facing layer) sits on top of compiler/ and kernels/, never the other way round, and the
 * differentiation modules import each other without cycles.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative module specifiers of every import/export-from/dynamic import in a source text. */
export function importsOf(source: string): string[] {
  const found: string[] = [];
  const patterns = [/\b(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const re of patterns) for (const m of source.matchAll(re)) found.push(m[1]);
  return found.filter((s) => s.startsWith('.'));
}

/** Repository-relative paths a file imports (extension-less, as written). */
const importedPaths = (file: string): string[] => importsOf(readFileSync(file, 'utf8')).map((s) => relative(ROOT, resolve(dirname(file), s)));

describe('layering', () => {
  it('the import scanner sees static, re-export, side-effect and dynamic imports', () => {
    const src = [
      "import { a } from '../src/x';",
      "import type { B } from '../../src/y';",
      "export * from '../src/z';",
      "import '../src/side';",
      "const m = await import('../src/lazy');",
      "import {\n  c,\n  d,\n} from './near';",
    ].join('\n');
    expect(importsOf(src).sort()).toEqual(['../../src/y', '../src/lazy', '../src/side', '../src/x', '../src/z', './near'].sort());
  });

  it.each(['compiler', 'kernels'])('no file under %s/ imports from src/', (dir) => {
    const offending = tsFiles(join(ROOT, dir)).flatMap((f) =>
      importedPaths(f)
        .filter((p) => p === 'src' || p.startsWith('src/'))
        .map((p) => `${relative(ROOT, f)} imports ${p}`),
    );
    expect(offending).toEqual([]);
  });

  it('compiler/autodiff has no import cycle', () => {
    const dir = join(ROOT, 'compiler/autodiff');
    const files = tsFiles(dir).map((f) => relative(ROOT, f).replace(/\.ts$/, ''));
    const edges = new Map(files.map((f) => [f, importedPaths(join(ROOT, `${f}.ts`)).filter((p) => files.includes(p))]));
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (f: string, path: string[]): void => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') {
        cycles.push([...path.slice(path.indexOf(f)), f].join(' -> '));
        return;
      }
      state.set(f, 'open');
      for (const g of edges.get(f) ?? []) visit(g, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of files) visit(f, []);
    expect(cycles).toEqual([]);
  });
});
