/**
 * Real Chromium for the browser specs: the system's (Debian's `chromium`, or SSMJIT_CHROMIUM),
 * driven by playwright-core with no browser download, WebGPU on (SwiftShader when there is no
 * GPU). Where Chromium is absent the specs are skipped with a line saying so; with
 * SSMJIT_REQUIRE_BROWSER=1 (set by CI) its absence fails them instead.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { describe, it } from 'vitest';
import { bundleRoute, type Route, startWebServer } from '../../scripts/web-server.mjs';

export const CHROMIUM = process.env.SSMJIT_CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
export const BROWSER_REQUIRED = process.env.SSMJIT_REQUIRE_BROWSER === '1';

export const CHROMIUM_ARGS = ['--enable-unsafe-webgpu', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'];

/**
 * `describe(title, body)` when Chromium is here; otherwise a skipped block saying why, or (when
 * SSMJIT_REQUIRE_BROWSER=1) a failing test.
 */
export function describeInChromium(title: string, body: () => void): void {
  if (CHROMIUM && existsSync(CHROMIUM)) {
    describe(title, body);
    return;
  }
  const why = `no Chromium at ${CHROMIUM ?? '/usr/bin/chromium'} (apt-get install chromium, or set SSMJIT_CHROMIUM)`;
  if (BROWSER_REQUIRED) {
    describe(title, () => it('needs Chromium (SSMJIT_REQUIRE_BROWSER=1)', () => {
      throw new Error(why);
    }));
  } else {
    console.log(`${title}: skipped: ${why}`);
    describe.skip(`${title} (skipped: ${why})`, body);
  }
}

export interface BrowserSession {
  readonly browser: Browser;
  readonly page: Page;
  readonly url: string;
  /** Console lines and page errors seen so far. */
  readonly log: string[];
  close(): Promise<void>;
}

/** The page script route for a spec page entry (vitest replaced by a shim that throws). */
export const specPageRoute = (entry: string): Route =>
  bundleRoute(entry, { minify: false, alias: { vitest: 'spec/browser/page/vitestShim.ts' } });

/** Starts the web server with `routes`, launches Chromium, opens `path` and waits until the page sets `pageReady`. */
export async function openPage(path: string, routes: Record<string, Route> = {}, isolated = true): Promise<BrowserSession> {
  const server = await startWebServer({ routes, isolated });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const log: string[] = [];
  page.on('console', (m) => log.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => log.push(`[pageerror] ${e.message}`));
  await page.goto(`${server.url}${path}`);
  try {
    await page.waitForFunction(() => (globalThis as { pageReady?: boolean }).pageReady === true, undefined, { timeout: 120_000 });
  } catch (e) {
    await browser.close();
    await server.close();
    throw new Error(`${path} did not get ready: ${(e as Error).message}\n${log.join('\n')}`);
  }
  return {
    browser,
    page,
    url: server.url,
    log,
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}
