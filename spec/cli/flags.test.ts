import { describe, expect, it } from 'vitest';
import { editDistance, parseFlags, suggest } from '../../src/cli/argv';
import { ParsedCli, TRAIN_FLAGS, TrainFlags, helpText, parseCli } from '../../src/cli/flags';
import { flagForModelField, modelConfigFromFlags } from '../../src/cli/modelFlags';
import { PositiveInt } from '../../src/io/codecs';
import { FormatError } from '../../src/io/formatError';

function parsed(argv: string[]): ParsedCli {
  const result = parseCli(argv);
  if (result._tag === 'Left') throw result.left;
  return result.right;
}
function trainFlags(argv: string[]): TrainFlags {
  const result = parsed(['train', ...argv]);
  if (result.command !== 'train') throw new Error(`expected train, got ${result.command}`);
  return result.flags;
}
function failure(argv: string[]): FormatError {
  const result = parseCli(argv);
  if (result._tag === 'Right') throw new Error('expected an error');
  return result.left;
}

describe('did-you-mean', () => {
  it('computes edit distances and suggests the nearest flag', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(suggest('d-modle', ['d-model', 'dropout', 'lr'])).toBe('d-model');
    expect(suggest('epoch', ['epochs', 'seed'])).toBe('epochs');
    expect(suggest('zzzzzz', ['lr', 'seed'])).toBeUndefined();
  });
});

describe('ssmjit train flags', () => {
  it('fills S5 run_train.py defaults', () => {
    const flags = trainFlags(['--task', 'smnist']);
    expect(flags).toMatchObject({
      task: 'smnist', model: 's5', layers: 6, dModel: 128, ssmSize: 256, blocks: 8, lr: 1e-3, ssmLr: 1e-3, weightDecay: 0.05,
      epochs: 100, batchSize: 64, warmup: 1, schedule: 'cosine', dropout: 0, seed: 1919, conjSym: true, prenorm: true, bnMomentum: 0.95,
    });
    expect(flags.maxSteps).toBeUndefined();
    expect(flags.resume).toBeUndefined();
  });

  it('accepts --key value, --key=value, snake_case names and boolean forms', () => {
    const flags = trainFlags(['--task=listops', '--d_model', '64', '--lr=4e-3', '--bidirectional', '--no-prenorm', '--conj-sym=false', '--max-steps', '10', '--schedule', 'linear']);
    expect(flags).toMatchObject({ task: 'listops', dModel: 64, lr: 0.004, bidirectional: true, prenorm: false, conjSym: false, maxSteps: 10, schedule: 'linear' });
  });

  it('names the flag and expected type of a wrong value', () => {
    expect(failure(['train', '--task', 'smnist', '--lr', 'fast']).message).toBe('command line: field "--lr": invalid value: expected a positive number, got "fast"');
    expect(failure(['train', '--task', 'smnist', '--layers', '2.5']).message).toBe('command line: field "--layers": invalid value: expected a positive integer, got "2.5"');
    expect(failure(['train', '--task', 'cifar']).message).toBe(
      'command line: field "--task": invalid value: expected one of smnist|psmnist|fashion|listops|adding|csv|ndjson, got "cifar"',
    );
    expect(failure(['train', '--task', 'smnist', '--dropout', '1'])).toMatchObject({ field: '--dropout', expected: 'a number in [0, 1)' });
    expect(failure(['train', '--task', 'smnist', '--bidirectional=maybe'])).toMatchObject({ field: '--bidirectional', expected: 'true or false' });
    expect(failure(['train', '--task', 'smnist', '--lr'])).toMatchObject({ field: '--lr', problem: 'missing value' });
    expect(failure(['train', '--task', 'smnist', '--lr', '--epochs', '3'])).toMatchObject({ field: '--lr', problem: 'missing value' });
  });

  it('suggests the intended flag for an unknown one', () => {
    expect(failure(['train', '--task', 'smnist', '--d-modle', '3']).message).toBe('command line: field "--d-modle": unknown flag (did you mean --d-model?)');
    expect(failure(['train', '--task', 'smnist', '--learning-rate', '3']).problem).toBe('unknown flag');
  });

  it('reports missing required flags, repeated flags and stray arguments', () => {
    expect(failure(['train']).message).toMatch(/field "--task": missing required flag: expected one of smnist/);
    expect(failure(['train', '--task', 'smnist', '--task', 'adding']).problem).toBe('flag given more than once');
    expect(failure(['train', 'smnist'])).toMatchObject({ field: 'smnist', problem: 'unexpected argument' });
    expect(failure(['train', '--task', 'smnist', '--no-lr'])).toMatchObject({ problem: expect.stringMatching(/unknown flag/) });
  });
});

