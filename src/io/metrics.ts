/**
 * Training metrics as JSON Lines: one JSON object per line, appended as training goes.
 *
 *   {"split":"train","step":120,"epoch":1,"loss":0.53,"lr":0.001,"time":12.5}
 *   {"split":"val","step":1000,"epoch":1,"loss":0.41,"accuracy":0.874}
 *
 * `split` and `step` are required; `epoch`, `loss`, `accuracy` (a fraction in [0, 1]), `lr`,
 * `time` (seconds since the start) and `throughput` (examples per second) are optional and
 * checked when present; any other fields are kept as they are. Non-finite numbers (a
 * diverged loss) are written as null and read back as NaN.
 *
 * Reading tolerates a truncated last line (a crash during an append); any other bad line is a
 * FormatError naming the file, line and field.
 *
 * A resumed run rolls the file back to its checkpoint's step (`rollbackMetrics`): records of
 * later steps (written after the checkpoint by the interrupted segment) and torn or unreadable
 * lines are dropped, and the file is replaced atomically, so appends always start on a fresh
 * line and no step is recorded twice.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from './atomic';
import { FileSystemError, ensureDirectory, withPath } from './fsErrors';
import * as t from 'io-ts';
import { Either, left, right } from 'fp-ts/Either';
import { NonNegativeInt, oneOf } from './codecs';
import { FormatError, describeValue } from './formatError';
import { decodeWith, parseJson } from './ioTsReport';

/** A number, or null standing for a non-finite value (decoded as NaN). */
const NumberOrNull = new t.Type<number, number | null, unknown>(
  'a number or null',
  (u): u is number => typeof u === 'number',
  (u, c) => (u === null ? t.success(NaN) : typeof u === 'number' ? t.success(u) : t.failure(u, c, 'a number or null')),
  (n) => (Number.isFinite(n) ? n : null),
);
const Fraction = new t.Type<number, number | null, unknown>(
  'a fraction in [0, 1] or null',
  (u): u is number => typeof u === 'number',
  (u, c) => (u === null ? t.success(NaN) : typeof u === 'number' && u >= 0 && u <= 1 ? t.success(u) : t.failure(u, c, 'a fraction in [0, 1] or null')),
  (n) => (Number.isFinite(n) ? n : null),
);

export const MetricRecordCodec = t.intersection([
  t.type({ split: oneOf(['train', 'val', 'test'] as const), step: NonNegativeInt }),
  t.partial({ epoch: NonNegativeInt, loss: NumberOrNull, accuracy: Fraction, lr: NumberOrNull, time: NumberOrNull, throughput: NumberOrNull }),
]);

export interface MetricRecord {
  readonly split: 'train' | 'val' | 'test';
  readonly step: number;
  readonly epoch?: number;
  readonly loss?: number;
  readonly accuracy?: number;
  readonly lr?: number;
  readonly time?: number;
  readonly throughput?: number;
  readonly [extra: string]: unknown;
}

function toLine(record: MetricRecord): string {
  return JSON.stringify(record, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value));
}

/** Appends records to a JSONL file (creating it and its directory). */
export function appendMetrics(file: string, ...records: MetricRecord[]): void {
  for (const record of records) {
    const valid = decodeWith(MetricRecordCodec, JSON.parse(toLine(record)), { file: '<metric record>' }, 'invalid metric record');
    if (valid._tag === 'Left') throw valid.left;
  }
  ensureDirectory(dirname(file));
  withPath('append to', file, () => appendFileSync(file, records.map((record) => `${toLine(record)}\n`).join('')));
}

/** What rollbackMetrics kept and dropped. */
export interface MetricsRollback {
  /** The records kept, in file order. */
  readonly records: MetricRecord[];
  /** Records of steps after the checkpoint, dropped. */
  readonly droppedAfter: number;
  /** Lines that could not be read (torn by a crash or a full disk), dropped: "file:line: problem". */
  readonly repaired: readonly string[];
}

/**
 * Keeps the records of steps <= `step` (all of them with `step` Infinity), drops unreadable
 * lines, and replaces the file atomically when anything was dropped or its last line was not
 * terminated. A missing file is an empty one.
 */
export function rollbackMetrics(file: string, step: number): MetricsRollback {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], droppedAfter: 0, repaired: [] };
    throw new FileSystemError('read', file, err);
  }
  const lines = text.split('\n');
  const kept: string[] = [];
  const records: MetricRecord[] = [];
  const repaired: string[] = [];
  let droppedAfter = 0;
  for (let i = 0; i < lines.length; i++) {
    const source = lines[i].trim();
    if (source === '') continue;
    const parsed = parseMetricLine(source, file, i + 1);
    if (parsed._tag === 'Left') {
      repaired.push(parsed.left.message);
      continue;
    }
    const record = parsed.right;
    if (record.step > step) {
      droppedAfter += 1;
      continue;
    }
    kept.push(source);
    records.push(record);
  }
  const content = kept.map((line) => `${line}\n`).join('');
  if (content !== text) writeFileAtomic(file, content);
  return { records, droppedAfter, repaired };
}

/** Parses one line of a metrics file (1-based `line` for messages). */
export function parseMetricLine(source: string, file: string, line: number): Either<FormatError, MetricRecord> {
  const json = parseJson(source, { file, line });
  if (json._tag === 'Left') return json;
  if (typeof json.right !== 'object' || json.right === null || Array.isArray(json.right)) {
    return left(new FormatError('invalid metric record', { file, line, expected: 'a JSON object', actual: describeValue(json.right) }));
  }
  const record = decodeWith(MetricRecordCodec, json.right, { file, line }, 'invalid metric record');
  if (record._tag === 'Left') return record;
  return right({ ...(json.right as object), ...record.right } as MetricRecord);
}

/** Parses JSONL metrics text; `file` names the source in errors. */
export function parseMetrics(text: string, file: string): Either<FormatError, MetricRecord[]> {
  const lines = text.split('\n');
  const records: MetricRecord[] = [];
  for (let i = 0; i < lines.length; i++) {
    const source = lines[i].trim();
    if (source === '') continue;
    const record = parseMetricLine(source, file, i + 1);
    if (record._tag === 'Left') {
      // A truncated last line is a crash during an append; everything before it is good.
      if (i === lines.length - 1 && record.left.problem.startsWith('invalid JSON')) break;
      return record;
    }
    records.push(record.right);
  }
  return right(records);
}

/** Reads a JSONL metrics file; throws a FormatError. */
export function readMetrics(file: string): MetricRecord[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new FormatError(`cannot read metrics file (${(err as Error).message})`, { file });
  }
  const parsed = parseMetrics(text, file);
  if (parsed._tag === 'Left') throw parsed.left;
  return parsed.right;
}
