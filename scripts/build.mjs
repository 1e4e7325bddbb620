// Builds dist/ with esbuild and tsc:
// - the library's entry points (dist/index.js and the subpaths dist/nn.js, optim.js, train.js,
//   data.js) and the `ssmjit` command (dist/cli.js) in one build with code splitting, so they
//   share one copy of every module (one Tensor class, one trace stack);
// - the benchmarks (dist/bench.js, dist/bench-kernels.js) as standalone bundles;
// - declaration files (dist/types/) for the entry points: scripts/declarations.mjs;
// - the library for browsers (dist/browser/index.js: one ES module, gpu.js included, the
//   `browser` export of package.json), checked to import no Node module.
// gpu.js and the native backends stay external; everything else is bundled.
import { build } from 'esbuild';
import { existsSync, rmSync } from 'node:fs';
import { buildBrowser } from './browser-build.mjs';

const requireShim = "import { createRequire as __ssmjitCreateRequire } from 'node:module'; const require = __ssmjitCreateRequire(import.meta.url);";

const shared = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: ['gpu.js', 'gl', 'webgpu'],
  logLevel: 'warning',
  // CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: requireShim },
};

/** The public entry points: package.json `exports` maps each subpath to dist/<name>.js. */
export const LIBRARY_ENTRIES = { index: 'src/index.ts', nn: 'src/api/nn.ts', optim: 'src/api/optim.ts', train: 'src/api/train.ts', data: 'src/api/data.ts', cli: 'src/cli.ts' };

rmSync('dist/chunks', { recursive: true, force: true });
await build({
  ...shared,
  entryPoints: Object.fromEntries(Object.entries(LIBRARY_ENTRIES).filter(([, file]) => existsSync(file))),
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});

for (const [entry, outfile] of [
  ['scripts/bench.ts', 'dist/bench.js'],
  ['scripts/bench-kernels.ts', 'dist/bench-kernels.js'],
]) {
  if (!existsSync(entry)) continue;
  await build({ ...shared, entryPoints: [entry], outfile });
}

const browser = await buildBrowser('src/index.ts', { outfile: 'dist/browser/index.js', sourcemap: true });
if (browser.nodeImports.length > 0) {
  throw new Error(`dist/browser/index.js imports Node modules:\n  ${browser.nodeImports.join('\n  ')}`);
}

if (!process.argv.includes('--no-types')) await import('./declarations.mjs');