describe('commands and help', () => {
  it('parses eval and predict', () => {
    expect(parsed(['eval', '--checkpoint', 'runs/a/last', '--split', 'val'])).toMatchObject({ command: 'eval', flags: { checkpoint: 'runs/a/last', split: 'val', task: undefined } });
    expect(parsed(['predict', '--checkpoint', 'c', '--input', 'x.csv'])).toMatchObject({ command: 'predict', flags: { input: 'x.csv', output: '-' } });
    expect(failure(['predict', '--checkpoint', 'c']).field).toBe('--input');
  });

  it('recognizes help requests and unknown commands', () => {
    expect(parsed(['--help'])).toEqual({ command: 'help' });
    expect(parsed(['help', 'eval'])).toEqual({ command: 'help', topic: 'eval' });
    expect(parsed(['train', '--lr', 'x', '--help'])).toEqual({ command: 'help', topic: 'train' });
    expect(failure(['trian']).message).toBe('command line: unknown command (did you mean train?): expected train|eval|predict, got "trian"');
    expect(failure([]).problem).toBe('missing command');
  });

  it('help text lists every flag of a command with its default', () => {
    const text = helpText('train');
    for (const key of Object.keys(TRAIN_FLAGS)) expect(text).toContain(key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
    expect(text).toMatch(/--d-model <n>\s+model width H \(default: 128\)/);
    expect(text).toMatch(/--\[no-\]prenorm\s+normalize before \(not after\) each layer \(default: on\)/);
    expect(text).toMatch(/--task <name>\s+task: smnist\|.*\(required\)/);
    expect(helpText()).toMatch(/Usage: ssmjit <command> \[flags\][\s\S]*train[\s\S]*eval[\s\S]*predict/);
  });

  it('parses against any table (generic parser)', () => {
    const table = { count: { kind: 'number' as const, codec: PositiveInt, group: 'g', help: 'h', default: 3 } };
    const result = parseFlags(['--count', '7'], table);
    expect(result._tag === 'Right' && result.right.count).toBe(7);
  });
});

describe('model config from flags', () => {
  const data = { inputKind: 'float' as const, dInput: 1, head: { kind: 'classification' as const, nClasses: 10 } };

  it('maps S5 flags into a valid ModelConfig', () => {
    const config = modelConfigFromFlags(trainFlags(['--task', 'smnist', '--ssm-size', '64', '--blocks', '4', '--layers', '2']), data);
    expect(config._tag === 'Right' && config.right).toMatchObject({ nLayers: 2, dModel: 128, ssm: { kind: 's5', P: 64, blocks: 4, conjSym: true } });
    const s4d = modelConfigFromFlags(trainFlags(['--task', 'smnist', '--model', 's4d', '--state-size', '32']), data);
    expect(s4d._tag === 'Right' && s4d.right.ssm).toMatchObject({ kind: 's4d', N: 32, init: 'legs' });
  });

  it('reports cross-field errors against the flag that sets the field', () => {
    const bad = modelConfigFromFlags(trainFlags(['--task', 'smnist', '--ssm-size', '100', '--blocks', '8']), data);
    expect(bad._tag === 'Left' && bad.left).toMatchObject({ file: 'command line', field: '--blocks' });
    expect(flagForModelField('ssm.P')).toBe('--ssm-size');
    expect(flagForModelField('ssm.dtMax')).toBe('--dt-max');
    expect(flagForModelField('nLayers')).toBe('--layers');
  });
});
