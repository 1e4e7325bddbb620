import { appendFileSync, existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendMetrics, parseMetrics, readMetrics, rollbackMetrics } from '../../src/io/metrics';

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

describe('rolling metrics back (issue 10, item 5)', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'metrics-'));

  it('keeps the records up to a step, drops later ones and unreadable lines, and rewrites the file', () => {
    const file = join(dir(), 'm.jsonl');
    writeFileSync(file, [
      '{"split":"train","step":1,"loss":1}',
      '{"split":"val","step":2,"epoch":1,"loss":0.5,"extra":"kept as written"}',
      '{"split":"train","st{"split":"train","step":3,"loss":0.8}',
      '{"split":"train","step":3,"loss":0.7}',
      '{"split":"train","step":4,"loss":0.6}',
      '{"split":"train","st',
    ].join('\n'));
    const r = rollbackMetrics(file, 3);
    expect(r.records.map((x) => x.step)).toEqual([1, 2, 3]);
    expect(r.droppedAfter).toBe(1);
    expect(r.repaired).toHaveLength(2);
    expect(r.repaired[0]).toMatch(/m\.jsonl:3: invalid JSON/);
    expect(r.repaired[1]).toMatch(/m\.jsonl:6: invalid JSON/);
    expect(readFileSync(file, 'utf8')).toBe('{"split":"train","step":1,"loss":1}\n{"split":"val","step":2,"epoch":1,"loss":0.5,"extra":"kept as written"}\n{"split":"train","step":3,"loss":0.7}\n');
    appendMetrics(file, { split: 'train', step: 4, loss: 0.5 });
    expect(readMetrics(file).map((x) => x.step)).toEqual([1, 2, 3, 4]);
  });

  it('step 0 (a fresh run) empties the file; a missing file is an empty one', () => {
    const file = join(dir(), 'm.jsonl');
    expect(rollbackMetrics(file, 0)).toEqual({ records: [], droppedAfter: 0, repaired: [] });
    expect(existsSync(file)).toBe(false);
    writeFileSync(file, '{"split":"val","step":900,"loss":1}\n');
    expect(rollbackMetrics(file, 0).droppedAfter).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  it('a failed append names the file (a full disk: /dev/full)', () => {
    if (!existsSync('/dev/full')) return;
    const file = join(dir(), 'm.jsonl');
    symlinkSync('/dev/full', file);
    expect(() => appendMetrics(file, { split: 'train', step: 1, loss: 1 })).toThrow(`cannot append to ${file}: no space left on the device (the disk is full) (ENOSPC)`);
  });
});
