// The project's web server (node:http): serves the demo page (examples/web), the browser
// bundles built on first request with esbuild (scripts/browser-build.mjs), the sMNIST digits as
// one binary file (scripts/web-data.mjs), and any extra pages a caller adds (the browser specs
// add their test page). Every response carries the cross-origin isolation headers
// (COOP same-origin, COEP require-corp) so that SharedArrayBuffer and the wasm backend's
// threads work; `isolated: false` leaves them out (the page then runs single-threaded).
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { buildBrowser } from './browser-build.mjs';
import { mnistBinary } from './web-data.mjs';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.bin': 'application/octet-stream', '.png': 'image/png', '.svg': 'image/svg+xml' };

/** A route that builds a browser bundle of `entry` once, on first request. */
export function bundleRoute(entry, options = {}) {
  let built;
  return async () => {
    const alias = options.alias && Object.fromEntries(Object.entries(options.alias).map(([k, v]) => [k, join(ROOT, v)]));
    built ??= buildBrowser(join(ROOT, entry), { minify: options.minify ?? true, alias }).then((b) => {
      if (b.nodeImports.length > 0) throw new Error(`${entry}: the browser bundle imports Node modules: ${b.nodeImports.join(', ')}`);
      return b.code;
    });
    built.catch(() => (built = undefined));
    return { type: TYPES['.js'], body: await built };
  };
}

let demoConfig;
/** The demo's run config, from the CLI's own flag handling (examples/web/defaultConfig.ts, bundled for Node). */
async function defaultConfigJson() {
  demoConfig ??= (async () => {
    const outfile = join(ROOT, 'dist', 'web', 'defaultConfig.mjs');
    await build({
      entryPoints: [join(ROOT, 'examples/web/defaultConfig.ts')],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      external: ['gpu.js', 'gl', 'webgpu'],
      logLevel: 'warning',
      banner: { js: "import { createRequire as __ssmjitCreateRequire } from 'node:module'; const require = __ssmjitCreateRequire(import.meta.url);" },
    });
    const { demoRunConfig } = await import(`${pathToFileURL(outfile).href}?t=${Date.now()}`);
    return JSON.stringify(demoRunConfig());
  })();
  demoConfig.catch(() => (demoConfig = undefined));
  return demoConfig;
}

/** Starts the server; resolves to { url, close }. `routes` maps a path to () => Promise<{ type, body }>. */
export async function startWebServer({ port = 0, host = '127.0.0.1', isolated = true, routes = {}, log = () => {} } = {}) {
  let digits;
  const all = {
    '/app.js': bundleRoute('examples/web/app.ts'),
    '/ssmjit.js': bundleRoute('src/index.ts'),
    '/mnist.bin': async () => ({ type: TYPES['.bin'], body: (digits ??= mnistBinary()) }),
    '/default-config.json': async () => ({ type: TYPES['.json'], body: await defaultConfigJson() }),
    ...routes,
  };
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const headers = isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {};
    try {
      let found = all[path] ? await all[path]() : undefined;
      if (!found) {
        const rel = normalize(path === '/' ? 'index.html' : path.slice(1));
        if (rel.startsWith('..')) throw Object.assign(new Error('outside the page directory'), { status: 403 });
        const file = join(ROOT, 'examples', 'web', rel);
        const body = await readFile(file).catch(() => undefined);
        if (body) found = { type: TYPES[extname(file)] ?? 'application/octet-stream', body };
      }
      if (!found) {
        res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end(`not found: ${path}`);
        return;
      }
      res.writeHead(200, { ...headers, 'Content-Type': found.type, 'Cache-Control': 'no-store' }).end(found.body);
    } catch (e) {
      log(`${path}: ${e.message}`);
      res.writeHead(e.status ?? 500, { ...headers, 'Content-Type': 'text/plain' }).end(String(e.message));
    }
  });
  await new Promise((ok, fail) => server.once('error', fail).listen(port, host, ok));
  const address = server.address();
  return {
    url: `http://${host}:${address.port}`,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
}
