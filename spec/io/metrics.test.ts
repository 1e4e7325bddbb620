import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendMetrics, parseMetrics, readMetrics } from '../../src/io/metrics';

describe('metrics JSONL', () => {
  it('appends one JSON object per line and reads them back, extra fields included', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'metrics-')), 'run', 'metrics.jsonl');
    appendMetrics(file, { split: 'train', step: 1, epoch: 0, loss: 2.3, lr: 1e-3 });
    appendMetrics(file, { split: 'val', step: 100, epoch: 1, loss: 0.4, accuracy: 0.875, mse: 0.1 });
    expect(readFileSync(file, 'utf8').split('\n')).toEqual([
      '{"split":"train","step":1,"epoch":0,"loss":2.3,"lr":0.001}',
      '{"split":"val","step":100,"epoch":1,"loss":0.4,"accuracy":0.875,"mse":0.1}',
      '',
    ]);
    expect(readMetrics(file)).toEqual([
      { split: 'train', step: 1, epoch: 0, loss: 2.3, lr: 1e-3 },
      { split: 'val', step: 100, epoch: 1, loss: 0.4, accuracy: 0.875, mse: 0.1 },
    ]);
  });

  it('writes a diverged (NaN) loss as null and reads it back as NaN', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'metrics-')), 'm.jsonl');
    appendMetrics(file, { split: 'train', step: 3, loss: NaN });
    expect(readFileSync(file, 'utf8')).toBe('{"split":"train","step":3,"loss":null}\n');
    expect(readMetrics(file)[0].loss).toBeNaN();
  });

  it('tolerates a truncated last line but not a bad line in the middle', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'metrics-')), 'm.jsonl');
    appendMetrics(file, { split: 'train', step: 1, loss: 1 });
    appendFileSync(file, '{"split":"train","st');
    expect(readMetrics(file).length).toBe(1);
    writeFileSync(file, '{"split":"train","step":1}\n{"split":"train","st\n{"split":"train","step":2}\n');
    expect(() => readMetrics(file)).toThrow(/m\.jsonl:2: invalid JSON/);
  });

  it('names line and field of invalid records', () => {
    const bad = (text: string) => {
      const r = parseMetrics(text, 'm.jsonl');
      return r._tag === 'Left' ? r.left.message : 'ok';
    };
    expect(bad('{"split":"train","step":1}\n{"split":"dev","step":2}\n')).toBe('m.jsonl:2: field "split": invalid metric record: expected one of train|val|test, got "dev"');
    expect(bad('{"split":"val","step":1,"accuracy":87}\n')).toBe('m.jsonl:1: field "accuracy": invalid metric record: expected a fraction in [0, 1] or null, got 87');
    expect(bad('{"split":"val"}\n')).toMatch(/field "step": .*expected a non-negative integer, got nothing/);
    expect(bad('[1]\n')).toMatch(/expected a JSON object/);
    expect(() => appendMetrics(join(tmpdir(), 'never.jsonl'), { split: 'train', step: -1 })).toThrow(/field "step"/);
  });
});
