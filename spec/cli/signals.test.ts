/**
 * Ctrl-C on a real `ssmjit train` process (issue 10, item 1). The first SIGINT stops the run
 * within a step, saves a resumable `last` checkpoint at that step, says so and exits 130; the
 * run then resumes from it. A second SIGINT while the first is being honoured quits at once,
 * and every file it leaves is complete (the checkpoints and metrics still load).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../src/io/checkpoint';
import { readMetrics } from '../../src/io/metrics';
import { toyDataset } from '../train/helpers';
import { cliBundle, removeCliBundle, runCli, startCli, writeNdjson } from './cliProcess';

const root = mkdtempSync(join(tmpdir(), 'ssmjit-signals-'));
const trainFile = join(root, 'train.ndjson');
const longFile = join(root, 'long.ndjson');
const tiny = ['--layers', '1', '--d-model', '4', '--ssm-size', '4', '--blocks', '1', '--batch-size', '4', '--no-jit'];

beforeAll(() => {
  cliBundle();
  writeNdjson(trainFile, toyDataset('train', 40, 8, 5));
  // Longer sequences and a wider model: steps of tens of milliseconds, so a second Ctrl-C
  // arrives while the first one's step is still running.
  writeNdjson(longFile, toyDataset('long', 20, 300, 6));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  removeCliBundle();
});

describe('Ctrl-C during ssmjit train', () => {
  it('stops within a step, saves a resumable checkpoint, says so and exits 130', async () => {
    const out = join(root, 'once');
    const run = startCli(['train', '--task', 'ndjson', '--data', trainFile, ...tiny, '--epochs', '1000', '--out', out, '--name', 'r']);
    await run.waitFor('epoch 2/1000');
    const sent = Date.now();
    run.child.kill('SIGINT');
    const done = await run.done;
    const seconds = (Date.now() - sent) / 1000;
    expect(done.code, done.stderr).toBe(130);
    expect(seconds).toBeLessThan(5);
    const said = /interrupted at step (\d+) \(epoch (\d+)\); the resumable checkpoint is (\S+)/.exec(done.stderr);
    expect(said, done.stderr).not.toBeNull();
    const step = Number(said?.[1]);
    expect(said?.[3]).toBe(join(out, 'r', 'last'));
    const saved = readCheckpoint(join(out, 'r'), 'last');
    expect(saved._tag === 'Right' && saved.right.step).toBe(step);
    expect(existsSync(join(out, 'r', 'run.lock'))).toBe(false);

    const resumed = await runCli(['train', '--resume', join(out, 'r', 'last'), '--max-steps', String(step + 3), '--quiet']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = readCheckpoint(join(out, 'r'), 'last');
    expect(after._tag === 'Right' && after.right.step).toBe(step + 3);
  });

  it('a second Ctrl-C quits at once and leaves only complete files', async () => {
    const out = join(root, 'twice');
    // Two steps per epoch of a few hundred milliseconds each (interpreted steps are synchronous:
    // signals are handled when the step ends). Both Ctrl-Cs arrive during the first step of
    // epoch 2 (after epoch 1 saved its checkpoints), the way two quick presses on a terminal do.
    const run = startCli(['train', '--task', 'ndjson', '--data', longFile, '--layers', '2', '--d-model', '24', '--ssm-size', '24', '--blocks', '2', '--batch-size', '8', '--no-jit', '--epochs', '1000', '--out', out, '--name', 'r']);
    await run.waitFor('epoch 1/1000: validation');
    run.child.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 40));
    run.child.kill('SIGINT');
    const done = await run.done;
    expect(done.code, done.stderr).toBe(130);
    expect(done.stderr).toContain('second Ctrl-C: quitting now');
    expect(done.stderr).not.toContain('interrupted at step');
    const dir = join(out, 'r');
    // The files of epoch 1 (step 2) are there and whole; nothing of the abandoned step was saved.
    for (const name of ['last', 'best']) {
      const loaded = readCheckpoint(dir, name);
      expect(loaded._tag === 'Left' ? loaded.left.message : loaded.right.step, name).toBe(2);
    }
    expect(readMetrics(join(dir, 'metrics.jsonl')).map((r) => `${r.split}@${r.step}`)).toEqual(['val@2']);
    expect(readdirSync(dir).filter((f) => f === 'run.lock')).toEqual([]);
  });
});
