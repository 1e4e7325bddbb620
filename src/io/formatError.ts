/**
 * FormatError: the one error type for rejected outside input — data files, checkpoints,
 * safetensors files, metrics logs, configs and command-line flags.
 *
 * It says where the problem is (file, line or byte offset, field) and what was wrong
 * (what was expected, what was found), so that a message such as
 *
 *   train.csv:17: column "x3": expected a finite number, got "abc"
 *
 * can be acted on without reading the code.
 */

/** Where in the input a problem was found. Every part is optional. */
export interface FormatLocation {
  /** File path (or a descriptive source name such as "argv"). */
  readonly file?: string;
  /** 1-based line number, for line-oriented text formats. */
  readonly line?: number;
  /** 0-based byte offset, for binary formats. */
  readonly byteOffset?: number;
  /** Field, column or flag name, or a JSON path such as `sequence[3]`. */
  readonly field?: string;
}

/** What the input should have held, and what it held. */
export interface FormatProblem extends FormatLocation {
  readonly expected?: string;
  readonly actual?: string;
}

function locationPrefix(where: FormatLocation): string {
  let prefix = where.file ?? '';
  if (where.line !== undefined) prefix += `:${where.line}`;
  if (where.byteOffset !== undefined) prefix += `${prefix === '' ? '' : ' '}at byte ${where.byteOffset}`;
  return prefix;
}

/** Formats a problem as one readable line (used as the error message). */
export function formatProblem(problem: string, details: FormatProblem): string {
  const parts: string[] = [];
  const prefix = locationPrefix(details);
  if (prefix !== '') parts.push(prefix);
  if (details.field !== undefined) parts.push(`field "${details.field}"`);
  let text = problem;
  if (details.expected !== undefined) text += `: expected ${details.expected}`;
  if (details.actual !== undefined) text += `${details.expected !== undefined ? ',' : ':'} got ${details.actual}`;
  parts.push(text);
  return parts.join(': ');
}

/** Rejected outside input. `problem` is the bare description; `message` includes the location. */
export class FormatError extends Error {
  readonly problem: string;
  readonly file?: string;
  readonly line?: number;
  readonly byteOffset?: number;
  readonly field?: string;
  readonly expected?: string;
  readonly actual?: string;

  constructor(problem: string, details: FormatProblem = {}) {
    super(formatProblem(problem, details));
    this.name = 'FormatError';
    this.problem = problem;
    this.file = details.file;
    this.line = details.line;
    this.byteOffset = details.byteOffset;
    this.field = details.field;
    this.expected = details.expected;
    this.actual = details.actual;
  }

  /** The same problem, with location parts filled in where this error left them open. */
  at(where: FormatLocation): FormatError {
    return new FormatError(this.problem, {
      file: this.file ?? where.file,
      line: this.line ?? where.line,
      byteOffset: this.byteOffset ?? where.byteOffset,
      field: this.field ?? where.field,
      expected: this.expected,
      actual: this.actual,
    });
  }
}

/** A short, printable rendering of an unexpected input value for error messages. */
export function describeValue(value: unknown, maxLength = 40): string {
  if (value === undefined) return 'nothing (missing)';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  if (typeof value === 'number' && !Number.isFinite(value)) text = String(value);
  return text.length > maxLength ? `${text.slice(0, maxLength - 3)}...` : text;
}
