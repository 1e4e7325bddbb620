/**
 * A small, strict command-line flag parser driven by a table of flag specs.
 *
 * Syntax: `--name value`, `--name=value`, boolean `--name` / `--no-name` / `--name=true|false`.
 * Flag names are kebab-case (`--d-model`); underscores are accepted as dashes (`--d_model`).
 * Values are converted from text by the spec's kind (numbers are plain decimals: no hex, binary
 * or octal) and then validated with its io-ts codec.
 * Errors are FormatErrors with `field` = the flag, naming the expected type and the text
 * given; an unknown flag gets a did-you-mean suggestion.
 */
import * as t from 'io-ts';
import { Either, left, right } from 'fp-ts/Either';
import { DECIMAL_NUMBER } from '../io/codecs';
import { FormatError } from '../io/formatError';

export type FlagKind = 'string' | 'number' | 'boolean';

export interface FlagSpec<A> {
  readonly kind: FlagKind;
  /** Validates the converted value; its name is the "expected" text of errors. */
  readonly codec: t.Type<A, unknown, unknown>;
  /** Value when the flag is absent; undefined with `required` unset means "optional, no value". */
  readonly default?: A;
  readonly required?: boolean;
  readonly help: string;
  /** Placeholder in help, e.g. "<n>" or "<path>". */
  readonly placeholder?: string;
  /** Heading under which help lists the flag. */
  readonly group: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- codecs are invariant in their type; `any` admits every spec.
export type FlagTable = Readonly<Record<string, FlagSpec<any>>>;

/** The parsed values of a table: each key has its codec's type (undefined allowed for optional flags). */
export type FlagValues<T extends FlagTable> = {
  -readonly [K in keyof T]: T[K] extends FlagSpec<infer A> ? (T[K] extends { required: true } ? A : T[K] extends { default: A } ? A : A | undefined) : never;
};

/** `dModel` -> `d-model`. */
export function kebabCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Levenshtein edit distance. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

/** The closest candidate within a third of the name's length (at least 2 edits), if any. */
export function suggest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = Math.min(editDistance(name, candidate), candidate.startsWith(name) && name.length >= 3 ? 1 : Infinity);
    if (distance < bestDistance) (best = candidate), (bestDistance = distance);
  }
  return best;
}

const BOOLEAN_WORDS: Record<string, boolean> = { true: true, false: false, yes: true, no: false, '1': true, '0': false };

function convert(kind: FlagKind, text: string): unknown {
  if (kind === 'string') return text;
  if (kind === 'boolean') return BOOLEAN_WORDS[text.toLowerCase()] ?? text;
  // Plain decimal numbers only (Number() would also take "0x10", "0b1" and "0o7").
  const trimmed = text.trim();
  return DECIMAL_NUMBER.test(trimmed) && Number.isFinite(Number(trimmed)) ? Number(trimmed) : text;
}

const SOURCE = 'command line';

function flagError(flag: string, problem: string, expected?: string, actual?: string): FormatError {
  return new FormatError(problem, { file: SOURCE, field: `--${flag}`, expected, actual });
}

/**
 * Parses `args` (the arguments after the command) against `table`. Returns the values with
 * defaults filled in, or the first problem found.
 */
export function parseFlags<T extends FlagTable>(args: readonly string[], table: T): Either<FormatError, FlagValues<T>> {
  const byFlag = new Map(Object.keys(table).map((key) => [kebabCase(key), key]));
  const given = new Map<string, unknown>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--') || arg === '--') {
      return left(new FormatError('unexpected argument', { file: SOURCE, field: arg, expected: 'a --flag (values follow their flag)' }));
    }
    const eq = arg.indexOf('=');
    let name = (eq >= 0 ? arg.slice(2, eq) : arg.slice(2)).replace(/_/g, '-');
    let inline: string | undefined = eq >= 0 ? arg.slice(eq + 1) : undefined;
    let key = byFlag.get(name);
    if (key === undefined && name.startsWith('no-') && table[byFlag.get(name.slice(3)) ?? '']?.kind === 'boolean') {
      if (inline !== undefined) return left(flagError(name, 'a --no- flag takes no value', undefined, inline));
      name = name.slice(3);
      key = byFlag.get(name);
      inline = 'false';
    }
    if (key === undefined) {
      const hint = suggest(name, [...byFlag.keys()]);
      return left(new FormatError(`unknown flag${hint ? ` (did you mean --${hint}?)` : ''}`, { file: SOURCE, field: `--${name}` }));
    }
    const spec = table[key];
    if (given.has(key)) return left(flagError(name, 'flag given more than once'));
    let text: string;
    if (inline !== undefined) text = inline;
    else if (spec.kind === 'boolean') text = 'true';
    else if (i + 1 < args.length && !args[i + 1].startsWith('--')) text = args[++i];
    else return left(flagError(name, 'missing value', spec.codec.name));
    const value = convert(spec.kind, text);
    const decoded = spec.codec.decode(value);
    if (decoded._tag === 'Left') return left(flagError(name, 'invalid value', decoded.left[0]?.message ?? spec.codec.name, JSON.stringify(text)));
    given.set(key, decoded.right);
  }
  const values: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(table)) {
    if (given.has(key)) values[key] = given.get(key);
    else if (spec.required) return left(flagError(kebabCase(key), 'missing required flag', spec.codec.name));
    else values[key] = spec.default;
  }
  return right(values as FlagValues<T>);
}

function describeDefault(spec: FlagSpec<unknown>): string {
  if (spec.required) return ' (required)';
  if (spec.default === undefined) return '';
  return ` (default: ${spec.kind === 'boolean' ? (spec.default ? 'on' : 'off') : String(spec.default)})`;
}

/** Help lines for a table, grouped, with aligned descriptions. */
export function formatFlagHelp(table: FlagTable): string {
  const rows = Object.entries(table).map(([key, spec]) => {
    const flag = spec.kind === 'boolean' ? `--[no-]${kebabCase(key)}` : `--${kebabCase(key)} ${spec.placeholder ?? '<value>'}`;
    return { group: spec.group, flag, text: `${spec.help}${describeDefault(spec)}` };
  });
  const width = Math.max(...rows.map((r) => r.flag.length)) + 2;
  const groups = [...new Set(rows.map((r) => r.group))];
  return groups
    .map((group) => [`${group}:`, ...rows.filter((r) => r.group === group).map((r) => `  ${r.flag.padEnd(width)}${r.text}`)].join('\n'))
    .join('\n\n');
}
