/**
 * The demo page (examples/web) in Chromium: it loads, 30 training steps in the page lower the
 * validation loss measured on the same 160 held-out digits before and after, the drawing canvas
 * (recurrent step mode, one pixel at a time) classifies test digits exactly as `ssmjit predict`
 * does on the checkpoint the page saves (the CLI built from this tree, run in Node), and a
 * screenshot of the page is written to test-artifacts/demo-page.png. The steps per second of the
 * page's training on each backend the browser offers are printed (a measurement). On webasm a
 * training step needs more gpu.js kernels than the page may keep compiled (each owns a
 * WebAssembly memory, and Chromium refuses new memories after ~100): the runtime keeps 64 and
 * rebuilds the rest, so the step runs, slowly.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type BrowserSession, describeInChromium, openPage } from './chromium';

interface Demo {
  train(steps: number): Promise<number[]>;
  validate(count?: number): Promise<{ loss: number; accuracy?: number }>;
  testDigit(i: number): { pixels: number[]; label: number };
  drawAndClassify(pixels: number[]): Promise<number[]>;
  saveCheckpoint(): number[];
  showTestDigits(): Promise<void>;
  useBackend(name: string): Promise<void>;
  backend(): string | undefined;
  metrics(): { firstStepMs?: number; firstPredictionMs?: number; stepsPerSecond: number; step: number };
}

const demo = (s: BrowserSession) => <R, A>(fn: (d: Demo, arg: A) => R | Promise<R>, arg: A): Promise<R> =>
  s.page.evaluate(
    ([source, a]) => new Function('d', 'a', `return (${source})(d, a);`)((globalThis as { ssmjitDemo?: Demo }).ssmjitDemo, a),
    [fn.toString(), arg] as const,
  ) as Promise<R>;

describeInChromium('the demo page', () => {
  let s: BrowserSession;
  let call: ReturnType<typeof demo>;
  let saved: { dir: string; digits: number[][]; page: number[][] } | undefined;

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
    s = await openPage('/');
    call = demo(s);
  });
  afterAll(async () => s?.close());

  it('trains: 30 steps lower the validation loss', async () => {
    const before = await call((d) => d.validate(160), null);
    const losses = await call((d) => d.train(30), null);
    const after = await call((d) => d.validate(160), null);
    const m = await call((d) => d.metrics(), null);
    console.log(`demo [${await call((d) => d.backend(), null)}]: validation loss on 160 digits ${before.loss.toFixed(4)} -> ${after.loss.toFixed(4)} after 30 steps; train loss ${losses[0].toFixed(3)} -> ${losses[29].toFixed(3)}; ${m.stepsPerSecond.toFixed(2)} steps/s; first prediction ${(m.firstPredictionMs! / 1000).toFixed(1)} s and first training step ${(m.firstStepMs! / 1000).toFixed(1)} s after the page started`);
    expect(losses).toHaveLength(30);
    expect(after.loss).toBeLessThan(before.loss - 0.05);
  });

  it('the drawing canvas (step mode) classifies test digits as `ssmjit predict` does on the saved checkpoint', async () => {
    const digits = await call((d) => [0, 1, 2, 3, 4, 5].map((i) => d.testDigit(i)), null);
    const page: number[][] = [];
    for (const digit of digits) page.push(await call((d, pixels) => d.drawAndClassify(pixels), digit.pixels));
    const bytes = await call((d) => d.saveCheckpoint(), null);
    const dir = mkdtempSync(join(tmpdir(), 'ssmjit-demo-'));
    writeFileSync(join(dir, 'demo.safetensors'), Uint8Array.from(bytes));
    writeFileSync(join(dir, 'digits.ndjson'), digits.map((d) => JSON.stringify({ sequence: d.pixels.map((v) => v / 255) })).join('\n') + '\n');
    const out = execFileSync(process.execPath, ['dist/cli.js', 'predict', '--checkpoint', join(dir, 'demo'), '--input', join(dir, 'digits.ndjson'), '--quiet'], { encoding: 'utf8' });
    saved = { dir, digits: digits.map((d) => d.pixels), page };
    const cli = out.trim().split('\n').map((line) => JSON.parse(line) as { label: number; probabilities: number[] });
    expect(cli).toHaveLength(digits.length);
    cli.forEach((row, i) => {
      const stepLabel = page[i].indexOf(Math.max(...page[i]));
      expect(stepLabel, `digit ${i}`).toBe(row.label);
      row.probabilities.forEach((p, k) => expect(Math.abs(p - page[i][k]), `digit ${i} class ${k}`).toBeLessThan(1e-4));
    });
  });

  it('its checkpoint passes `ssmjit eval`, and the file picker loads it back', async () => {
    expect(saved, 'the previous test saved a checkpoint').toBeDefined();
    const { dir, digits, page } = saved!;
    const evalOut = execFileSync(process.execPath, ['dist/cli.js', 'eval', '--checkpoint', join(dir, 'demo'), '--split', 'val'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(evalOut).toMatch(/accuracy/);
    await call((d) => d.train(5), null);
    const moved = await call((d, pixels) => d.drawAndClassify(pixels), digits[0]);
    expect(moved, 'five more steps change the model').not.toEqual(page[0]);
    await s.page.setInputFiles('#load', join(dir, 'demo.safetensors'));
    await s.page.waitForFunction(() => /loaded demo\.safetensors/.test((globalThis as { document?: { getElementById(id: string): { textContent: string } } }).document!.getElementById('step').textContent));
    expect(await call((d) => d.metrics().step, null)).toBe(30);
    const back = await call((d, pixels) => d.drawAndClassify(pixels), digits[0]);
    back.forEach((p, k) => expect(Math.abs(p - page[0][k]), `class ${k}`).toBeLessThan(1e-6));
  });

  it('writes a screenshot of the page', async () => {
    await call((d) => d.showTestDigits(), null);
    await call((d, pixels) => d.drawAndClassify(pixels), (await call((d) => d.testDigit(7), null)).pixels);
    mkdirSync('test-artifacts', { recursive: true });
    await s.page.screenshot({ path: 'test-artifacts/demo-page.png', fullPage: true });
  });

  it('measures the steps per second of the page on every backend it offers', async () => {
    const lines: string[] = [];
    const ran: string[] = [];
    for (const backend of ['wasm', 'cpu', 'webgpu', 'webgl2', 'webgl', 'webasm']) {
      const r = await call(async (d, b) => {
        try {
          await d.useBackend(b);
          const losses = await d.train(6);
          return { losses, rate: d.metrics().stepsPerSecond, error: undefined };
        } catch (e) {
          return { error: (e as Error).message, losses: undefined, rate: undefined };
        }
      }, backend);
      if (r.error !== undefined || r.losses === undefined || r.rate === undefined) {
        lines.push(`${backend} failed (${String(r.error).slice(0, 120)})`);
        continue;
      }
      expect(r.losses.every(Number.isFinite), backend).toBe(true);
      ran.push(backend);
      lines.push(`${backend} ${r.rate.toFixed(2)} steps/s`);
    }
    console.log(`demo steps per second (batch 16, 784 steps, after the first step): ${lines.join(', ')}`);
    expect(ran).toEqual(expect.arrayContaining(['wasm', 'cpu', 'webgpu', 'webgl2', 'webgl', 'webasm']));
  });
});
