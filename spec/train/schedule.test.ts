/**
 * Learning-rate schedules against their closed forms, and the `s5Quirks` variant against a
 * step-by-step simulation of S5's loop (the rate is a variable written after each step).
 */
import { describe, expect, it } from 'vitest';
import { type Schedule, checkSchedule, learningRate } from '../../src/train/schedule';

const base = 0.004;
const cosine: Schedule = { decay: 'cosine', warmupSteps: 10, totalSteps: 50, lrMin: 1e-4 };

describe('warm-up', () => {
  it('rises linearly to the base rate over the warm-up steps', () => {
    for (let k = 0; k < 10; k++) expect(learningRate(cosine, base, k)).toBeCloseTo((base * (k + 1)) / 10, 15);
    expect(learningRate(cosine, base, 9)).toBeCloseTo(base, 15);
  });
});

describe('decay after warm-up', () => {
  it('cosine: base at the first decay step, the midpoint value half way, lrMin at the end', () => {
    expect(learningRate(cosine, base, 10)).toBeCloseTo(base, 15);
    expect(learningRate(cosine, base, 30)).toBeCloseTo((base + 1e-4) / 2, 15);
    expect(learningRate(cosine, base, 50)).toBeCloseTo(1e-4, 15);
    expect(learningRate(cosine, base, 80)).toBeCloseTo(1e-4, 15); // clamped past the end
    // A quarter of the way: lrMin + (base − lrMin)·½(1 + cos(π/4)).
    expect(learningRate(cosine, base, 20)).toBeCloseTo(1e-4 + (base - 1e-4) * 0.5 * (1 + Math.SQRT1_2), 15);
  });

  it('linear: falls by equal amounts to lrMin', () => {
    const linear: Schedule = { ...cosine, decay: 'linear' };
    expect(learningRate(linear, base, 10)).toBeCloseTo(base, 15);
    expect(learningRate(linear, base, 20)).toBeCloseTo(1e-4 + (base - 1e-4) * 0.75, 15);
    expect(learningRate(linear, base, 50)).toBeCloseTo(1e-4, 15);
  });

  it('constant: the base rate after warm-up', () => {
    const constant: Schedule = { ...cosine, decay: 'constant' };
    expect(learningRate(constant, base, 10)).toBe(base);
    expect(learningRate(constant, base, 49)).toBe(base);
  });

  it('without warm-up the decay starts at step 0', () => {
    const s: Schedule = { decay: 'cosine', warmupSteps: 0, totalSteps: 4, lrMin: 0 };
    expect([0, 1, 2, 3].map((k) => learningRate(s, 1, k))).toEqual([1, 0.5 * (1 + Math.cos(Math.PI / 4)), 0.5, 0.5 * (1 + Math.cos((3 * Math.PI) / 4))].map((x) => expect.closeTo(x, 15)));
  });
});

describe('s5Quirks', () => {
  /** S5's loop: lr starts at base; after step s it is set from s (warm-up while s is inside the warm-up epochs, else cosine over the global step). */
  function simulateS5(stepsPerEpoch: number, epochs: number, warmupEnd: number, lrMin: number, b: number): number[] {
    const used: number[] = [];
    let lr = b;
    const T = stepsPerEpoch * (epochs - warmupEnd);
    let step = 0;
    for (let epoch = 0; epoch < epochs; epoch++) {
      for (let i = 0; i < stepsPerEpoch; i++) {
        used.push(lr);
        if (epoch < warmupEnd) lr = (b * (step + 1)) / (stepsPerEpoch * warmupEnd);
        else lr = (b - lrMin) * 0.5 * (1 + Math.cos((Math.PI * Math.min(step, T)) / T)) + lrMin;
        step += 1;
      }
    }
    return used;
  }

  it('reproduces the lagged update and the global-step cosine', () => {
    const [spe, epochs, warmupEnd, lrMin] = [5, 4, 1, 1e-4];
    const s: Schedule = { decay: 'cosine', warmupSteps: spe * warmupEnd, totalSteps: spe * epochs, lrMin, s5Quirks: true };
    const expected = simulateS5(spe, epochs, warmupEnd, lrMin, base);
    expected.forEach((lr, k) => expect(learningRate(s, base, k)).toBeCloseTo(lr, 15));
    // The first step runs at the base rate, and the cosine bottoms out warm-up steps early.
    expect(learningRate(s, base, 0)).toBe(base);
    expect(learningRate(s, base, spe * epochs - spe + 1)).toBeCloseTo(lrMin, 15);
  });
});

describe('checkSchedule', () => {
  it('rejects a negative warm-up, an empty run and a negative lrMin', () => {
    expect(() => checkSchedule({ ...cosine, warmupSteps: -1 })).toThrow(/warmupSteps/);
    expect(() => checkSchedule({ ...cosine, totalSteps: 0 })).toThrow(/totalSteps/);
    expect(() => checkSchedule({ ...cosine, lrMin: -1 })).toThrow(/lrMin/);
  });
});
