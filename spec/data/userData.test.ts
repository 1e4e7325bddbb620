import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dataset } from '../../src/data/dataset';
import { FLOAT32_MAX, MAX_CLASSES, loadUserData, parseCsv, parseNdjson, readUserData } from '../../src/data/userData';
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
    expect(err(parseNdjson('{"sequence": [1], "label": -1}', 'd.ndjson')).message).toBe('d.ndjson:1: field "label": invalid record: expected a class id: an integer from 0 to 99999, got -1');
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

describe('limits of user data (issue 10, item 8)', () => {
  it('reads 130,000 rows (the largest label is found without spreading the labels on the stack)', () => {
    const rows = Array.from({ length: 130_000 }, (_, i) => `${i % 3},${(i % 7) / 7},0.5`);
    const ds = ok(parseCsv(`label,x0,x1\n${rows.join('\n')}\n`, 'big.csv'));
    expect(ds.size).toBe(130_000);
    expect(ds.targets.kind === 'classes' && ds.targets.numClasses).toBe(3);
  });

  it('refuses values outside the float32 range, naming file, line and field', () => {
    expect(err(parseCsv('label,x0,x1\n1,2,3\n0,1e39,3\n', 'c.csv')).message).toBe(
      'c.csv:3: field "x0": invalid value: expected a finite number within the float32 range (|x| <= 3.4e38), got "1e39"',
    );
    expect(err(parseCsv('target,x0\n-4e38,1\n', 'c.csv')).message).toMatch(/^c\.csv:2: field "target": invalid target: expected a finite number within the float32 range/);
    expect(err(parseNdjson('{"sequence": [1, 1e39], "label": 0}', 'd.ndjson')).message).toBe(
      'd.ndjson:1: field "sequence[1]": invalid record: expected a finite number within the float32 range (|x| <= 3.4e38), got 1e+39',
    );
    expect(ok(parseCsv('label,x0\n1,3.4e38\n', 'c.csv')).inputs.data[0]).toBe(Math.fround(3.4e38));
  });

  it('refuses hexadecimal, binary and octal cells', () => {
    for (const cell of ['0x10', '0b1', '0o7']) {
      expect(err(parseCsv(`label,x0\n1,${cell}\n`, 'c.csv')).message, cell).toBe(`c.csv:2: field "x0": invalid value: expected a decimal number (not hexadecimal, binary or octal), got "${cell}"`);
    }
    expect(err(parseCsv('label,x0\n1,Infinity\n', 'c.csv')).message).toBe('c.csv:2: field "x0": invalid value: expected a finite number, got "Infinity"');
    expect(ok(parseCsv('label,x0,x1,x2\n1,-.5,+2.,1E-3\n', 'c.csv')).inputs.data).toEqual(Float32Array.from([-0.5, 2, 1e-3]));
  });

  it('refuses class ids from 100,000 on, saying so (4294967296 does not wrap around to 0)', () => {
    expect(err(parseCsv('label,x0\n4294967296,1\n', 'c.csv')).message).toBe('c.csv:2: field "label": invalid label: expected a class id: an integer from 0 to 99999, got "4294967296"');
    expect(err(parseCsv('label,x0\n0,1\n100000000,1\n', 'c.csv')).message).toBe('c.csv:3: field "label": invalid label: expected a class id: an integer from 0 to 99999, got "100000000"');
    expect(err(parseNdjson('{"sequence": [1], "label": 4294967296}', 'd.ndjson')).message).toBe('d.ndjson:1: field "label": invalid record: expected a class id: an integer from 0 to 99999, got 4294967296');
  });

  it('keeps the file line of every example (for messages about a sequence)', () => {
    expect(Array.from(ok(parseNdjson('\n{"sequence": [1]}\n\n{"sequence": [2]}\n', 'p.ndjson')).sourceLines ?? [])).toEqual([2, 4]);
  });
});

describe('fuzzed user data against the limits', () => {
  const cell = fc.oneof(
    fc.double({ noNaN: false }).map(String),
    fc.integer().map(String),
    fc.constantFrom('0x10', '1e39', '-1e39', '3.4e38', '4294967296', '99999', '100000', '1e5', '', ' 7 ', 'Infinity', 'NaN', '1_0', '.5', '5.', '"3"'),
  );
  const holds = (ds: ReturnType<typeof ok>) => {
    for (const v of ds.inputs.data) expect(Number.isFinite(v) && Math.abs(v) <= FLOAT32_MAX).toBe(true);
    if (ds.targets.kind === 'classes') {
      expect(ds.targets.numClasses).toBeLessThanOrEqual(MAX_CLASSES);
      for (const label of ds.targets.labels) expect(label >= 0 && label < ds.targets.numClasses).toBe(true);
    }
    if (ds.targets.kind === 'regression') for (const v of ds.targets.values) expect(Number.isFinite(v)).toBe(true);
  };

  it('CSV: every accepted file holds finite float32 values and labels below the class limit; the rest is a FormatError with a line', () => {
    fc.assert(
      fc.property(fc.constantFrom('label', 'target'), fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 6 }), (kind, rows) => {
        const r = parseCsv(`${kind},x0,x1\n${rows.map((row) => row.join(',')).join('\n')}\n`, 'f.csv');
        if (r._tag === 'Right') holds(r.right);
        else expect(r.left.line === undefined ? r.left.problem : r.left.file).toBe('f.csv');
      }),
      { numRuns: 400 },
    );
  });

  it('NDJSON: the same for records with random numbers and labels', () => {
    const value = fc.oneof(fc.double(), fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.constantFrom(1e39, -3.5e38, 3.4e38, 4294967296, 99999, 100000));
    fc.assert(
      fc.property(fc.array(fc.record({ sequence: fc.array(value, { minLength: 1, maxLength: 4 }), label: value }), { minLength: 1, maxLength: 5 }), (records) => {
        const text = records.map((rec) => JSON.stringify(rec)).join('\n');
        const r = parseNdjson(text, 'f.ndjson');
        if (r._tag === 'Right') holds(r.right);
        else expect(r.left.file).toBe('f.ndjson');
      }),
      { numRuns: 300 },
    );
  });
});
