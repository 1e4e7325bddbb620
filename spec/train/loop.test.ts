/**
 * The training loop end to end on a tiny model (L = 8): the loss goes down (eager and
 * compiled); the run directory gets metrics, a plot and checkpoints, and the reported test
 * score is the one recorded at the best validation epoch; a non-finite loss stops the run with
 * a clear message and keeps the last good checkpoint untouched.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset';
import { readMetrics } from '../../src/io/metrics';
import { openCheckpoint, snapshotOf } from '../../src/train/checkpointing';
import { fit, freshSnapshot } from '../../src/train/loop';
import { setupRun } from '../../src/train/setup';
import { tinyRunConfig, toyTask } from './helpers';

const root = mkdtempSync(join(tmpdir(), 'ssmjit-loop-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe.each(['eager', 'jit'] as const)('a short run (%s)', (execution) => {
  it('decreases the training loss', async () => {
    const config = tinyRunConfig({ epochs: 3, warmupEpochs: 0 }, execution);
    const setup = setupRun(config);
    const losses: number[] = [];
    const result = await fit(config, setup, toyTask(), freshSnapshot(config, setup), { progress: false, onStep: (s) => losses.push(s.loss) });
    expect(result.reason).toBe('completed');
    expect(losses).toHaveLength(9);
    expect(mean(losses.slice(-3))).toBeLessThan(0.8 * mean(losses.slice(0, 3)));
  });
});

describe('run directory', () => {
  it('holds metrics, a plot and checkpoints; the test score is the one at the best validation epoch', async () => {
    const config = tinyRunConfig({ epochs: 3 });
    const setup = setupRun(config);
    const dir = join(root, 'files');
    const result = await fit(config, setup, toyTask(), freshSnapshot(config, setup), { dir, progress: false, logEvery: 2 });
    for (const file of ['metrics.jsonl', 'plot.svg', 'last.safetensors', 'last.json', 'best.safetensors']) expect(existsSync(join(dir, file)), file).toBe(true);
    expect(readFileSync(join(dir, 'plot.svg'), 'utf8')).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*<\/svg>/);

    const records = readMetrics(join(dir, 'metrics.jsonl'));
    const train = records.filter((r) => r.split === 'train');
    expect(train.map((r) => r.step)).toEqual([2, 4, 6, 8]);
    const val = records.filter((r) => r.split === 'val');
    expect(val.map((r) => r.epoch)).toEqual([1, 2, 3]);
    const bestAccuracy = Math.max(...val.map((r) => r.accuracy as number));
    const bestEpoch = val.find((r) => r.accuracy === bestAccuracy)?.epoch;
    const { history } = result.snapshot;
    expect(history.bestEpoch).toBe(bestEpoch);
    expect(history.bestValAccuracy).toBe(bestAccuracy);
    const testAtBest = records.find((r) => r.split === 'test' && r.epoch === bestEpoch);
    expect(history.testAtBest).toEqual({ loss: testAtBest?.loss, accuracy: testAtBest?.accuracy });
    expect(openCheckpoint(join(dir, 'best')).loaded.epoch).toBe(bestEpoch);
  });
});

describe('divergence', () => {
  it('stops at a non-finite loss with a message and keeps the last good checkpoint', async () => {
    const config = tinyRunConfig({ epochs: 2 });
    const setup = setupRun(config);
    const dir = join(root, 'diverge');
    const data = toyTask();
    // Two epochs train normally and save `last` (6 steps).
    const first = await fit(config, setup, data, freshSnapshot(config, setup), { dir, progress: false });
    expect(first.reason).toBe('completed');
    const saved = readFileSync(join(dir, 'last.safetensors'));

    const poisoned: Dataset = { ...data.train, inputs: { kind: 'float', data: new Float32Array(data.train.inputs.data.length).fill(NaN), channels: 1 } };
    const more = { ...config, optim: { ...config.optim, epochs: 3 } };
    const resumed = snapshotOf(openCheckpoint(join(dir, 'last')), setup.initial);
    const result = await fit(more, setup, { ...data, train: poisoned }, { ...resumed, config: more }, { dir, progress: false });
    expect(result.reason).toBe('diverged');
    expect(result.message).toMatch(/training loss became NaN at step 7 \(epoch 3\)/);
    expect(result.snapshot.step).toBe(6);
    expect(readFileSync(join(dir, 'last.safetensors')).equals(saved)).toBe(true);
  });

  it('stops with the message when the loss is non-finite before anything was saved', async () => {
    const config = tinyRunConfig({ epochs: 2 });
    const setup = setupRun(config);
    const dir = join(root, 'diverge-at-once', 'run');
    const data = toyTask();
    const poisoned: Dataset = { ...data.train, inputs: { kind: 'float', data: new Float32Array(data.train.inputs.data.length).fill(NaN), channels: 1 } };
    const result = await fit(config, setup, { ...data, train: poisoned }, freshSnapshot(config, setup), { dir, progress: false });
    expect(result.reason).toBe('diverged');
    expect(result.message).toMatch(/training loss became NaN at step 1 \(epoch 1\)/);
    expect(existsSync(join(dir, 'last.safetensors'))).toBe(false);
    expect(existsSync(join(dir, 'plot.svg'))).toBe(true);
  });
});

describe('non-finite scores and states (issue 10, item 6)', () => {
  it('a non-finite validation loss after a finite training loss is never saved as best or last', async () => {
    // One step per epoch (batch = training set): epoch 1 trains normally and saves best and last.
    const config = tinyRunConfig({ epochs: 1, batchSize: 24, warmupEpochs: 0 });
    const setup = setupRun(config);
    const dir = join(root, 'nan-validation');
    const data = toyTask();
    expect((await fit(config, setup, data, freshSnapshot(config, setup), { dir, progress: false })).reason).toBe('completed');
    const best = readFileSync(join(dir, 'best.safetensors'));
    const last = readFileSync(join(dir, 'last.safetensors'));
    // Epoch 2 with a huge rate: its one step has a finite loss, its update does not.
    const wild = { ...config, optim: { ...config.optim, epochs: 2, lr: 1e30, ssmLr: 1e30 } };
    const resumed = snapshotOf(openCheckpoint(join(dir, 'last')), setup.initial);
    const lines: string[] = [];
    const result = await fit(wild, setup, data, { ...resumed, config: wild }, { dir, progress: false, log: (l) => lines.push(l) });
    expect(result.reason).toBe('diverged');
    expect(result.message).toMatch(/^the validation scores after epoch 2 \(step 2\) are not finite \(loss (NaN|-?Infinity)/);
    expect(lines.join('\n')).not.toContain('best so far');
    expect(readFileSync(join(dir, 'best.safetensors')).equals(best)).toBe(true);
    expect(readFileSync(join(dir, 'last.safetensors')).equals(last)).toBe(true);
    expect(readMetrics(join(dir, 'metrics.jsonl')).filter((r) => r.split === 'val').map((r) => r.step)).toEqual([1]);
  });

  it('a state that turned non-finite is not saved when the run stops early', async () => {
    const config = tinyRunConfig({ epochs: 2, warmupEpochs: 0, lr: 1e39, ssmLr: 1e39, maxSteps: 1 });
    const setup = setupRun(config);
    const dir = join(root, 'nan-state');
    const result = await fit(config, setup, toyTask(), freshSnapshot(config, setup), { dir, progress: false });
    expect(result.reason).toBe('diverged');
    expect(result.message).toMatch(/the training state became non-finite at step 1 \(epoch 1\): params\.\S+ holds (NaN|-?Infinity); nothing was saved from it/);
    expect(existsSync(join(dir, 'last.safetensors'))).toBe(false);
  });
});

describe('stopping (issue 10, item 1)', () => {
  it('a stop requested during the evaluation leaves the epoch open; the resumed run evaluates it', async () => {
    const config = tinyRunConfig({ epochs: 2 });
    const data = toyTask();
    const setupA = setupRun(config);
    const a = await fit(config, setupA, data, freshSnapshot(config, setupA), { progress: false });
    const dir = join(root, 'stop-in-eval');
    const setupB = setupRun(config);
    let steps = 0;
    let checks = 0;
    // Stop at the first check after the third step, which is inside epoch 1's evaluation.
    const b = await fit(config, setupB, data, freshSnapshot(config, setupB), {
      dir, progress: false, onStep: () => (steps += 1), shouldStop: () => steps === 3 && ++checks > 1,
    });
    expect(b.reason).toBe('interrupted');
    expect([b.snapshot.step, b.snapshot.epoch]).toEqual([3, 0]);
    expect(existsSync(join(dir, 'best.safetensors'))).toBe(false);
    const setupC = setupRun(config);
    const c = await fit(config, setupC, data, snapshotOf(openCheckpoint(join(dir, 'last')), setupC.initial), { dir, progress: false });
    expect(c.snapshot.history).toEqual(a.snapshot.history);
    expect(readMetrics(join(dir, 'metrics.jsonl')).map((r) => `${r.split}@${r.step}`)).toEqual(a.metrics.map((r) => `${r.split}@${r.step}`));
  });

  it('yields to the event loop between steps, so a timer (or a signal handler) runs during training', async () => {
    const config = tinyRunConfig({ epochs: 2 });
    const setup = setupRun(config);
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 0);
    let seenAtStep3 = -1;
    try {
      await fit(config, setup, toyTask(), freshSnapshot(config, setup), { progress: false, onStep: (s) => s.step === 3 && (seenAtStep3 = ticks) });
    } finally {
      clearInterval(timer);
    }
    expect(seenAtStep3).toBeGreaterThan(0);
  });
});
