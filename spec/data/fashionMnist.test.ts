import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_DIR, fashionMnistSplits, loadFashionMnistPart } from '../../src/data/fashionMnist';

const installed = existsSync(join(FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'));

function idx(shape: number[], values: ArrayLike<number>): Uint8Array {
  const header = [0, 0, 8, shape.length];
  for (const size of shape) header.push((size >>> 24) & 255, (size >>> 16) & 255, (size >>> 8) & 255, size & 255);
  const out = new Uint8Array(header.length + values.length);
  out.set(header);
  out.set(Array.from(values), header.length);
  return out;
}

describe('Fashion-MNIST from IDX files', () => {
  it('builds sequences and labels from small hand-made files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fashion-'));
    const pixels = Uint8Array.from({ length: 3 * 784 }, (_, i) => (i * 37) % 256);
    for (const part of ['train', 't10k']) {
      writeFileSync(join(dir, `${part}-images-idx3-ubyte`), idx([3, 28, 28], pixels));
      writeFileSync(join(dir, `${part}-labels-idx1-ubyte`), idx([3], [4, 0, 9]));
    }
    const splits = fashionMnistSplits({ dir, valFraction: 0 });
    expect(splits.test.size).toBe(3);
    expect(Array.from(splits.test.targets.kind === 'classes' ? splits.test.targets.labels : [])).toEqual([4, 0, 9]);
    expect(splits.test.inputs.data[784 + 5]).toBeCloseTo(((784 + 5) * 37 % 256) / 255, 6);
  });

  it('reports a label count mismatch and out-of-range labels with offsets', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fashion-'));
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), idx([2, 28, 28], new Uint8Array(2 * 784)));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idx([3], [1, 2, 3]));
    expect(() => loadFashionMnistPart('train', dir)).toThrow(/train-labels-idx1-ubyte at byte 4: .*label count differs from image count: expected 2/);
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idx([2], [1, 12]));
    expect(() => loadFashionMnistPart('train', dir)).toThrow(/at byte 9: .*label out of range: expected a class in 0\.\.9, got 12/);
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), idx([2, 27, 29], new Uint8Array(2 * 27 * 29)));
    expect(() => loadFashionMnistPart('train', dir)).toThrow(/unexpected image shape: expected N x 28 x 28, got 2 x 27 x 29/);
  });

  it('tells how to install the Debian package when files are missing', () => {
    expect(() => loadFashionMnistPart('train', '/nonexistent-dir')).toThrow(
      /\/nonexistent-dir\/train-images-idx3-ubyte\.gz: Fashion-MNIST file not found \(install the dataset with `apt-get install dataset-fashion-mnist`/,
    );
  });

  it.skipIf(!installed)('the installed dataset has 60,000 + 10,000 images, balanced classes (6,000 / 1,000 each)', () => {
    const train = loadFashionMnistPart('train');
    const test = loadFashionMnistPart('t10k');
    expect([train.count, test.count]).toEqual([60_000, 10_000]);
    const count = (labels: Int32Array) => labels.reduce((acc, label) => (acc[label]++, acc), new Array(10).fill(0));
    expect(count(train.labels)).toEqual(new Array(10).fill(6000));
    expect(count(test.labels)).toEqual(new Array(10).fill(1000));
    const splits = fashionMnistSplits({ limit: 1000 });
    expect([splits.train.size, splits.val.size, splits.test.size]).toEqual([900, 100, 1000]);
  });
});
