/**
 * ssmjit/data's tensorBatches against the dataset's own arrays: rows in the order epochOrder
 * gives (dataset order without a shuffle, the seeded permutation with one), drop-last by
 * default only when shuffling, and padded final batches with weight 0 on the padding rows.
 */
import { describe, expect, it } from 'vitest';
import { addingSplits } from '../../src/data/adding';
import { epochOrder } from '../../src/data/batching';
import { seededPermutation } from '../../src/data/rng';
import { tensorBatches } from '../../src/data/tensorBatches';

const data = addingSplits({ seqLen: 5, seed: 3, nTrain: 10, nVal: 2, nTest: 2 }).train;
const rowOf = (i: number) => Array.from((data.inputs.data as Float32Array).subarray(i * 10, (i + 1) * 10));

describe('tensorBatches', () => {
  it('keeps the dataset order and the last partial batch without a shuffle', () => {
    const got = [...tensorBatches(data, { batchSize: 4 })];
    expect(got.map((b) => b.inputs.shape)).toEqual([[4, 5, 2], [4, 5, 2], [2, 5, 2]]);
    expect(Array.from(got[2].inputs.data())).toEqual([...rowOf(8), ...rowOf(9)]);
    const values = data.targets.kind === 'regression' ? data.targets.values : new Float32Array();
    expect(Array.from(got[0].targets?.kind === 'regression' ? got[0].targets.values.data() : [])).toEqual(Array.from(values.subarray(0, 4)));
  });

  it('shuffles by the seeded permutation of each epoch and drops the last partial batch', () => {
    const got = [...tensorBatches(data, { batchSize: 4, shuffle: 11, epoch: 2 })];
    expect(got).toHaveLength(2);
    const order = epochOrder(10, 2, seededPermutation(11));
    expect(Array.from(got[1].inputs.data())).toEqual([...order.subarray(4, 8)].flatMap(rowOf));
  });

  it('pads the final batch with weight-0 rows', () => {
    const last = [...tensorBatches(data, { batchSize: 4, pad: true })][2];
    expect(last.inputs.shape).toEqual([4, 5, 2]);
    expect(Array.from(last.weights.data())).toEqual([1, 1, 0, 0]);
    expect(last.real).toBe(2);
  });
});
