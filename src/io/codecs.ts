/**
 * Shared io-ts codecs for numbers and strings met in outside input, each named in words
 * ("a positive integer") so that validation errors read well.
 */
import * as t from 'io-ts';

/** A codec accepting the values of `base` that satisfy `predicate`, named `name`. */
export function refine<A, O>(base: t.Type<A, O, unknown>, predicate: (a: A) => boolean, name: string): t.Type<A, O, unknown> {
  return new t.Type<A, O, unknown>(
    name,
    (u): u is A => base.is(u) && predicate(u),
    (u, c) => {
      const decoded = base.validate(u, c);
      if (decoded._tag === 'Left') return t.failure(u, c, name);
      return predicate(decoded.right) ? decoded : t.failure(u, c, name);
    },
    base.encode,
  );
}

/** A plain decimal number as text: digits, an optional fraction and exponent (no hex, binary, octal, Infinity or NaN). */
export const DECIMAL_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export const Text = refine(t.string, () => true, 'a string');
export const FiniteNumber = refine(t.number, Number.isFinite, 'a finite number');
export const Int = refine(t.number, Number.isSafeInteger, 'an integer');
export const NonNegativeInt = refine(Int, (n) => n >= 0, 'a non-negative integer');
export const PositiveInt = refine(Int, (n) => n > 0, 'a positive integer');
export const NonNegativeNumber = refine(FiniteNumber, (n) => n >= 0, 'a non-negative number');
export const PositiveNumber = refine(FiniteNumber, (n) => n > 0, 'a positive number');
/** A probability-like value in [0, 1). */
export const UnitIntervalOpen = refine(FiniteNumber, (n) => n >= 0 && n < 1, 'a number in [0, 1)');
export const Int32 = refine(Int, (n) => n >= -0x80000000 && n <= 0x7fffffff, 'a 32-bit signed integer');
export const Uint32 = refine(Int, (n) => n >= 0 && n <= 0xffffffff, 'an unsigned 32-bit integer');
export const NonEmptyString = refine(t.string, (s) => s.length > 0, 'a non-empty string');

/**
 * `base` limited to values <= max. Its name is the base's; a value of the base type above the
 * bound fails with "<base name> up to <max>", anything else with the base's name.
 */
export function upTo(base: t.Type<number, number, unknown>, max: number): t.Type<number, number, unknown> {
  const bounded = `${base.name} up to ${max}`;
  return new t.Type<number, number, unknown>(
    base.name,
    (u): u is number => base.is(u) && u <= max,
    (u, c) => {
      const decoded = base.validate(u, c);
      if (decoded._tag === 'Left') return t.failure(u, c, base.name);
      return decoded.right <= max ? decoded : t.failure(u, c, bounded);
    },
    t.identity,
  );
}
export const PositiveIntUpTo = (max: number) => upTo(PositiveInt, max);
export const NonNegativeIntUpTo = (max: number) => upTo(NonNegativeInt, max);

/**
 * A single file or directory name: no path separators, not "." or "..", no control characters,
 * not starting with a dot or a dash, at most 255 bytes.
 */
export const PlainName = refine(
  t.string,
  (s) => s.length > 0 && new TextEncoder().encode(s).length <= 255 && !/[/\\\u0000-\u001f]/.test(s) && !s.startsWith('.') && !s.startsWith('-'),
  'a plain name (no "/", "\\" or control characters, not starting with "." or "-")',
);

/** A string-keyed enumeration, named after its allowed values ("one of cosine|linear|constant"). */
export function oneOf<K extends string>(values: readonly K[]): t.Type<K, K, unknown> {
  const keys = Object.fromEntries(values.map((v) => [v, null])) as { [key in K]: null };
  const base = t.keyof(keys);
  return new t.Type<K, K, unknown>(`one of ${values.join('|')}`, base.is, (u, c) => (base.is(u) ? t.success(u) : t.failure(u, c, `one of ${values.join('|')}`)), t.identity);
}
