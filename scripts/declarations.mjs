// Declaration files for the package's entry points (run by scripts/build.mjs, or alone):
// tsc emits dist/types/ from tsconfig.build.json; the sources import each other without file
// extensions (Bundler resolution), which Node's own ESM rules (NodeNext) cannot follow, so every
// relative specifier in the emitted .d.ts files is rewritten to the file it names
// ('./ops/core' -> './ops/core.js', './models' -> './models/index.js').
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const root = 'dist/types';
rmSync(root, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });

const files = (dir) => readdirSync(dir).flatMap((name) => {
  const path = join(dir, name);
  return statSync(path).isDirectory() ? files(path) : path.endsWith('.d.ts') ? [path] : [];
});

/** The .js specifier of a relative import written without an extension. */
function withExtension(file, spec) {
  if (/\.(js|mjs|cjs|json)$/.test(spec)) return spec;
  const target = resolve(dirname(file), spec);
  if (existsSync(`${target}.d.ts`)) return `${spec}.js`;
  if (existsSync(join(target, 'index.d.ts'))) return `${spec.replace(/\/$/, '')}/index.js`;
  throw new Error(`${file}: cannot resolve the declaration import '${spec}'`);
}

let rewritten = 0;
for (const file of files(root)) {
  const text = readFileSync(file, 'utf8');
  const out = text.replace(/(\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)(['"])(\.\.?\/[^'"]*|\.\.?)\2/g, (_, head, quote, spec) => {
    rewritten += 1;
    return `${head}${quote}${withExtension(file, spec)}${quote}`;
  });
  if (out !== text) writeFileSync(file, out);
}
console.log(`declarations: ${files(root).length} files in ${root}, ${rewritten} relative imports given extensions`);
