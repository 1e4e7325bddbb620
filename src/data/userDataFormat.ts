/**
 * Users' own sequence data, from NDJSON or CSV text, validated line by line with io-ts.
 * Every error names the file, the 1-based line number and the field or column. This module
 * works on text (a browser's File API gives the same text and the same errors); userData.ts
 * reads the files.
 *
 * NDJSON (`.ndjson`, `.jsonl`): one JSON object per non-blank line,
 *
 *   {"sequence": [0.1, 0.5, 0.2], "label": 2}                  one channel, a class label
 *   {"sequence": [[0.1, 1], [0.5, 0], [0.2, 0]], "target": 0.7}  steps x channels, regression
 *   {"sequence": [...], "target": [0.7, 1.2]}                    vector regression target
 *   {"sequence": [...]}                                          no target (prediction input)
 *
 *   `label` is a class id (an integer from 0 to MAX_CLASSES - 1), `target` a number or array of
 *   them. No other fields are allowed. All lines must agree on the channel count and on the kind (and size)
 *   of target.
 *
 * CSV (`.csv`): a header row, then one row per sequence.
 *   - a column named `label` (integer class), or regression targets in a column `target` or
 *     columns `target0`, `target1`, ... (none: prediction input);
 *   - every other column is a sequence value, in time order; with C channels (option
 *     `channels`, default 1) the values are time-major: step 0 channel 0..C-1, step 1, ...
 *   - shorter sequences leave their last cells empty (a whole number of steps).
 *   Cells are plain decimal numbers such as 12, -0.5 or 1e-3 (surrounding double quotes and
 *   spaces are ignored; hexadecimal, binary, octal and Infinity are refused).
 *
 * Every value must lie within the float32 range (|x| <= 3.4028234663852886e38): the data is
 * stored as float32, and a larger value would become an infinity and poison training.
 *
 * Sequences of different lengths are zero-padded to the longest (or to `seqLen`) and the
 * resulting Dataset carries their `lengths`. Classification datasets have
 * numClasses = options.numClasses ?? (largest label + 1).
 */
import * as t from 'io-ts';
import { Either, left, right } from 'fp-ts/Either';
import { DECIMAL_NUMBER, refine } from '../io/codecs';
import { FormatError, describeValue } from '../io/formatError';
import { decodeWith, parseJson } from '../io/ioTsReport';
import { Dataset, Targets } from './dataset';

export interface UserDataOptions {
  /** Dataset name (default: the file path). */
  readonly name?: string;
  /** CSV only: channels per time step (default 1). NDJSON infers it from the sequences. */
  readonly channels?: number;
  /** Number of classes; labels must be below it (default: largest label + 1). */
  readonly numClasses?: number;
  /** Pad every sequence to this length (longer ones are an error). Default: the longest. */
  readonly seqLen?: number;
}

/** Largest float32 value; data values beyond it would be stored as infinities. */
export const FLOAT32_MAX = 3.4028234663852886e38;
/** Most classes a label may name (labels are 0 .. MAX_CLASSES - 1). */
export const MAX_CLASSES = 100_000;
/** Most values per time step of an NDJSON sequence (CSV: the --channels flag). */
export const MAX_CHANNELS = 100_000;

const IN_RANGE = 'a finite number within the float32 range (|x| <= 3.4e38)';
/** A number within the float32 range ("a finite number" for anything else, so the message says which rule failed). */
const DataNumber = new t.Type<number, number, unknown>(
  'a finite number',
  (u): u is number => typeof u === 'number' && Number.isFinite(u) && Math.abs(u) <= FLOAT32_MAX,
  (u, c) => (typeof u !== 'number' ? t.failure(u, c, 'a finite number') : Number.isFinite(u) && Math.abs(u) <= FLOAT32_MAX ? t.success(u) : t.failure(u, c, IN_RANGE)),
  t.identity,
);
/** A class id. */
const ClassId = refine(t.number, (n) => Number.isSafeInteger(n) && n >= 0 && n < MAX_CLASSES, `a class id: an integer from 0 to ${MAX_CLASSES - 1}`);

