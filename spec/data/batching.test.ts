import { describe, expect, it } from 'vitest';
import { batches, epochOrder, numBatches } from '../../src/data/batching';
import { Dataset, checkDataset, holdOut, takeRows, withValidation } from '../../src/data/dataset';
import { seededPermutation } from '../../src/data/rng';

/** N examples of length 3 with 2 channels; example n holds the values 100n + k. */
function toy(n: number): Dataset {
  const data = Float32Array.from({ length: n * 6 }, (_, i) => 100 * Math.floor(i / 6) + (i % 6));
  const labels = Int32Array.from({ length: n }, (_, i) => i % 4);
  return { name: 'toy', size: n, seqLen: 3, inputs: { kind: 'float', data, channels: 2 }, targets: { kind: 'classes', labels, numClasses: 4 } };
}

describe('Dataset helpers', () => {
  it('takeRows copies exactly the requested examples in order', () => {
    const picked = takeRows(toy(10), [7, 2]);
    checkDataset(picked);
    expect(Array.from(picked.inputs.data)).toEqual([700, 701, 702, 703, 704, 705, 200, 201, 202, 203, 204, 205]);
    expect(picked.targets.kind === 'classes' && Array.from(picked.targets.labels)).toEqual([3, 2]);
    expect(() => takeRows(toy(3), [3])).toThrow(/row 3 outside/);
  });

  it('checkDataset rejects inconsistent arrays', () => {
    const bad = { ...toy(2), size: 3 };
    expect(() => checkDataset(bad)).toThrow(/inputs hold 12 values, expected 18/);
  });

  it('holdOut partitions the examples without overlap, deterministically', () => {
    const ds = toy(100);
    const { kept, heldOut } = holdOut(ds, { fraction: 0.1, seed: 42 });
    expect([kept.size, heldOut.size]).toEqual([90, 10]);
    const ids = (d: Dataset) => Array.from({ length: d.size }, (_, i) => d.inputs.data[i * 6] / 100);
    expect([...ids(kept), ...ids(heldOut)].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(ids(holdOut(ds, { fraction: 0.1, seed: 42 }).heldOut)).toEqual(ids(heldOut));
    expect(ids(holdOut(ds, { fraction: 0.1, seed: 43 }).heldOut)).not.toEqual(ids(heldOut));
    const splits = withValidation('toy', ds, toy(5), { fraction: 0.2, seed: 1 });
    expect([splits.train.size, splits.val.size, splits.test.size, splits.val.name]).toEqual([80, 20, 5, 'toy/val']);
  });
});

describe('batches', () => {
  it('counts batches with and without drop_last', () => {
    expect(numBatches(10, 3, true)).toBe(3);
    expect(numBatches(10, 3, false)).toBe(4);
    expect(() => numBatches(10, 0, false)).toThrow(RangeError);
  });

  it('covers every example exactly once per epoch in the injected order', () => {
    const ds = toy(10);
    const reversed = (n: number) => Int32Array.from({ length: n }, (_, i) => n - 1 - i);
    const all = [...batches(ds, { batchSize: 4, shuffle: reversed })];
    expect(all.map((b) => Array.from(b.rows))).toEqual([[9, 8, 7, 6], [5, 4, 3, 2], [1, 0]]);
    expect(all[2].inputs.data[0]).toBe(100);
    expect(all[2].targets.kind === 'classes' && Array.from(all[2].targets.labels)).toEqual([1, 0]);
  });

  it('drop_last keeps only full batches', () => {
    const sizes = [...batches(toy(10), { batchSize: 4, dropLast: true, shuffle: seededPermutation(0) })].map((b) => b.size);
    expect(sizes).toEqual([4, 4]);
  });

  it('gives the same batches for the same epoch and different ones for another epoch', () => {
    const shuffle = seededPermutation(9);
    const rows = (epoch: number) => [...batches(toy(20), { batchSize: 5, shuffle, epoch })].map((b) => Array.from(b.rows));
    expect(rows(3)).toEqual(rows(3));
    expect(rows(4)).not.toEqual(rows(3));
  });

  it('rejects an injected function that does not return a permutation', () => {
    expect(() => epochOrder(3, 0, () => Int32Array.from([0, 0, 1]))).toThrow(/not a permutation/);
    expect(() => epochOrder(3, 0, () => Int32Array.from([0, 1]))).toThrow(/2 indices for 3/);
  });

  it('carries lengths of padded datasets into batches', () => {
    const ds: Dataset = { ...toy(4), lengths: Int32Array.from([1, 2, 3, 2]) };
    const [first] = [...batches(ds, { batchSize: 2, shuffle: () => Int32Array.from([2, 0, 1, 3]) })];
    expect(Array.from(first.lengths ?? [])).toEqual([3, 1]);
  });
});
