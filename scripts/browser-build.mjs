// The browser builds, with esbuild: the library as one ES module (`browser` condition, so
// `#platform` resolves to kernels/platform/browser.ts and gpu.js to its browser build), and
// the demo page's script. Used by scripts/build.mjs, the web server (scripts/web.mjs) and the
// browser specs. `nodeImports` lists what a bundle still imports from Node: it must be empty.
import { build } from 'esbuild';
import { builtinModules } from 'node:module';

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** esbuild options shared by every browser bundle. */
export const browserOptions = {
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  conditions: ['browser'],
  logLevel: 'silent',
  metafile: true,
  legalComments: 'none',
};

/**
 * Builds `entry` for browsers. Returns the output files (path -> bytes) when `outfile` is not
 * given (nothing written), the metafile, and the Node modules the bundle imports (must be none).
 */
export async function buildBrowser(entry, { outfile, minify = true, sourcemap = false, alias } = {}) {
  const result = await build({
    ...browserOptions,
    entryPoints: [entry],
    outfile: outfile ?? 'bundle.js',
    write: outfile !== undefined,
    minify,
    sourcemap,
    ...(alias ? { alias } : {}),
  });
  return { result, nodeImports: nodeImports(result.metafile), code: result.outputFiles?.find((f) => f.path.endsWith('.js'))?.contents };
}

/** Every import of a Node builtin recorded in an esbuild metafile, as "importer -> module". */
export function nodeImports(metafile) {
  const found = [];
  for (const [file, input] of Object.entries(metafile.inputs)) {
    for (const imp of input.imports) {
      if (NODE_BUILTINS.has(imp.path) || imp.path.startsWith('node:')) found.push(`${file} -> ${imp.path}`);
    }
  }
  for (const [file, output] of Object.entries(metafile.outputs)) {
    for (const imp of output.imports) {
      if (NODE_BUILTINS.has(imp.path) || imp.path.startsWith('node:')) found.push(`${file} -> ${imp.path}`);
    }
  }
  return found;
}
