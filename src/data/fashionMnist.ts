/**
 * Sequential Fashion-MNIST from the Debian package `dataset-fashion-mnist`
 * (files /usr/share/datasets/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz).
 *
 * Sequences are built exactly as for sMNIST (784 x 1, raster order, byte/255, no
 * normalisation; optional bit-reversal permutation). Splits: the official 60,000 train /
 * 10,000 test, with 10% of train (seed 42) carved out as validation: 54,000 / 6,000 / 10,000.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError } from '../io/formatError';
import { IdxArray, readIdxFile } from '../io/idx';
import { DatasetSplits, withValidation } from './dataset';
import { IMAGE_PIXELS, IMAGE_SIDE, ImageSet, bitReversalPermutation, imageSequenceDataset } from './imageSequences';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
] as const;

/** Finds `<dir>/<base>.gz` or `<dir>/<base>`; a missing file gets an install hint. */
function locate(dir: string, base: string): string {
  for (const candidate of [join(dir, `${base}.gz`), join(dir, base)]) if (existsSync(candidate)) return candidate;
  throw new FormatError(`Fashion-MNIST file not found (install the dataset with \`apt-get install dataset-fashion-mnist\`, which puts it in ${FASHION_MNIST_DIR})`, {
    file: join(dir, `${base}.gz`),
  });
}

function checkShape(array: IdxArray, expected: number[], file: string, what: string): void {
  const ok = array.shape.length === expected.length && array.shape.every((s, i) => expected[i] < 0 || s === expected[i]);
  if (!ok) {
    const wanted = expected.map((s) => (s < 0 ? 'N' : String(s))).join(' x ');
    throw new FormatError(`unexpected ${what} shape`, { file, byteOffset: 4, expected: wanted, actual: array.shape.join(' x ') });
  }
}

/** Reads one part ("train" or "t10k") and checks images and labels agree. */
export function loadFashionMnistPart(part: 'train' | 't10k', dir = FASHION_MNIST_DIR): ImageSet {
  const imageFile = locate(dir, `${part}-images-idx3-ubyte`);
  const labelFile = locate(dir, `${part}-labels-idx1-ubyte`);
  const images = readIdxFile(imageFile, 3);
  checkShape(images, [-1, IMAGE_SIDE, IMAGE_SIDE], imageFile, 'image');
  const labels = readIdxFile(labelFile, 1);
  const count = images.shape[0];
  if (labels.shape[0] !== count) {
    throw new FormatError('label count differs from image count', { file: labelFile, byteOffset: 4, expected: `${count} (as in ${imageFile})`, actual: `${labels.shape[0]}` });
  }
  const labelStart = 8;
  const classes = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = labels.data[i];
    if (label > 9) throw new FormatError('label out of range', { file: labelFile, byteOffset: labelStart + i, expected: 'a class in 0..9', actual: `${label}` });
    classes[i] = label;
  }
  return { pixels: images.data.subarray(0, count * IMAGE_PIXELS), labels: classes, count };
}

export interface FashionMnistOptions {
  /** Bit-reversal permuted sequences. Default false. */
  readonly permuted?: boolean;
  /** Fraction of train used for validation. Default 0.1. */
  readonly valFraction?: number;
  /** Seed of the validation split. Default 42. */
  readonly seed?: number;
  /** Directory of the IDX files. Default /usr/share/datasets/fashion-mnist. */
  readonly dir?: string;
  /** Use only the first `limit` train and test images (quick runs). */
  readonly limit?: number;
}

/** Sequential Fashion-MNIST train/val/test (default 54,000 / 6,000 / 10,000). */
export function fashionMnistSplits(options: FashionMnistOptions = {}): DatasetSplits {
  const { permuted = false, valFraction = 0.1, seed = 42, dir = FASHION_MNIST_DIR, limit } = options;
  const permutation = permuted ? bitReversalPermutation(IMAGE_PIXELS) : undefined;
  const prefix = permuted ? 'pfashion' : 'fashion';
  const build = (part: 'train' | 't10k', name: string) => imageSequenceDataset(name, limitImages(loadFashionMnistPart(part, dir), limit), permutation);
  const train = build('train', `${prefix}/train`);
  const test = build('t10k', `${prefix}/test`);
  return withValidation(prefix, train, test, { fraction: valFraction, seed });
}

function limitImages(images: ImageSet, limit: number | undefined): ImageSet {
  if (limit === undefined || limit >= images.count) return images;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`fashion-mnist: limit must be a positive integer, got ${limit}`);
  return { pixels: images.pixels.subarray(0, limit * IMAGE_PIXELS), labels: images.labels.subarray(0, limit), count: limit };
}