/** One parsed example: steps x channels values (time-major) and its target. */
interface Row {
  readonly line: number;
  readonly values: number[];
  readonly steps: number;
  readonly label?: number;
  readonly target?: number[];
}

type TargetKind = 'label' | 'target' | 'none';

const Sequence1D = t.array(DataNumber, 'an array of numbers');
const Sequence2D = t.array(t.array(DataNumber, 'an array of numbers (one per channel)'), 'an array of steps');
/** number[] or number[][], dispatched on the first element so errors point at the exact value. */
const SequenceCodec = new t.Type<number[] | number[][], number[] | number[][], unknown>(
  'number[] | number[][]',
  (u): u is number[] | number[][] => Sequence1D.is(u) || Sequence2D.is(u),
  (u, c) => {
    if (!Array.isArray(u) || u.length === 0) return t.failure(u, c, 'a non-empty array of numbers or of number arrays');
    return Array.isArray(u[0]) ? Sequence2D.validate(u, c) : Sequence1D.validate(u, c);
  },
  t.identity,
);
const TargetCodec = t.union([DataNumber, t.array(DataNumber)], 'a number or an array of numbers within the float32 range');
const NdjsonRecord = t.intersection([t.type({ sequence: SequenceCodec }), t.partial({ label: ClassId, target: TargetCodec })]);
const NDJSON_FIELDS = new Set(['sequence', 'label', 'target']);

/** A CSV cell holding a decimal number within the float32 range. */
const NumberCell = new t.Type<number, string, unknown>(
  'a finite number',
  (u): u is number => DataNumber.is(u),
  (u, c) => {
    const text = typeof u === 'string' ? u.trim() : '';
    if (!DECIMAL_NUMBER.test(text)) return t.failure(u, c, text !== '' && Number.isFinite(Number(text)) ? 'a decimal number (not hexadecimal, binary or octal)' : 'a finite number');
    const n = Number(text);
    return DataNumber.is(n) ? t.success(n) : t.failure(u, c, IN_RANGE);
  },
  String,
);
const LabelCell = new t.Type<number, string, unknown>(
  'a class id',
  (u): u is number => ClassId.is(u),
  (u, c) => {
    if (typeof u !== 'string' || !/^\s*\d+\s*$/.test(u)) return t.failure(u, c, 'a non-negative integer');
    const n = Number(u);
    return ClassId.is(n) ? t.success(n) : t.failure(u, c, ClassId.name);
  },
  String,
);

function fail(problem: string, file: string, line: number, extra: { field?: string; expected?: string; actual?: string } = {}): Either<FormatError, never> {
  return left(new FormatError(problem, { file, line, ...extra }));
}

function ndjsonRows(text: string, file: string): Either<FormatError, Row[]> {
  const rows: Row[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const source = lines[i].trim();
    if (source === '') continue;
    const json = parseJson(source, { file, line });
    if (json._tag === 'Left') return json;
    if (typeof json.right !== 'object' || json.right === null || Array.isArray(json.right)) {
      return fail('invalid record', file, line, { expected: 'a JSON object', actual: describeValue(json.right) });
    }
    const unknown = Object.keys(json.right).find((key) => !NDJSON_FIELDS.has(key));
    if (unknown !== undefined) return fail('unknown field', file, line, { field: unknown, expected: 'only "sequence", "label" and "target"' });
    const record = decodeWith(NdjsonRecord, json.right, { file, line }, 'invalid record');
    if (record._tag === 'Left') return record;
    const { sequence, label, target } = record.right;
    if (label !== undefined && target !== undefined) return fail('a record has both "label" and "target"', file, line, { expected: 'one of them' });
    const matrix = (sequence as unknown[]).every(Array.isArray) ? (sequence as number[][]) : (sequence as number[]).map((v) => [v]);
    const channels = matrix[0].length;
    if (channels > MAX_CHANNELS) return fail('too many channels', file, line, { field: 'sequence[0]', expected: `at most ${MAX_CHANNELS} values per step`, actual: `${channels}` });
    const badStep = matrix.findIndex((step) => step.length !== channels);
    if (channels === 0 || badStep >= 0) {
      return fail('steps have different channel counts', file, line, { field: `sequence[${Math.max(badStep, 0)}]`, expected: `${channels || 'at least 1'} channels`, actual: `${matrix[Math.max(badStep, 0)].length}` });
    }
    rows.push({ line, values: matrix.flat(), steps: matrix.length, label, target: target === undefined ? undefined : [target].flat() });
  }
  return right(rows);
}

