/**
 * fit over a user's model (src/train/fitModel.ts): the parameters after a few Adam steps on a
 * linear least-squares model equal a float64 loop with the analytic gradient 2/B·Xᵀ(Xw + b − y);
 * the model state threads from step to step; a run stopped by maxSteps and resumed from `last`
 * ends bit-identical to an uninterrupted run, with the same metrics records; the run directory
 * holds the checkpoints, metrics and plot.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import { adam } from '../../src/optim/transform';
import { fitModel } from '../../src/train/fitModel';

const B = 4;
const X = [[1, 2], [0.5, -1], [-1, 0.25], [2, 1], [0, 1], [1, -0.5], [-0.5, -2], [1.5, 0.5]];
const wTrue = [0.7, -1.3];
const Y = X.map(([a, b]) => a * wTrue[0] + b * wTrue[1] + 0.2);

interface Params { w: T.Tensor<'f32'>; b: T.Tensor<'f32'> }
interface Batch { x: T.Tensor<'f32'>; y: T.Tensor<'f32'> }
const batchesOf = (): Batch[] => [0, 1].map((k) => ({ x: T.tensor(X.slice(k * B, (k + 1) * B)), y: T.tensor(Y.slice(k * B, (k + 1) * B)) }));
const init = () => ({ params: { w: T.tensor([0.1, 0.1]), b: T.tensor([0]) }, state: { n: T.scalar(0) } });
const loss = (p: Params, s: { n: T.Tensor<'f32'> }, batch: Batch) => {
  const pred = T.add(T.matmul(batch.x, p.w), p.b);
  const mse = T.mean(T.square(T.sub(pred, batch.y)));
  return { loss: mse, aux: { mae: T.mean(T.abs(T.sub(pred, batch.y))) }, state: { n: T.add(s.n, 1) } };
};

/** Float64 Adam on the analytic gradient. */
function naive(steps: number, lr: number): { w: number[]; b: number } {
  let w = [0.1, 0.1];
  let b = 0;
  const m = [0, 0, 0];
  const v = [0, 0, 0];
  for (let t = 1; t <= steps; t++) {
    const k = (t - 1) % 2;
    const xs = X.slice(k * B, (k + 1) * B);
    const ys = Y.slice(k * B, (k + 1) * B);
    const r = xs.map(([a, c], i) => a * w[0] + c * w[1] + b - ys[i]);
    const g = [(2 / B) * r.reduce((s, ri, i) => s + ri * xs[i][0], 0), (2 / B) * r.reduce((s, ri, i) => s + ri * xs[i][1], 0), (2 / B) * r.reduce((s, ri) => s + ri, 0)];
    const u = g.map((gi, i) => {
      m[i] = 0.9 * m[i] + 0.1 * gi;
      v[i] = 0.999 * v[i] + 0.001 * gi * gi;
      return (m[i] / (1 - 0.9 ** t)) / (Math.sqrt(v[i] / (1 - 0.999 ** t)) + 1e-8);
    });
    w = [w[0] - lr * u[0], w[1] - lr * u[1]];
    b -= lr * u[2];
  }
  return { w, b };
}

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'ssmjit-fit-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const common = { loss, optimizer: adam(0.05), trainBatches: batchesOf, valBatches: batchesOf, progress: false as const, log: () => {}, logEvery: 1 };

describe('fit over any model', () => {
  it.each(['eager', 'jit'] as const)('%s: Adam steps equal a float64 loop with the analytic gradient; state threads', async (execution) => {
    const r = await fitModel({ ...common, init: init(), epochs: 3, execution });
    const want = naive(6, 0.05);
    expect(r.step).toBe(6);
    Array.from(r.params.w.data64()).forEach((x, i) => expect(x).toBeCloseTo(want.w[i], 5));
    expect(r.params.b.item()).toBeCloseTo(want.b, 5);
    expect(r.state.n.item()).toBe(6);
    expect(r.metrics.filter((m) => m.split === 'train').map((m) => m.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(r.metrics.filter((m) => m.split === 'val')).toHaveLength(3);
    expect(r.metrics[0].mae).toBeGreaterThan(0);
  });

  it('a run stopped and resumed from last ends bit-identical to an uninterrupted one', async () => {
    const whole = await fitModel({ ...common, init: init(), epochs: 3, execution: 'eager', dir: tempDir() });
    const dir = tempDir();
    const first = await fitModel({ ...common, init: init(), epochs: 3, execution: 'eager', dir, maxSteps: 3 });
    expect(first.reason).toBe('max-steps');
    expect(existsSync(join(dir, 'last.safetensors'))).toBe(true);
    const second = await fitModel({ ...common, init: init(), epochs: 3, execution: 'eager', dir, resume: true });
    expect(second.reason).toBe('completed');
    expect(second.step).toBe(6);
    expect(Array.from(second.params.w.data())).toEqual(Array.from(whole.params.w.data()));
    expect(Array.from(second.params.b.data())).toEqual(Array.from(whole.params.b.data()));
    expect(second.state.n.item()).toBe(6);
    const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { split: string; step: number });
    expect(lines.filter((l) => l.split === 'train').map((l) => l.step)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const f of ['best.safetensors', 'best.json', 'last.json', 'plot.svg']) expect(existsSync(join(dir, f)), f).toBe(true);
  });

  it('stops on a non-finite loss without applying the update', async () => {
    const nanLoss = (p: Params, s: { n: T.Tensor<'f32'> }, batch: Batch) => ({ ...loss(p, s, batch), loss: T.div(T.sum(p.w), 0) });
    const r = await fitModel({ ...common, loss: nanLoss, init: init(), epochs: 1, execution: 'eager' });
    expect(r.reason).toBe('diverged');
    expect(r.message).toMatch(/training loss became Infinity at step 1/);
    expect(Array.from(r.params.w.data())).toEqual([Math.fround(0.1), Math.fround(0.1)]);
  });
});
