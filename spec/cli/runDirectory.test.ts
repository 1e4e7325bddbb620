/**
 * The run directory of `ssmjit train` (issue 10, items 3 to 7): resuming from `best` continues
 * in a new directory and leaves `last` alone; a run holds the directory's lock (a second run is
 * refused naming the holder, a dead holder's lock is taken over); metrics.jsonl is rolled back to
 * the checkpoint's step on resume (no duplicates, torn lines repaired) and starts empty for a
 * fresh run; a diverged state is never saved and the message names the finite checkpoint kept;
 * a resumed run continues on the backend it was trained on.
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keptCheckpointLine } from '../../src/cli/commands/train';
import { main } from '../../src/cli/main';
import { readCheckpoint, saveCheckpoint } from '../../src/io/checkpoint';
import { readMetrics } from '../../src/io/metrics';
import { LOCK_FILE } from '../../src/io/runLock';
import { toyDataset } from '../train/helpers';
import { cliBundle, removeCliBundle, startCli, writeNdjson } from './cliProcess';

const root = mkdtempSync(join(tmpdir(), 'ssmjit-rundir-'));
const trainFile = join(root, 'train.ndjson');
const tiny = ['--layers', '1', '--d-model', '4', '--ssm-size', '4', '--blocks', '1', '--batch-size', '4', '--quiet'];

beforeAll(() => writeNdjson(trainFile, toyDataset('train', 30, 8, 11)));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  removeCliBundle();
});

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

/** A fresh run's arguments: the tiny model's flags, those of `more` replacing them. */
const fresh = (out: string, name: string, ...more: string[]) => {
  const base = [...tiny, ...(more.includes('--jit') ? [] : ['--no-jit'])];
  const kept = base.filter((arg, i) => !(arg.startsWith('--') && more.includes(arg)) && !(i > 0 && more.includes(base[i - 1]) && !arg.startsWith('--')));
  return ['train', '--task', 'ndjson', '--data', trainFile, ...kept, '--out', out, '--name', name, ...more];
};

function stepOf(dir: string, name: string): number {
  const loaded = readCheckpoint(dir, name);
  if (loaded._tag === 'Left') throw loaded.left;
  return loaded.right.step;
}

describe('--resume from best', () => {
  it('continues in a new run directory and leaves the finished run untouched', async () => {
    const out = join(root, 'branch');
    expect((await run(...fresh(out, 'r', '--epochs', '3'))).code).toBe(0);
    const dir = join(out, 'r');
    const last = readFileSync(join(dir, 'last.safetensors'));
    const metrics = readFileSync(join(dir, 'metrics.jsonl'));
    const bestStep = stepOf(dir, 'best');
    const resumed = await run('train', '--resume', join(dir, 'best'), '--epochs', '4', '--quiet');
    expect(resumed.code, resumed.err).toBe(0);
    expect(readFileSync(join(dir, 'last.safetensors')).equals(last)).toBe(true);
    expect(readFileSync(join(dir, 'metrics.jsonl')).equals(metrics)).toBe(true);
    const branch = join(out, `r-from-best-step${bestStep}`);
    expect(resumed.out).toContain(`run directory: ${branch}`);
    expect(stepOf(branch, 'last')).toBe(4 * 6);
    // The branch's metrics are the original's up to the checkpoint, then its own.
    const steps = readMetrics(join(branch, 'metrics.jsonl')).filter((r) => r.split === 'val').map((r) => r.step);
    expect(steps).toEqual([...Array.from({ length: bestStep / 6 }, (_, i) => 6 * (i + 1)), ...Array.from({ length: 4 - bestStep / 6 }, (_, i) => bestStep + 6 * (i + 1))]);
  });

  it('--name chooses the new directory; the original one is refused', async () => {
    const out = join(root, 'named');
    expect((await run(...fresh(out, 'r', '--epochs', '2'))).code).toBe(0);
    const best = join(out, 'r', 'best');
    const refused = await run('train', '--resume', best, '--name', 'r', '--quiet');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`resuming ${best} in its own run directory would overwrite ${join(out, 'r', 'last')}`);
    const named = await run('train', '--resume', best, '--name', 'again', '--epochs', '3', '--quiet');
    expect(named.code, named.err).toBe(0);
    expect(stepOf(join(out, 'again'), 'last')).toBe(18);
  });
});

