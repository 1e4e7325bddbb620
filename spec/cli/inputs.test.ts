/**
 * What `ssmjit train | eval | predict` does with what users give it (issue 10, items 2, 8, 9, 10):
 * numbers are plain decimals with upper bounds; data that does not fit the model is refused
 * naming the flag or file and the checkpoint; a non-finite model output is an error, not a
 * `null`; run names stay inside --out; predictions never overwrite an input and are written
 * atomically; write failures (a full disk, a read-only directory) name the path; findings about a
 * checkpoint's files and flags a task ignores are shown as warnings.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { saveSnapshot } from '../../src/train/checkpointing';
import { freshSnapshot } from '../../src/train/loop';
import { setupRun } from '../../src/train/setup';
import * as T from '../../src/index';
import { tinyRunConfig, toyDataset } from '../train/helpers';
import { cliBundle, removeCliBundle, runCli, writeNdjson } from './cliProcess';

const root = mkdtempSync(join(tmpdir(), 'ssmjit-inputs-'));
const trainFile = join(root, 'train.ndjson');
const testFile = join(root, 'test.ndjson');
const tiny = ['--layers', '1', '--d-model', '4', '--ssm-size', '4', '--blocks', '1', '--batch-size', '4', '--no-jit', '--quiet'];
const out = join(root, 'runs');
const checkpoint = join(out, 'toy', 'best');

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, out: stdout, err: stderr };
}

beforeAll(async () => {
  writeNdjson(trainFile, toyDataset('train', 30, 8, 11));
  writeNdjson(testFile, toyDataset('test', 10, 8, 12));
  const trained = await run('train', '--task', 'ndjson', '--data', trainFile, '--test-data', testFile, ...tiny, '--epochs', '1', '--out', out, '--name', 'toy');
  if (trained.code !== 0) throw new Error(trained.err);
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  removeCliBundle();
});

describe('numbers on the command line', () => {
  it('are plain decimals: hex, binary and octal are refused', async () => {
    for (const text of ['0x10', '0b11', '0o7', '1_0']) {
      const r = await run('train', '--task', 'ndjson', '--data', trainFile, '--epochs', text);
      expect(r.code, text).toBe(2);
      expect(r.err, text).toContain(`field "--epochs": invalid value: expected a positive integer, got "${text}"`);
    }
    expect((await run('train', '--task', 'ndjson', '--data', trainFile, ...tiny, '--lr', '1e-2', '--epochs', '1', '--out', out, '--name', 'decimal')).code).toBe(0);
  });

  it('have upper bounds that the message states', async () => {
    const r = await run('train', '--task', 'ndjson', '--data', trainFile, '--d-model', '100000000');
    expect(r.code).toBe(2);
    expect(r.err).toContain('field "--d-model": invalid value: expected a positive integer up to 16384, got "100000000"');
    const big = await run('train', '--task', 'ndjson', '--data', trainFile, '--layers', '200', '--d-model', '8192', '--quiet', '--out', out);
    expect(big.code).toBe(1);
    expect(big.err).toMatch(/model too large: expected at most 1e\+8 parameters, got [\d.]+e\+\d+ parameters \(200 layers of width 8192\)/);
  });
});

describe('user data given to train', () => {
  it('a label far out of range is refused while reading, naming the line', async () => {
    const file = join(root, 'huge-label.csv');
    writeFileSync(file, 'label,x0,x1\n0,1,2\n100000000,1,2\n');
    const r = await run('train', '--task', 'csv', '--data', file, ...tiny, '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${file}:3: field "label": invalid label: expected a class id: an integer from 0 to 99999, got "100000000"`);
  });

  it('one example held out for validation leaves none for training: the message names --val-fraction', async () => {
    const file = join(root, 'one.ndjson');
    writeFileSync(file, '{"sequence": [1, 2], "label": 0}\n');
    const r = await run('train', '--task', 'ndjson', '--data', file, '--val-fraction', '0.5', ...tiny, '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${file}: field "--val-fraction": no training examples left after holding out the validation split`);
    expect(r.err).not.toContain('--batch-size');
  });

  it('flags the task does not read are reported as ignored', async () => {
    const r = await run('train', '--task', 'adding', '--seq-len', '6', '--n-train', '16', '--n-val', '4', '--n-test', '4', '--data', 'x.csv', '--min-length', '3', ...tiny, '--max-steps', '1', '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain('warning: --data, --min-length do not apply to task adding and are ignored');
  });
});

describe('eval checks the data against the model', () => {
  it('a 2-class checkpoint on a 10-class task is refused, naming --task and the checkpoint', async () => {
    const r = await run('eval', '--checkpoint', checkpoint, '--task', 'smnist', '--quiet');
    expect(r.code).toBe(1);
    expect(r.err).toContain(`command line: field "--task": the test data of task smnist does not fit the model of ${checkpoint}.safetensors: expected float inputs of width 1, 2 classes, got float inputs of width 1, 10 classes`);
  });

  it('regression data with two channels is refused the same way', async () => {
    const r = await run('eval', '--checkpoint', checkpoint, '--task', 'adding', '--seq-len', '6', '--n-test', '4', '--quiet');
    expect(r.code).toBe(1);
    expect(r.err).toContain('expected float inputs of width 1, 2 classes, got float inputs of width 2, regression of dimension 1');
  });

  it('a test file with a label the model has no class for names the file and line', async () => {
    const file = join(root, 'three-classes.ndjson');
    writeFileSync(file, '{"sequence": [1, 2], "label": 0}\n{"sequence": [1, 2], "label": 2}\n');
    const r = await run('eval', '--checkpoint', checkpoint, '--test-data', file, '--quiet');
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${file}:2: field "label": label out of range: expected a class below 2, got 2`);
  });
});

describe('predict', () => {
  it('refuses to write over the checkpoint it reads (or its input), which stay intact', async () => {
    const tensors = readFileSync(`${checkpoint}.safetensors`);
    for (const output of [`${checkpoint}.safetensors`, `${checkpoint}.json`, testFile]) {
      const r = await run('predict', '--checkpoint', checkpoint, '--input', testFile, '--output', output, '--quiet');
      expect(r.code, output).toBe(1);
      expect(r.err, output).toMatch(/field "--output": refusing to write the predictions over (the checkpoint it reads|the checkpoint's record it reads|its input file)/);
    }
    expect(readFileSync(`${checkpoint}.safetensors`).equals(tensors)).toBe(true);
  });

  it('writes the output atomically (no temporary file left, an old file replaced whole)', async () => {
    const output = join(root, 'predictions', 'p.ndjson');
    mkdirSync(join(root, 'predictions'));
    writeFileSync(output, 'old content that is much longer than nothing\n'.repeat(100));
    const r = await run('predict', '--checkpoint', checkpoint, '--input', testFile, '--output', output, '--quiet');
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(output, 'utf8').trim().split('\n')).toHaveLength(10);
    expect(readdirSync(join(root, 'predictions'))).toEqual(['p.ndjson']);
  });

  it('a diverged checkpoint is an error naming the input line, and nothing is written', async () => {
    const config = tinyRunConfig({ epochs: 1 });
    const setup = setupRun(config);
    const start = freshSnapshot(config, setup);
    const poisoned = { ...start.carry, params: { ...start.carry.params, decoder: { ...start.carry.params.decoder, bias: T.tensor([NaN, 0], 'f32', [2]) } } };
    saveSnapshot(join(root, 'nan'), 'last', { ...start, carry: poisoned }, setup.optimizer);
    const output = join(root, 'nan-predictions.ndjson');
    const r = await run('predict', '--checkpoint', join(root, 'nan', 'last'), '--input', testFile, '--output', output, '--quiet');
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${testFile}:1: the model's output is NaN for this sequence (the checkpoint ${join(root, 'nan', 'last')}.safetensors holds a diverged state); nothing was written`);
    expect(existsSync(output)).toBe(false);
  });
});

describe('paths and writes', () => {
  it('--name is a plain name: it cannot leave --out', async () => {
    for (const name of ['../../x', 'a/b', '..', '.hidden']) {
      const r = await run('train', '--task', 'ndjson', '--data', trainFile, ...tiny, '--out', out, '--name', name);
      expect(r.code, name).toBe(2);
      expect(r.err, name).toContain('field "--name": invalid value: expected a plain name');
    }
    expect(existsSync(join(root, 'x'))).toBe(false);
  });

  it('a stale or missing JSON file beside a checkpoint is reported', async () => {
    const dir = join(root, 'notes');
    expect((await run('train', '--task', 'ndjson', '--data', trainFile, ...tiny, '--epochs', '1', '--out', dir, '--name', 'r')).code).toBe(0);
    unlinkSync(join(dir, 'r', 'last.json'));
    const missing = await run('eval', '--checkpoint', join(dir, 'r', 'last'), '--split', 'val', '--quiet');
    expect(missing.code, missing.err).toBe(0);
    expect(missing.err).toContain(`warning: ${join(dir, 'r', 'last.json')} is missing; using the record embedded in the tensors file`);
    writeFileSync(join(dir, 'r', 'best.json'), '{"edited": true}\n');
    const stale = await run('train', '--resume', join(dir, 'r', 'best'), '--quiet', '--epochs', '2');
    expect(stale.err).toContain(`warning: ${join(dir, 'r', 'best.json')} does not match the tensors file`);
  });

  it('a full disk (here: a file-size limit) names the file that could not be written', async () => {
    cliBundle();
    const dir = join(root, 'full');
    // 12 blocks: the data and metrics fit, a checkpoint (about 13 KB) does not.
    const r = await runCli(['train', '--task', 'ndjson', '--data', trainFile, ...tiny, '--epochs', '1', '--out', dir, '--name', 'r'], { shellPrefix: 'ulimit -f 12' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`error: cannot write ${join(dir, 'r')}/(best|last)\\.safetensors: file too large \\(over the file-size limit\\) \\(EFBIG\\)`));
    expect(readdirSync(join(dir, 'r')).filter((f) => f.endsWith('.tmp') || f.endsWith('.safetensors') || f === 'run.lock')).toEqual([]);
  });

  const canMount = (() => {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
    const probe = mkdtempSync(join(tmpdir(), 'ssmjit-mount-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,ro', 'tmpfs', probe], { stdio: 'ignore' });
      execFileSync('umount', [probe], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    } finally {
      rmSync(probe, { recursive: true, force: true });
    }
  })();

  it.skipIf(!canMount)('a read-only --out says so (not "ENOENT: mkdir"), naming the directory', async () => {
    const readOnly = join(root, 'read-only');
    mkdirSync(readOnly);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,ro', 'tmpfs', readOnly]);
    try {
      const r = await run('train', '--task', 'ndjson', '--data', trainFile, ...tiny, '--epochs', '1', '--out', join(readOnly, 'runs'), '--name', 'r');
      expect(r.code).toBe(1);
      expect(r.err).toContain(`error: cannot create the directory ${join(readOnly, 'runs')} (for ${join(readOnly, 'runs', 'r')}): read-only file system (EROFS)`);
    } finally {
      execFileSync('umount', [readOnly]);
    }
  });
});
