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

/** A string-keyed enumeration, named after its allowed values ("one of cosine|linear|constant"). */
export function oneOf<K extends string>(values: readonly K[]): t.Type<K, K, unknown> {
  const keys = Object.fromEntries(values.map((v) => [v, null])) as { [key in K]: null };
  const base = t.keyof(keys);
  return new t.Type<K, K, unknown>(`one of ${values.join('|')}`, base.is, (u, c) => (base.is(u) ? t.success(u) : t.failure(u, c, `one of ${values.join('|')}`)), t.identity);
}