describe('a run killed before its first `last`', () => {
  it('(between saving best and last) is started again under the same name, with a warning', async () => {
    const out = join(root, 'best-only');
    expect((await run(...fresh(out, 'r', '--epochs', '1'))).code).toBe(0);
    rmSync(join(out, 'r', 'last.safetensors'));
    rmSync(join(out, 'r', 'last.json'));
    const again = await run(...fresh(out, 'r', '--epochs', '1'));
    expect(again.code, again.err).toBe(0);
    expect(again.err).toContain(`warning: ${join(out, 'r')} holds a best checkpoint but no last one`);
    expect(stepOf(join(out, 'r'), 'last')).toBe(6);
  });
});

describe('the run directory lock', () => {
  it('refuses a second run into a directory a live process holds, naming it', async () => {
    const dir = join(root, 'locked', 'r');
    mkdirSync(dir, { recursive: true });
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: holder.pid, host: hostname(), started: '2026-01-01T00:00:00Z', command: 'ssmjit train (the other one)', token: 'x' }));
      const second = await run(...fresh(join(root, 'locked'), 'r', '--epochs', '1'));
      expect(second.code).toBe(1);
      expect(second.err).toContain(`${join(dir, LOCK_FILE)}: the run directory is in use by process ${holder.pid} on ${hostname()}`);
      expect(second.err).toContain('ssmjit train (the other one)');
      expect(existsSync(join(dir, 'metrics.jsonl'))).toBe(false);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it("takes over the lock of a process that no longer runs", async () => {
    const dir = join(root, 'stale', 'r');
    mkdirSync(dir, { recursive: true });
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: Number(dead), host: hostname(), started: '2026-01-01T00:00:00Z', command: 'killed', token: 'y' }));
    const r = await run(...fresh(join(root, 'stale'), 'r', '--epochs', '1').filter((a) => a !== '--quiet'));
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(`removed the lock of process ${dead}`);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });

  it('two real processes: the second is refused while the first trains to the end', async () => {
    cliBundle();
    const out = join(root, 'two');
    const first = startCli(fresh(out, 'r', '--epochs', '40').filter((a) => a !== '--quiet'));
    await first.waitFor('epoch 1/40:');
    const second = await startCli(fresh(out, 'r', '--epochs', '40')).done;
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`the run directory is in use by process ${first.child.pid}`);
    const done = await first.done;
    expect(done.code, done.stderr).toBe(0);
    expect(stepOf(join(out, 'r'), 'last')).toBe(240);
    const records = readMetrics(join(out, 'r', 'metrics.jsonl'));
    expect(records.filter((r) => r.split === 'val').map((r) => r.epoch)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });
});

