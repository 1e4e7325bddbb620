// Builds the bundles with esbuild: the library (dist/index.js), the `ssmjit` command
// (dist/cli.js) and the benchmark (dist/bench.js) for Node, where gpu.js and the native
// backends stay external and everything else is bundled; and the library for browsers
// (dist/browser/index.js: one ES module, gpu.js included, the `browser` export of package.json).
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { buildBrowser } from './browser-build.mjs';

const shared = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: ['gpu.js', 'gl', 'webgpu'],
  logLevel: 'warning',
  // CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __ssmjitCreateRequire } from 'node:module'; const require = __ssmjitCreateRequire(import.meta.url);" },
};

const entries = [
  ['src/index.ts', 'dist/index.js'],
  ['src/cli.ts', 'dist/cli.js'],
  ['scripts/bench.ts', 'dist/bench.js'],
  ['scripts/bench-kernels.ts', 'dist/bench-kernels.js'],
];

for (const [entry, outfile] of entries) {
  if (!existsSync(entry)) continue;
  const banner = entry === 'src/cli.ts' ? { js: `#!/usr/bin/env node\n${shared.banner.js}` } : shared.banner;
  await build({ ...shared, entryPoints: [entry], outfile, banner });
}

const browser = await buildBrowser('src/index.ts', { outfile: 'dist/browser/index.js', sourcemap: true });
if (browser.nodeImports.length > 0) {
  throw new Error(`dist/browser/index.js imports Node modules:\n  ${browser.nodeImports.join('\n  ')}`);
}
