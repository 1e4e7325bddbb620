/**
 * Datasets as iterables of tensor batches, for user training loops: every epoch's order comes
 * from a seed (or the dataset order), each batch is the tensors a step takes (inputs f32[B, L, C]
 * or i32[B, L] token ids, labels i32[B] or values f32[B, dim], lengths i32[B], weights f32[B]).
 */
import { type BatchTensors, batchTensors } from '../train/batchTensors';
import { batches } from './batching';
import type { Dataset } from './dataset';
import { seededPermutation } from './rng';

export interface TensorBatchOptions {
  readonly batchSize: number;
  /** Seed of the shuffle (a new order every epoch); false or omitted keeps the dataset order. */
  readonly shuffle?: number | false;
  /** 0-based epoch (selects the shuffle order). */
  readonly epoch?: number;
  /** Drop the final, smaller batch (default true when shuffling, as for training). */
  readonly dropLast?: boolean;
  /** Pad a final, smaller batch to batchSize rows with weight 0 (keeps one compiled shape). */
  readonly pad?: boolean;
}

/** One epoch of `dataset` as tensor batches. */
export function* tensorBatches(dataset: Dataset, options: TensorBatchOptions): Generator<BatchTensors & { readonly index: number; readonly real: number }> {
  const shuffle = options.shuffle === undefined || options.shuffle === false ? false : seededPermutation(options.shuffle);
  const dropLast = options.dropLast ?? shuffle !== false;
  for (const batch of batches(dataset, { batchSize: options.batchSize, shuffle, epoch: options.epoch ?? 0, dropLast })) {
    yield { ...batchTensors(batch, options.pad ? options.batchSize : undefined), index: batch.index };
  }
}