describe('metrics.jsonl', () => {
  it('is rolled back to the checkpoint on resume: no duplicates, the torn line repaired', async () => {
    const out = join(root, 'rollback');
    const dir = join(out, 'r');
    expect((await run(...fresh(out, 'r', '--epochs', '4', '--log-every', '1', '--max-steps', '9'))).code).toBe(0);
    const before = readMetrics(join(dir, 'metrics.jsonl'));
    // What a process killed after the checkpoint leaves: records of later steps and a torn line.
    appendFileSync(join(dir, 'metrics.jsonl'), '{"split":"train","step":10,"epoch":1,"loss":0.5}\n{"split":"train","step":11,"epoch":1,"loss":0.5}\n{"split":"train","st');
    const resumed = await run('train', '--resume', join(dir, 'last'), '--max-steps', '24');
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.err).toContain('dropped 2 record(s) after step 9');
    expect(resumed.err).toMatch(/dropped an unreadable line: .*metrics\.jsonl:\d+: invalid JSON/);
    const records = readMetrics(join(dir, 'metrics.jsonl'));
    expect(records.slice(0, before.length)).toEqual(before);
    const keys = records.map((r) => `${r.split}@${r.step}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(records.filter((r) => r.split === 'train').map((r) => r.step)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(readFileSync(join(dir, 'metrics.jsonl'), 'utf8').endsWith('}\n')).toBe(true);
  });

  it('starts empty for a fresh run into a directory holding an old metrics file', async () => {
    const out = join(root, 'stale-metrics');
    mkdirSync(join(out, 'r'), { recursive: true });
    writeFileSync(join(out, 'r', 'metrics.jsonl'), '{"split":"val","step":900,"epoch":150,"loss":9}\n');
    expect((await run(...fresh(out, 'r', '--epochs', '1'))).code).toBe(0);
    expect(readMetrics(join(out, 'r', 'metrics.jsonl')).map((r) => r.step)).toEqual([6]);
  });
});

describe('a diverged run', () => {
  it('saves no non-finite state as best or last, and says so', async () => {
    const out = join(root, 'nan');
    // One step per epoch with a huge rate: the step's loss is finite, its update is not.
    const r = await run(...fresh(out, 'r', '--epochs', '3', '--batch-size', '27', '--lr', '1e6', '--ssm-lr', '1e6', '--warmup', '0'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error: the validation scores after epoch 1 \(step 1\) are not finite \(loss NaN/);
    expect(r.err).toContain('no finite checkpoint had been saved yet');
    expect(r.err).not.toContain('best so far');
    expect(existsSync(join(out, 'r', 'best.safetensors'))).toBe(false);
    expect(existsSync(join(out, 'r', 'last.safetensors'))).toBe(false);
  });

  it('names the last finite checkpoint kept, skipping a non-finite one', () => {
    const dir = join(root, 'kept');
    const tensors = (v: number) => ({ w: { dtype: 'F32' as const, shape: [2], data: Float32Array.from([1, v]) } });
    saveCheckpoint(dir, 'best', { step: 6, epoch: 1, config: {}, optimizer: {}, prngKey: [0, 1], tensors: tensors(2) });
    saveCheckpoint(dir, 'last', { step: 12, epoch: 2, config: {}, optimizer: {}, prngKey: [0, 1], tensors: tensors(NaN) });
    expect(keptCheckpointLine(dir)).toBe(`the last finite checkpoint is kept: ${join(dir, 'best')} (step 6, epoch 1)`);
  });
});

describe('resuming on the backend the run was trained on', () => {
  const tensorsOf = (dir: string) => {
    const loaded = readCheckpoint(dir, 'last');
    if (loaded._tag === 'Left') throw loaded.left;
    return Object.fromEntries(Object.entries(loaded.right.tensors).map(([k, t]) => [k, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('hex')]));
  };

  it('a cpu run resumed without --backend ends bit for bit like an uninterrupted cpu run', async () => {
    const out = join(root, 'backend');
    const jit = (name: string, ...more: string[]) => fresh(out, name, '--jit', '--backend', 'cpu', '--epochs', '3', ...more);
    expect((await run(...jit('straight', '--max-steps', '8'))).code).toBe(0);
    expect((await run(...jit('resumed', '--max-steps', '5'))).code).toBe(0);
    const saved = readCheckpoint(join(out, 'resumed'), 'last');
    expect(saved._tag === 'Right' && (saved.right.config as { run: { backend?: string } }).run.backend).toBe('cpu');
    // The process's backend setting is now something else, as in a new shell.
    const resumed = await run('train', '--resume', join(out, 'resumed', 'last'), '--max-steps', '8', '--quiet');
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.err).not.toContain('bit-identical');
    expect(tensorsOf(join(out, 'resumed'))).toEqual(tensorsOf(join(out, 'straight')));
  });
});
