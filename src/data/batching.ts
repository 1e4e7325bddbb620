/**
 * Deterministic epoch ordering and mini-batching of a Dataset.
 *
 * The shuffle order comes from an injected PermutationFn `(n, epoch) => Int32Array` so that
 * training can use the project-wide counter-based PRNG; `seededPermutation` (rng.ts) is a
 * simple default. Training batches use drop_last (every batch has exactly batchSize rows);
 * evaluation keeps the final partial batch.
 */
import { Dataset, takeRows } from './dataset';
import { PermutationFn } from './rng';

export interface BatchOptions {
  readonly batchSize: number;
  /** Shuffle source; omitted or false keeps the dataset order. */
  readonly shuffle?: PermutationFn | false;
  /** Epoch number passed to the shuffle (0-based). */
  readonly epoch?: number;
  /** Drop the final batch when it is smaller than batchSize (used for training). */
  readonly dropLast?: boolean;
}

/** One mini-batch: the selected rows as a Dataset, plus where they came from. */
export interface Batch extends Dataset {
  /** Position of this batch within the epoch (0-based). */
  readonly index: number;
  /** Row numbers in the source dataset, in batch order. */
  readonly rows: Int32Array;
}

/** Number of batches per epoch for n examples. */
export function numBatches(n: number, batchSize: number, dropLast: boolean): number {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
  return dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
}

/** The example order for an epoch; checks that an injected permutation really is one. */
export function epochOrder(n: number, epoch: number, shuffle?: PermutationFn | false): Int32Array {
  if (!shuffle) {
    const identity = new Int32Array(n);
    for (let i = 0; i < n; i++) identity[i] = i;
    return identity;
  }
  const order = shuffle(n, epoch);
  if (order.length !== n) throw new RangeError(`shuffle returned ${order.length} indices for ${n} examples (epoch ${epoch})`);
  const seen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = order[i];
    if (k < 0 || k >= n || seen[k] === 1) throw new RangeError(`shuffle for epoch ${epoch} is not a permutation of 0..${n - 1}: index ${k} at position ${i}`);
    seen[k] = 1;
  }
  return order;
}

/** Yields the batches of one epoch. */
export function* batches(dataset: Dataset, options: BatchOptions): Generator<Batch> {
  const { batchSize, shuffle, epoch = 0, dropLast = false } = options;
  const count = numBatches(dataset.size, batchSize, dropLast);
  const order = epochOrder(dataset.size, epoch, shuffle);
  for (let b = 0; b < count; b++) {
    const rows = order.slice(b * batchSize, Math.min((b + 1) * batchSize, dataset.size));
    yield { ...takeRows(dataset, rows, `${dataset.name}#${epoch}.${b}`), index: b, rows };
  }
}