function splitCsvLine(line: string): string[] {
  return line.split(',').map((cell) => cell.trim().replace(/^"(.*)"$/, '$1').trim());
}

function csvRows(text: string, file: string, channels: number): Either<FormatError, Row[]> {
  const lines = text.replace(/^\uFEFF/, '').split('\n').map((l) => l.replace(/\r$/, ''));
  const header = splitCsvLine(lines[0] ?? '');
  const duplicate = header.find((name, i) => header.indexOf(name) !== i);
  if (duplicate !== undefined) return fail('duplicate column name', file, 1, { field: duplicate });
  const labelColumn = header.indexOf('label');
  const targetColumns = header.map((name, i) => (/^target\d*$/.test(name) ? i : -1)).filter((i) => i >= 0);
  if (labelColumn >= 0 && targetColumns.length > 0) return fail('both "label" and "target" columns', file, 1, { expected: 'one of them' });
  const valueColumns = header.map((_, i) => i).filter((i) => i !== labelColumn && !targetColumns.includes(i));
  if (valueColumns.length === 0 || valueColumns.length % channels !== 0) {
    return fail('bad number of value columns', file, 1, { expected: `a positive multiple of ${channels} (channels)`, actual: `${valueColumns.length}` });
  }
  const rows: Row[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = i + 1;
    if (lines[i].trim() === '') continue;
    const cells = splitCsvLine(lines[i]);
    if (cells.length !== header.length) return fail('wrong number of cells', file, line, { expected: `${header.length} (as in the header)`, actual: `${cells.length}` });
    const values: number[] = [];
    let ended = -1;
    for (const column of valueColumns) {
      if (cells[column] === '') {
        if (ended < 0) ended = column;
        continue;
      }
      if (ended >= 0) return fail('value after an empty cell', file, line, { field: header[column], expected: 'empty cells only at the end of a sequence' });
      const value = decodeWith(NumberCell, cells[column], { file, line, field: header[column] }, 'invalid value');
      if (value._tag === 'Left') return value;
      values.push(value.right);
    }
    if (values.length === 0 || values.length % channels !== 0) {
      return fail('incomplete sequence', file, line, { expected: `a positive whole number of ${channels}-channel steps`, actual: `${values.length} values` });
    }
    let label: number | undefined;
    if (labelColumn >= 0) {
      const decoded = decodeWith(LabelCell, cells[labelColumn], { file, line, field: 'label' }, 'invalid label');
      if (decoded._tag === 'Left') return decoded;
      label = decoded.right;
    }
    const target: number[] = [];
    for (const column of targetColumns) {
      const decoded = decodeWith(NumberCell, cells[column], { file, line, field: header[column] }, 'invalid target');
      if (decoded._tag === 'Left') return decoded;
      target.push(decoded.right);
    }
    rows.push({ line, values, steps: values.length / channels, label, target: targetColumns.length > 0 ? target : undefined });
  }
  return right(rows);
}

function targetKind(row: Row): TargetKind {
  return row.label !== undefined ? 'label' : row.target !== undefined ? 'target' : 'none';
}

