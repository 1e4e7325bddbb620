/**
 * The adding problem (Hochreiter & Schmidhuber 1997, in the form of Arjovsky et al. 2016):
 * a two-channel sequence of length T. Channel 0 holds values drawn from U[0, 1); channel 1 is
 * a marker that is 1 at exactly two steps, one in the first half [0, T/2) and one in the
 * second half [T/2, T), and 0 elsewhere. The target is the sum of the two marked values, a
 * regression target in [0, 2). Predicting the constant 1 gives a mean squared error of 1/6.
 */
import { Dataset, DatasetSplits } from './dataset';
import { mixSeed, seededRandom } from './rng';

export interface AddingOptions {
  /** Sequence length T (at least 2). */
  readonly seqLen: number;
  readonly seed: number;
  readonly nTrain?: number;
  readonly nVal?: number;
  readonly nTest?: number;
}

/** `count` adding-problem examples of length seqLen, drawn from the given seed. */
export function addingDataset(name: string, count: number, seqLen: number, seed: number): Dataset {
  if (!Number.isSafeInteger(seqLen) || seqLen < 2) throw new RangeError(`adding problem: seqLen must be an integer >= 2, got ${seqLen}`);
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`adding problem: count must be a non-negative integer, got ${count}`);
  const random = seededRandom(seed);
  const data = new Float32Array(count * seqLen * 2);
  const values = new Float32Array(count);
  const half = Math.floor(seqLen / 2);
  for (let n = 0; n < count; n++) {
    const base = n * seqLen * 2;
    for (let t = 0; t < seqLen; t++) data[base + 2 * t] = random.next();
    const first = random.int(0, half - 1);
    const second = random.int(half, seqLen - 1);
    data[base + 2 * first + 1] = 1;
    data[base + 2 * second + 1] = 1;
    values[n] = data[base + 2 * first] + data[base + 2 * second];
  }
  return { name, size: count, seqLen, inputs: { kind: 'float', data, channels: 2 }, targets: { kind: 'regression', values, dim: 1 } };
}

/** Independent train/val/test sets (default 10,000 / 1,000 / 1,000) from one seed. */
export function addingSplits(options: AddingOptions): DatasetSplits {
  const { seqLen, seed, nTrain = 10_000, nVal = 1_000, nTest = 1_000 } = options;
  return {
    train: addingDataset('adding/train', nTrain, seqLen, mixSeed(seed, 0)),
    val: addingDataset('adding/val', nVal, seqLen, mixSeed(seed, 1)),
    test: addingDataset('adding/test', nTest, seqLen, mixSeed(seed, 2)),
  };
}
