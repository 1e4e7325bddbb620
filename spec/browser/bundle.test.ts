/**
 * The browser builds: esbuild bundles the library (src/index.ts) and the demo page's script
 * (examples/web/app.ts) for browsers (the `browser` condition), and neither imports anything from
 * Node nor uses Node's globals outside a guard. A Node-only import anywhere in their module
 * graphs fails here: esbuild cannot resolve `node:*` for the browser platform, and anything it
 * could resolve is listed by the metafile scan. Node globals are looked for in the unminified
 * bundle, comments removed: `process.x` and `Buffer.x` (a guarded read is written
 * `globalThis.process?.env`, which does not match).
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildBrowser } from '../../scripts/browser-build.mjs';

/** The build's error messages, one per line, with the file that caused each. */
function describeFailure(e: unknown): string {
  const errors = (e as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors;
  return errors ? errors.map((x) => `${x.location?.file ?? '?'}:${x.location?.line ?? '?'}: ${x.text}`).join('\n') : String(e);
}

async function build(entry: string, minify: boolean): Promise<Awaited<ReturnType<typeof buildBrowser>>> {
  try {
    return await buildBrowser(entry, { minify });
  } catch (e) {
    throw new Error(`the browser build of ${entry} failed:\n${describeFailure(e)}`);
  }
}

/** Lines of `code` (comments removed) that use Node's `process` or `Buffer`. */
export function nodeGlobalUses(code: string): string[] {
  const text = code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return text.split('\n').filter((line) => /(?<![.\w?$])(process|Buffer)\s*\.\s*\w/.test(line)).map((l) => l.trim().slice(0, 160));
}

describe('browser bundles', () => {
  it.each(['src/index.ts', 'examples/web/app.ts'])('%s builds for browsers and imports no Node module', async (entry) => {
    const built = await build(entry, true);
    expect(built.nodeImports).toEqual([]);
    const inputs = Object.keys(built.result.metafile!.inputs);
    expect(inputs).toContain('kernels/platform/browser.ts');
    expect(inputs).not.toContain('kernels/platform/node.ts');
    // gpu.js comes in as its browser build, not the Node sources that require headless-gl.
    expect(inputs.some((f) => f.includes('gpu.js/dist/gpu-browser'))).toBe(true);
    const code = built.code!;
    console.log(`browser bundle of ${entry}: ${(code.length / 1024).toFixed(0)} KiB minified, ${(gzipSync(code).length / 1024).toFixed(0)} KiB gzipped`);
  });

  it.each(['src/index.ts', 'examples/web/app.ts'])('%s uses no Node global outside a guard', async (entry) => {
    const built = await build(entry, false);
    expect(nodeGlobalUses(Buffer.from(built.code!).toString('utf8'))).toEqual([]);
  });

  it('the scan sees an unguarded use and passes a guarded one', () => {
    expect(nodeGlobalUses('const a = 1;\nconst b = process.env.X;\nBuffer.from("x");')).toEqual(['const b = process.env.X;', 'Buffer.from("x");']);
    expect(nodeGlobalUses('const e = globalThis.process?.env;\n// process.exit()\nx.process.y;')).toEqual([]);
  });
});
