/**
 * The browser build of the library: esbuild bundles src/index.ts for browsers (the `browser`
 * condition) and the bundle imports nothing from Node. A Node-only import anywhere in the
 * library's module graph fails here: esbuild cannot resolve `node:*` for the browser platform,
 * and anything it could resolve is listed by the metafile scan.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildBrowser } from '../../scripts/browser-build.mjs';

/** The build's error messages, one per line, with the file that caused each. */
function describeFailure(e: unknown): string {
  const errors = (e as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors;
  return errors ? errors.map((x) => `${x.location?.file ?? '?'}:${x.location?.line ?? '?'}: ${x.text}`).join('\n') : String(e);
}

describe('browser bundle of src/index.ts', () => {
  it('builds for the browser platform and imports no Node module', async () => {
    let built: Awaited<ReturnType<typeof buildBrowser>>;
    try {
      built = await buildBrowser('src/index.ts');
    } catch (e) {
      throw new Error(`the browser build failed:\n${describeFailure(e)}`);
    }
    expect(built.nodeImports).toEqual([]);
    const inputs = Object.keys(built.result.metafile!.inputs);
    expect(inputs).toContain('kernels/platform/browser.ts');
    expect(inputs).not.toContain('kernels/platform/node.ts');
    // gpu.js comes in as its browser build, not the Node sources that require headless-gl.
    expect(inputs.some((f) => f.includes('gpu.js/dist/gpu-browser'))).toBe(true);
    const code = built.code!;
    console.log(`browser bundle: ${(code.length / 1024).toFixed(0)} KiB minified, ${(gzipSync(code).length / 1024).toFixed(0)} KiB gzipped`);
  });
});
