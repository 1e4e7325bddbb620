/**
 * The user-model path end to end, with examples/lru.ts:
 * - the LRU layer against a float64 loop of its recurrence (x_t = λx_{t−1} + γBu_t, y = Re(Cx) + Du);
 * - a few training steps lower the validation loss of the adding problem (fit over the file's
 *   init/apply, loaded through the same bundling the command uses);
 * - `ssmjit train --model ./examples/lru.ts` → `eval` → `predict` as child processes: eval of
 *   `best` on the validation split prints the best validation loss training reported, and its
 *   test loss equals the mean squared error computed here from predict's outputs and the task's
 *   targets (separate code paths over the same file).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import { addingSplits } from '../../src/data/adding';
import { loadModelFile } from '../../src/usermodel/load';
import { evaluateUserModel, initUserModel, modelInfo, trainUserModel } from '../../src/usermodel/run';
import { applyLRU, initLRU } from '../../examples/lru';
import { removeCliBundle, runCli, startCli } from '../cli/cliProcess';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'ssmjit-lru-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  removeCliBundle();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const v = (t: T.Tensor) => Array.from(t.data64());

describe('examples/lru.ts', () => {
  it('the LRU layer equals a float64 loop of its recurrence', () => {
    const [H, P, B, L] = [3, 4, 2, 5];
    const p = initLRU(T.random.key(3), H, P);
    const u = T.random.normal(T.random.key(4), [B, L, H]);
    const got = v(applyLRU(p, u));
    const [nu, th, ga, Bre, Bim, Cre, Cim, D, uu] = [p.nu_log, p.theta_log, p.gamma_log, p.B_re, p.B_im, p.C_re, p.C_im, p.D, u].map(v);
    for (let b = 0; b < B; b++) {
      const xr = new Array(P).fill(0);
      const xi = new Array(P).fill(0);
      for (let t = 0; t < L; t++) {
        const ut = uu.slice((b * L + t) * H, (b * L + t + 1) * H);
        for (let k = 0; k < P; k++) {
          const mod = Math.exp(-Math.exp(nu[k]));
          const ang = Math.exp(th[k]);
          const [lr, li] = [mod * Math.cos(ang), mod * Math.sin(ang)];
          let br = 0;
          let bi = 0;
          for (let h = 0; h < H; h++) {
            br += Math.exp(ga[k]) * Bre[k * H + h] * ut[h];
            bi += Math.exp(ga[k]) * Bim[k * H + h] * ut[h];
          }
          [xr[k], xi[k]] = [lr * xr[k] - li * xi[k] + br, lr * xi[k] + li * xr[k] + bi];
        }
        for (let h = 0; h < H; h++) {
          let y = D[h] * ut[h];
          for (let k = 0; k < P; k++) y += Cre[h * P + k] * xr[k] - Cim[h * P + k] * xi[k];
          expect(got[(b * L + t) * H + h]).toBeCloseTo(y, 9);
        }
      }
    }
  });

  it('a few training steps lower the validation loss (adding problem)', async () => {
    const loaded = await loadModelFile('examples/lru.ts');
    const data = addingSplits({ seqLen: 16, seed: 5, nTrain: 128, nVal: 64, nTest: 16 });
    const info = modelInfo(data.train);
    const { params, state } = initUserModel(loaded, info, 0);
    const before = await evaluateUserModel(loaded.model, info, loaded.file, params, state, data.val, 32);
    const r = await trainUserModel(loaded, data, {
      batchSize: 16, epochs: 4, lr: 0.005, weightDecay: 0, clipNorm: 0, decay: 'constant', warmupEpochs: 0, lrMin: 0, seed: 0,
      execution: 'jit', config: {}, logEvery: 8, progress: false,
    });
    expect(r.step).toBe(32);
    const after = await evaluateUserModel(loaded.model, info, loaded.file, r.params, r.state, data.val, 32);
    expect(after.loss).toBeLessThan(0.8 * before.loss);
  });

  it('train --model ./examples/lru.ts → eval → predict: eval\'s test loss is the MSE of predict\'s outputs', async () => {
    const out = tempDir();
    const task = ['--task', 'adding', '--seq-len', '20', '--n-train', '64', '--n-val', '32', '--n-test', '32', '--seed', '1919'];
    const trained = await runCli(['train', '--model', './examples/lru.ts', ...task, '--epochs', '2', '--batch-size', '16', '--out', out, '--name', 'lru', '--quiet']);
    expect(trained.stderr).toBe('');
    expect(trained.code).toBe(0);
    expect(trained.stdout).toMatch(/^trained 8 steps \(completed\); best validation loss [\d.]+; checkpoints in /);
    // The restored checkpoint scores the validation set as training did when it saved `best`.
    const bestVal = /best validation loss ([\d.]+)/.exec(trained.stdout)?.[1];
    const evaluatedVal = await runCli(['eval', '--checkpoint', join(out, 'lru', 'best'), '--split', 'val']);
    expect(evaluatedVal.stdout).toBe(`val: loss ${bestVal} (32 examples of adding/val)\n`);
    const evaluated = await runCli(['eval', '--checkpoint', join(out, 'lru', 'best'), '--split', 'test']);
    expect(evaluated.code).toBe(0);
    const testLoss = Number(/^test: loss ([\d.]+) \(32 examples of adding\/test\)/.exec(evaluated.stdout)?.[1]);

    // The same test split, written as a prediction input; targets computed from the task here.
    const test = addingSplits({ seqLen: 20, seed: 1919, nTrain: 64, nVal: 32, nTest: 32 }).test;
    const xs = test.inputs.data as Float32Array;
    const input = join(out, 'test.ndjson');
    writeFileSync(input, Array.from({ length: test.size }, (_, i) => JSON.stringify({ sequence: Array.from({ length: 20 }, (_, t) => [xs[(i * 20 + t) * 2], xs[(i * 20 + t) * 2 + 1]]) })).join('\n'));
    const predicted = await runCli(['predict', '--checkpoint', join(out, 'lru', 'best'), '--input', input, '--channels', '2']);
    expect(predicted.code).toBe(0);
    const preds = predicted.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { prediction: number[] }).prediction[0]);
    const targets = test.targets.kind === 'regression' ? Array.from(test.targets.values) : [];
    const mse = preds.reduce((s, p, i) => s + (p - targets[i]) ** 2, 0) / preds.length;
    expect(testLoss).toBeCloseTo(mse, 4);
    expect(JSON.parse(readFileSync(join(out, 'lru', 'best.json'), 'utf8')).config.fit.userModel.file).toMatch(/examples\/lru\.ts$/);
  }, 180_000);

  it('a run stopped by --max-steps and resumed from last ends where an uninterrupted run does', async () => {
    const out = tempDir();
    const common = ['--model', './examples/lru.ts', '--task', 'adding', '--seq-len', '12', '--n-train', '64', '--n-val', '32', '--n-test', '32', '--epochs', '2', '--batch-size', '16', '--out', out, '--quiet'];
    expect((await runCli(['train', ...common, '--name', 'whole'])).code).toBe(0);
    const stopped = await runCli(['train', ...common, '--name', 'parts', '--max-steps', '5']);
    expect(stopped.stdout).toMatch(/^trained 5 steps \(max-steps\)/);
    const resumed = await runCli(['train', '--model', './examples/lru.ts', '--resume', join(out, 'parts', 'last'), '--max-steps', '100', '--quiet']);
    expect(resumed.stderr).toBe('');
    expect(resumed.stdout).toMatch(/^trained 8 steps \(completed\)/);
    const score = async (run: string) => (await runCli(['eval', '--checkpoint', join(out, run, 'last'), '--split', 'val'])).stdout;
    const whole = await score('whole');
    expect(whole).toMatch(/^val: loss [\d.]+ \(32 examples of adding\/val\)\n$/);
    expect(await score('parts')).toBe(whole);
    const steps = (run: string) => readFileSync(join(out, run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { split: string; step: number }).filter((r) => r.split === 'train').map((r) => r.step);
    expect(steps('parts')).toEqual(steps('whole'));
  }, 180_000);

  it('Ctrl-C stops a model file run after a step, saves last and exits 130', async () => {
    const out = tempDir();
    const run = startCli(['train', '--model', './examples/lru.ts', '--task', 'adding', '--seq-len', '12', '--n-train', '64', '--n-val', '16', '--n-test', '16', '--epochs', '1000', '--batch-size', '16', '--out', out, '--name', 'r']);
    await run.waitFor('epoch 2/1000');
    run.child.kill('SIGINT');
    const done = await run.done;
    expect(done.code).toBe(130);
    expect(done.stderr).toMatch(/interrupted at step \d+; resume with: ssmjit train --model \.\/examples\/lru\.ts --resume .*r\/last/);
    const record = JSON.parse(readFileSync(join(out, 'r', 'last.json'), 'utf8')) as { step: number };
    expect(done.stderr).toContain(`interrupted at step ${record.step};`);
  }, 180_000);
});
