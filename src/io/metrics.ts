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
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
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
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, records.map((record) => `${toLine(record)}\n`).join(''));
}

/** Parses JSONL metrics text; `file` names the source in errors. */
export function parseMetrics(text: string, file: string): Either<FormatError, MetricRecord[]> {
  const lines = text.split('\n');
  const records: MetricRecord[] = [];
  for (let i = 0; i < lines.length; i++) {
    const source = lines[i].trim();
    if (source === '') continue;
    const isTruncatedTail = i === lines.length - 1;
    const json = parseJson(source, { file, line: i + 1 });
    if (json._tag === 'Left') {
      if (isTruncatedTail) break;
      return json;
    }
    if (typeof json.right !== 'object' || json.right === null || Array.isArray(json.right)) {
      return left(new FormatError('invalid metric record', { file, line: i + 1, expected: 'a JSON object', actual: describeValue(json.right) }));
    }
    const record = decodeWith(MetricRecordCodec, json.right, { file, line: i + 1 }, 'invalid metric record');
    if (record._tag === 'Left') return record;
    records.push({ ...(json.right as object), ...record.right } as MetricRecord);
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