/** Checks agreement between rows and packs them into a padded Dataset. */
function rowsToDataset(rows: Row[], file: string, channels: number, options: UserDataOptions): Either<FormatError, Dataset> {
  if (rows.length === 0) return left(new FormatError('no sequences in file', { file }));
  const first = rows[0];
  const kind = targetKind(first);
  const targetDim = first.target?.length ?? 0;
  let longest = 0;
  for (const row of rows) {
    if (targetKind(row) !== kind) return fail('records disagree on the kind of target', file, row.line, { expected: `"${kind}" as on line ${first.line}`, actual: `"${targetKind(row)}"` });
    if ((row.target?.length ?? 0) !== targetDim) return fail('target size differs', file, row.line, { field: 'target', expected: `${targetDim} as on line ${first.line}`, actual: `${row.target?.length ?? 0}` });
    if (row.values.length / row.steps !== channels) {
      return fail('channel count differs', file, row.line, { field: 'sequence', expected: `${channels} channels as on line ${first.line}`, actual: `${row.values.length / row.steps}` });
    }
    longest = Math.max(longest, row.steps);
  }
  const seqLen = options.seqLen ?? longest;
  const tooLong = rows.find((row) => row.steps > seqLen);
  if (tooLong !== undefined) return fail('sequence too long', file, tooLong.line, { field: 'sequence', expected: `at most ${seqLen} steps`, actual: `${tooLong.steps}` });
  let targets: Targets = { kind: 'none' };
  if (kind === 'label') {
    const labels = Int32Array.from(rows, (row) => row.label ?? 0);
    let largest = 0;
    for (const label of labels) if (label > largest) largest = label;
    const numClasses = options.numClasses ?? largest + 1;
    const bad = rows.find((row) => (row.label ?? 0) >= numClasses);
    if (bad !== undefined) return fail('label out of range', file, bad.line, { field: 'label', expected: `a class below ${numClasses}`, actual: `${bad.label}` });
    targets = { kind: 'classes', labels, numClasses };
  } else if (kind === 'target') {
    targets = { kind: 'regression', values: Float32Array.from(rows.flatMap((row) => row.target ?? [])), dim: targetDim };
  }
  const data = new Float32Array(rows.length * seqLen * channels);
  rows.forEach((row, n) => data.set(row.values, n * seqLen * channels));
  const padded = rows.some((row) => row.steps !== seqLen);
  return right({
    name: options.name ?? file,
    size: rows.length,
    seqLen,
    inputs: { kind: 'float', data, channels },
    targets,
    ...(padded ? { lengths: Int32Array.from(rows, (row) => row.steps) } : {}),
    sourceLines: Int32Array.from(rows, (row) => row.line),
  });
}

/** Parses NDJSON text (see the module comment); `file` names the source in errors. */
export function parseNdjson(text: string, file: string, options: UserDataOptions = {}): Either<FormatError, Dataset> {
  const rows = ndjsonRows(text, file);
  if (rows._tag === 'Left') return rows;
  const channels = rows.right.length > 0 ? rows.right[0].values.length / rows.right[0].steps : 1;
  return rowsToDataset(rows.right, file, channels, options);
}

/** Parses CSV text (see the module comment); `file` names the source in errors. */
export function parseCsv(text: string, file: string, options: UserDataOptions = {}): Either<FormatError, Dataset> {
  const channels = options.channels ?? 1;
  if (!Number.isSafeInteger(channels) || channels < 1) return left(new FormatError('bad channel count', { file, expected: 'a positive integer', actual: `${channels}` }));
  const rows = csvRows(text, file, channels);
  return rows._tag === 'Left' ? rows : rowsToDataset(rows.right, file, channels, options);
}

/** Parses a .csv, .ndjson or .jsonl file's text (the format from `file`'s extension) into a Dataset, or a FormatError. */
export function parseUserData(text: string, file: string, options: UserDataOptions = {}): Either<FormatError, Dataset> {
  const format = /\.csv$/i.test(file) ? 'csv' : /\.(ndjson|jsonl)$/i.test(file) ? 'ndjson' : undefined;
  if (format === undefined) return left(new FormatError('unknown data file type', { file, expected: 'a .csv, .ndjson or .jsonl file' }));
  return format === 'csv' ? parseCsv(text, file, options) : parseNdjson(text, file, options);
}
