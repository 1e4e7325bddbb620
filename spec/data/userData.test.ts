import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Dataset } from '../../src/data/dataset';
import { loadUserData, parseCsv, parseNdjson, readUserData } from '../../src/data/userData';
import { FormatError } from '../../src/io/formatError';

function ok(result: ReturnType<typeof parseCsv>): Dataset {
  if (result._tag === 'Left') throw result.left;
  return result.right;
}
function err(result: ReturnType<typeof parseCsv>): FormatError {
  if (result._tag === 'Right') throw new Error('expected a FormatError');
  return result.left;
}

describe('NDJSON user data', () => {
  it('reads one-channel sequences with labels, padding to the longest', () => {
    const ds = ok(parseNdjson('{"sequence": [1, 2, 3], "label": 2}\n\n{"sequence": [4], "label": 0}\n', 'a.ndjson'));
    expect([ds.size, ds.seqLen, ds.inputs.kind === 'float' && ds.inputs.channels]).toEqual([2, 3, 1]);
    expect(Array.from(ds.inputs.data)).toEqual([1, 2, 3, 4, 0, 0]);
    expect(Array.from(ds.lengths ?? [])).toEqual([3, 1]);
    expect(ds.targets).toEqual({ kind: 'classes', labels: Int32Array.from([2, 0]), numClasses: 3 });
  });

  it('reads multi-channel sequences with vector regression targets', () => {
    const ds = ok(parseNdjson('{"sequence": [[1, 10], [2, 20]], "target": [0.5, 1]}\n{"sequence": [[3, 30], [4, 40]], "target": [2, 3]}', 'b.jsonl'));
    expect(ds.inputs.kind === 'float' && ds.inputs.channels).toBe(2);
    expect(Array.from(ds.inputs.data)).toEqual([1, 10, 2, 20, 3, 30, 4, 40]);
    expect(ds.lengths).toBeUndefined();
    expect(ds.targets).toEqual({ kind: 'regression', values: Float32Array.from([0.5, 1, 2, 3]), dim: 2 });
  });

  it('accepts records without targets as prediction inputs', () => {
    expect(ok(parseNdjson('{"sequence": [1]}', 'p.ndjson')).targets).toEqual({ kind: 'none' });
  });

  it('names file, line, field and expectation in errors', () => {
    expect(err(parseNdjson('{"sequence": [1], "label": 1}\n{"sequence": [1, "x"], "label": 1}', 'd.ndjson')).message).toBe(
      'd.ndjson:2: field "sequence[1]": invalid record: expected a finite number, got "x"',
    );
    expect(err(parseNdjson('{"sequence": [1], "label": -1}', 'd.ndjson')).message).toBe('d.ndjson:1: field "label": invalid record: expected a non-negative integer, got -1');
    expect(err(parseNdjson('{"sequence": [[1, 2], [3]], "label": 1}', 'd.ndjson'))).toMatchObject({ line: 1, field: 'sequence[1]', expected: '2 channels' });
    expect(err(parseNdjson('{"sequence": [1], "lable": 1}', 'd.ndjson'))).toMatchObject({ line: 1, field: 'lable', problem: 'unknown field' });
    expect(err(parseNdjson('{"sequence": [1], "label": 1}\n{"sequence": [2], "target": 1}', 'd.ndjson'))).toMatchObject({ line: 2, problem: 'records disagree on the kind of target' });
    expect(err(parseNdjson('{"sequence": [1], "label": 1}\n{"sequence": [[2, 3]], "label": 1}', 'd.ndjson'))).toMatchObject({ line: 2, problem: 'channel count differs' });
    expect(err(parseNdjson('{"sequence": [1], "label": 1, "target": 2}', 'd.ndjson')).problem).toMatch(/both "label" and "target"/);
    expect(err(parseNdjson('{"sequence": []}', 'd.ndjson')).message).toMatch(/field "sequence": invalid record: expected a non-empty array/);
    expect(err(parseNdjson('{"sequence": [1], "label": 1}\n{"sequence": [1], "label": 1', 'd.ndjson')).message).toMatch(/^d\.ndjson:2: invalid JSON/);
    expect(err(parseNdjson('[1, 2]', 'd.ndjson')).message).toMatch(/expected a JSON object/);
    expect(err(parseNdjson('', 'd.ndjson')).problem).toBe('no sequences in file');
    expect(err(parseNdjson('{"sequence": [1], "label": 5}', 'd.ndjson', { numClasses: 3 })).message).toMatch(/label out of range: expected a class below 3, got 5/);
  });
});

