import { describe, expect, it } from 'vitest';
import { addingDataset, addingSplits } from '../../src/data/adding';

describe('adding problem', () => {
  const T = 50;
  const ds = addingDataset('adding', 2000, T, 7);

  it('has two channels: U[0,1) values and exactly two markers, one in each half', () => {
    expect(ds.inputs.kind === 'float' && ds.inputs.channels).toBe(2);
    const x = ds.inputs.data;
    const problems: string[] = [];
    for (let n = 0; n < ds.size; n++) {
      const marks: number[] = [];
      for (let t = 0; t < T; t++) {
        const v = x[(n * T + t) * 2];
        if (!(v >= 0 && v < 1)) problems.push(`value ${v} at ${n},${t}`);
        const m = x[(n * T + t) * 2 + 1];
        if (m === 1) marks.push(t);
        else if (m !== 0) problems.push(`marker ${m} at ${n},${t}`);
      }
      if (marks.length !== 2 || marks[0] >= T / 2 || marks[1] < T / 2) problems.push(`markers ${marks} in example ${n}`);
    }
    expect(problems).toEqual([]);
  });

  it('targets are the sums of the marked values (recomputed by a direct scan)', () => {
    const x = ds.inputs.data;
    const y = ds.targets.kind === 'regression' ? ds.targets.values : new Float32Array();
    let worst = 0;
    for (let n = 0; n < ds.size; n++) {
      let sum = 0;
      for (let t = 0; t < T; t++) sum += x[(n * T + t) * 2] * x[(n * T + t) * 2 + 1];
      worst = Math.max(worst, Math.abs(y[n] - sum));
    }
    expect(worst).toBeLessThan(1e-6);
  });

  it('predicting 1 gives a mean squared error near the known 1/6, and values have mean 1/2', () => {
    const y = ds.targets.kind === 'regression' ? ds.targets.values : new Float32Array();
    const mse = y.reduce((acc, v) => acc + (v - 1) ** 2, 0) / y.length;
    expect(mse).toBeGreaterThan(1 / 6 - 0.015); // standard error ~0.004 for 2000 samples
    expect(mse).toBeLessThan(1 / 6 + 0.015);
    let mean = 0;
    for (let i = 0; i < ds.inputs.data.length; i += 2) mean += ds.inputs.data[i];
    expect(mean / (ds.inputs.data.length / 2)).toBeCloseTo(0.5, 2);
  });

  it('is deterministic per seed; train, val and test differ', () => {
    expect(addingDataset('a', 5, 10, 1).inputs.data).toEqual(addingDataset('b', 5, 10, 1).inputs.data);
    const splits = addingSplits({ seqLen: 10, seed: 1, nTrain: 5, nVal: 5, nTest: 5 });
    expect(splits.train.inputs.data).not.toEqual(splits.val.inputs.data);
    expect(splits.val.inputs.data).not.toEqual(splits.test.inputs.data);
    expect(() => addingDataset('a', 1, 1, 0)).toThrow(/seqLen/);
  });
});
