/**
 * The `ssmjit` command through its entry point `main(argv, io)`: usage errors exit 2 with a
 * message naming the flag; unreadable data and checkpoints exit 1 naming the file (and line);
 * a tiny train -> resume -> eval -> predict round works on the user's NDJSON files, and eval
 * and predict agree on the same checkpoint.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { parseFlags } from '../../src/cli/argv';
import { ignoredOnResume } from '../../src/cli/commands/train';
import { TASK_PRESETS, TRAIN_TABLE, explicitFlags, freshFlags, withPreset } from '../../src/cli/commands/trainFlags';
import type { Dataset } from '../../src/data/dataset';
import { toyDataset } from './helpers';

const root = mkdtempSync(join(tmpdir(), 'ssmjit-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

function writeNdjson(file: string, d: Dataset): void {
  const data = d.inputs.data as Float32Array;
  const labels = d.targets.kind === 'classes' ? d.targets.labels : new Int32Array(d.size);
  const lines = Array.from({ length: d.size }, (_, i) => JSON.stringify({ sequence: Array.from(data.subarray(i * d.seqLen, (i + 1) * d.seqLen)), label: labels[i] }));
  writeFileSync(file, `${lines.join('\n')}\n`);
}

const trainFile = join(root, 'train.ndjson');
const testFile = join(root, 'test.ndjson');
const tiny = ['--layers', '1', '--d-model', '4', '--ssm-size', '4', '--blocks', '1', '--batch-size', '4', '--no-jit', '--quiet'];

beforeAll(() => {
  writeNdjson(trainFile, toyDataset('train', 30, 8, 11));
  writeNdjson(testFile, toyDataset('test', 10, 8, 12));
});

describe('usage errors', () => {
  it('an unknown flag exits 2 with a suggestion', async () => {
    const r = await run('train', '--task', 'smnist', '--layrs', '2');
    expect(r.code).toBe(2);
    expect(r.err).toContain('field "--layrs": unknown flag (did you mean --layers?)');
  });

  it('an invalid value exits 2 naming the flag and what was expected', async () => {
    const r = await run('train', '--task', 'smnist', '--batch-size', 'many');
    expect(r.code).toBe(2);
    expect(r.err).toContain('field "--batch-size": invalid value: expected a positive integer, got "many"');
  });

  it('a missing required flag and an unknown command exit 2', async () => {
    expect((await run('train', '--model', 's5')).err).toContain('missing required flag');
    expect((await run('trian')).code).toBe(2);
  });

  it('model settings that contradict each other name the flag', async () => {
    const r = await run('train', '--task', 'ndjson', '--data', trainFile, '--ssm-size', '6', '--blocks', '4', '--out', root);
    expect(r.code).toBe(1);
    expect(r.err).toContain('"--blocks"');
  });

  it('help lists the train extras and the presets', async () => {
    const r = await run('train', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('--[no-]jit');
    expect(r.out).toContain('smnist: --layers');
  });
});

describe('task presets', () => {
  const parse = (args: string[]) => {
    const parsed = parseFlags(args, TRAIN_TABLE);
    if (parsed._tag === 'Left') throw parsed.left;
    return withPreset(freshFlags(parsed.right), explicitFlags(args, TRAIN_TABLE));
  };

  it('fill the flags not written on the command line', () => {
    const flags = parse(['--task', 'smnist']);
    for (const [key, value] of Object.entries(TASK_PRESETS.smnist)) expect(flags[key as keyof typeof flags], key).toEqual(value);
  });

  it('never replace a flag that was written, in any spelling', () => {
    const flags = parse(['--task', 'smnist', '--d_model=24', '--epochs', '9', '--no-bidirectional']);
    expect(flags.dModel).toBe(24);
    expect(flags.epochs).toBe(9);
    expect(flags.bidirectional).toBe(false);
    expect(flags.layers).toBe(TASK_PRESETS.smnist.layers);
  });

  it('on --resume, settings other than the run options are reported as ignored', () => {
    const explicit = explicitFlags(['--resume', 'r/last', '--epochs', '5', '--lr', '0.1', '--task', 'smnist'], TRAIN_TABLE);
    expect(ignoredOnResume(explicit)).toEqual(['--lr', '--task']);
  });

  it('leave tasks without a preset at the table defaults', () => {
    expect(parse(['--task', 'adding']).dModel).toBe(128);
  });
});

describe('bad data files', () => {
  it('a malformed NDJSON line exits 1 naming the file and line', async () => {
    const bad = join(root, 'bad.ndjson');
    writeFileSync(bad, '{"sequence": [0.1, 0.2], "label": 1}\n{"sequence": [0.1, "x"], "label": 0}\n');
    const r = await run('train', '--task', 'ndjson', '--data', bad, ...tiny, '--out', root);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/bad\.ndjson:2/);
  });

  it('a user-data task without --data exits 1 naming the flag', async () => {
    const r = await run('train', '--task', 'csv', ...tiny, '--out', root);
    expect(r.code).toBe(1);
    expect(r.err).toContain('field "--data"');
  });
});

describe('train, resume, eval, predict', () => {
  const out = join(root, 'runs');
  const checkpoint = join(out, 'toy', 'best');

  it('trains, stops at --max-steps, resumes to the end and reports the test accuracy', async () => {
    const args = ['--task', 'ndjson', '--data', trainFile, '--test-data', testFile, ...tiny, '--epochs', '2', '--out', out, '--name', 'toy'];
    const first = await run('train', ...args, '--max-steps', '3');
    expect(first.code, first.err).toBe(0);
    expect(first.out).toContain('no epoch completed');
    const again = await run('train', ...args);
    expect(again.code).toBe(1);
    expect(again.err).toContain('already holds a checkpoint');
    const resumed = await run('train', '--resume', join(out, 'toy', 'last'), '--max-steps', '1000', '--quiet');
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.out).toMatch(/test accuracy \d+\.\d\d% at the best validation epoch [12]/);
  });

  it('eval and predict agree on the same checkpoint', async () => {
    const evaluated = await run('eval', '--checkpoint', checkpoint, '--quiet');
    expect(evaluated.code, evaluated.err).toBe(0);
    const accuracy = Number(/accuracy ([\d.]+)%/.exec(evaluated.out)?.[1]);
    const predictions = join(root, 'predictions.ndjson');
    const predicted = await run('predict', '--checkpoint', checkpoint, '--input', testFile, '--output', predictions, '--quiet');
    expect(predicted.code, predicted.err).toBe(0);
    const rows = readFileSync(predictions, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { label: number; target: number; probabilities: number[] });
    expect(rows).toHaveLength(10);
    rows.forEach((row) => expect(row.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4));
    const correct = rows.filter((row) => row.label === row.target).length;
    expect((100 * correct) / rows.length).toBeCloseTo(accuracy, 2);
  });

  it('a corrupted checkpoint is refused with its file name', async () => {
    const broken = join(root, 'broken');
    writeFileSync(`${broken}.safetensors`, readFileSync(`${checkpoint}.safetensors`).subarray(0, 50));
    const r = await run('eval', '--checkpoint', broken);
    expect(r.code).toBe(1);
    expect(r.err).toContain('broken.safetensors');
  });
});