describe('CSV user data', () => {
  it('reads a label column plus value columns; empty trailing cells shorten a sequence', () => {
    const ds = ok(parseCsv('label,x0,x1,x2\n1,0.5,1.5,2.5\n0,"3", 4 ,\n', 'a.csv'));
    expect(Array.from(ds.inputs.data)).toEqual([0.5, 1.5, 2.5, 3, 4, 0]);
    expect(Array.from(ds.lengths ?? [])).toEqual([3, 2]);
    expect(ds.targets).toEqual({ kind: 'classes', labels: Int32Array.from([1, 0]), numClasses: 2 });
  });

  it('reads time-major multi-channel values and target columns', () => {
    const ds = ok(parseCsv('\uFEFFt0c0,t0c1,t1c0,t1c1,target0,target1\r\n1,2,3,4,0.1,0.2\r\n', 'b.csv', { channels: 2 }));
    expect([ds.seqLen, ds.inputs.kind === 'float' && ds.inputs.channels]).toEqual([2, 2]);
    expect(ds.targets).toEqual({ kind: 'regression', values: Float32Array.from([0.1, 0.2]), dim: 2 });
  });

  it('names file, line and column in errors', () => {
    expect(err(parseCsv('label,x0,x1\n1,2,3\n1,abc,3\n', 'c.csv')).message).toBe('c.csv:3: field "x0": invalid value: expected a finite number, got "abc"');
    expect(err(parseCsv('label,x0,x1\n1.5,2,3\n', 'c.csv')).message).toBe('c.csv:2: field "label": invalid label: expected a non-negative integer, got "1.5"');
    expect(err(parseCsv('label,x0,x1\n1,2\n', 'c.csv'))).toMatchObject({ line: 2, problem: 'wrong number of cells', expected: '3 (as in the header)', actual: '2' });
    expect(err(parseCsv('label,x0,x1\n1,,3\n', 'c.csv'))).toMatchObject({ line: 2, field: 'x1', problem: 'value after an empty cell' });
    expect(err(parseCsv('label,x0,x0\n1,2,3\n', 'c.csv'))).toMatchObject({ line: 1, field: 'x0', problem: 'duplicate column name' });
    expect(err(parseCsv('x0,x1,x2\n1,2,3\n', 'c.csv', { channels: 2 }))).toMatchObject({ line: 1, problem: 'bad number of value columns' });
    expect(err(parseCsv('label,target,x0\n1,2,3\n', 'c.csv')).problem).toMatch(/both "label" and "target"/);
    expect(err(parseCsv('label,x0\n1,2\n', 'c.csv', { channels: 0 })).problem).toBe('bad channel count');
  });
});

describe('user data files', () => {
  it('picks the parser by extension and reports unreadable or unknown files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'userdata-'));
    writeFileSync(join(dir, 'train.csv'), 'label,x0\n3,1\n');
    writeFileSync(join(dir, 'train.ndjson'), '{"sequence": [1], "label": 3}\n');
    expect(loadUserData(join(dir, 'train.csv')).inputs.data).toEqual(loadUserData(join(dir, 'train.ndjson')).inputs.data);
    expect(() => loadUserData(join(dir, 'train.txt'))).toThrow(/train\.txt: unknown data file type/);
    const missing = readUserData(join(dir, 'missing.csv'));
    expect(missing._tag === 'Left' && missing.left.message).toMatch(/missing\.csv: cannot read data file/);
    expect(() => loadUserData(join(dir, 'train.csv'), { seqLen: 0 })).toThrow(/sequence too long/);
  });
});
