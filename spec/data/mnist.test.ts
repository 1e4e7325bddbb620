import { describe, expect, it } from 'vitest';
import { IMAGE_PIXELS, bitReversalPermutation, reverseBits } from '../../src/data/imageSequences';
import { loadMnistPackage, mnistSplits } from '../../src/data/mnist';

/** Bit reversal through the binary string, independent of reverseBits. */
function reverseByString(k: number, bits: number): number {
  return parseInt(k.toString(2).padStart(bits, '0').split('').reverse().join(''), 2);
}

describe('bit-reversal permutation (psMNIST)', () => {
  it('matches the 10-bit string reversal of 0..1023, keeping entries < 784, in order', () => {
    const expected: number[] = [];
    for (let k = 0; k < 1024; k++) {
      const r = reverseByString(k, 10);
      if (r < 784) expected.push(r);
    }
    const permutation = bitReversalPermutation(784);
    expect(Array.from(permutation)).toEqual(expected);
    expect(Array.from(permutation.subarray(0, 6))).toEqual([0, 512, 256, 768, 128, 640]);
    expect([...permutation].sort((a, b) => a - b)).toEqual(Array.from({ length: 784 }, (_, i) => i));
    expect(reverseBits(1, 10)).toBe(512);
  });
});

describe('mnist package', () => {
  const images = loadMnistPackage();
  const plain = mnistSplits();

  it('holds 10,000 digits with all ten classes', () => {
    expect(images.count).toBe(10_000);
    expect(images.pixels.length).toBe(10_000 * IMAGE_PIXELS);
    const counts = new Array(10).fill(0);
    images.labels.forEach((label) => counts[label]++);
    for (const count of counts) expect(count).toBeGreaterThan(800);
  });

  it('digit 1 has the least ink and digits are centred (labels match images)', () => {
    // A known property of MNIST: "1" has by far the fewest lit pixels; borders are nearly empty.
    const ink = new Array(10).fill(0);
    const counts = new Array(10).fill(0);
    let border = 0;
    let total = 0;
    for (let n = 0; n < images.count; n++) {
      let sum = 0;
      for (let p = 0; p < IMAGE_PIXELS; p++) {
        const v = images.pixels[n * IMAGE_PIXELS + p];
        sum += v;
        const row = Math.floor(p / 28);
        const col = p % 28;
        if (row < 2 || row > 25 || col < 2 || col > 25) border += v;
      }
      ink[images.labels[n]] += sum;
      counts[images.labels[n]]++;
      total += sum;
    }
    const meanInk = ink.map((s, d) => s / counts[d]);
    const least = meanInk.indexOf(Math.min(...meanInk));
    expect(least).toBe(1);
    expect(border / total).toBeLessThan(0.01);
  });

  it('gives raster-order sequences with values byte/255 and the documented split sizes', () => {
    const splits = plain;
    expect([splits.train.size, splits.val.size, splits.test.size]).toEqual([7200, 800, 2000]);
    const { train } = splits;
    expect(train.seqLen).toBe(784);
    expect(train.inputs.kind === 'float' && train.inputs.channels).toBe(1);
    const data = train.inputs.data as Float32Array;
    let min = Infinity;
    let max = -Infinity;
    let offGrid = 0;
    for (const v of data) {
      min = Math.min(min, v);
      max = Math.max(max, v);
      if (Math.abs(v * 255 - Math.round(v * 255)) > 1e-4) offGrid++;
    }
    expect([min, max, offGrid]).toEqual([0, 1, 0]);
  });

  it('psMNIST is sMNIST with steps reordered by the bit-reversal permutation', () => {
    const permuted = mnistSplits({ permuted: true });
    const permutation = bitReversalPermutation(784);
    const a = plain.test.inputs.data;
    const b = permuted.test.inputs.data;
    for (const n of [0, 1, 1999]) {
      for (let t = 0; t < 784; t++) expect(b[n * 784 + t]).toBe(a[n * 784 + permutation[t]]);
    }
    expect(Array.from(permuted.test.targets.kind === 'classes' ? permuted.test.targets.labels : [])).toEqual(
      Array.from(plain.test.targets.kind === 'classes' ? plain.test.targets.labels : []),
    );
  });

  it('train, val and test are disjoint', () => {
    const { train, val, test } = plain;
    // A fingerprint of each image: position-weighted pixel sums (collisions would only hide overlap).
    const key = (data: ArrayLike<number>, n: number) => {
      let a = 0;
      let b = 0;
      for (let t = 0; t < 784; t++) {
        a += data[n * 784 + t] * (t + 1);
        b += data[n * 784 + t] * ((t * 7919) % 1009);
      }
      return `${a.toFixed(3)}/${b.toFixed(3)}`;
    };
    const seen = new Set<string>();
    for (let n = 0; n < train.size; n++) seen.add(key(train.inputs.data, n));
    let shared = 0;
    for (const split of [val, test]) for (let n = 0; n < split.size; n++) if (seen.has(key(split.inputs.data, n))) shared++;
    expect(shared).toBe(0);
  });
});
