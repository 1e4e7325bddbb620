/**
 * Turns io-ts validation errors into FormatErrors that name the failing field (as a JSON path
 * such as `optimizer.step` or `sequence[3][1]`), the expected type and the value found.
 *
 * Union members and intersection parts add context entries that are not fields; they are left
 * out of the path. Codecs are given readable names where they are defined so that the
 * "expected" text is useful (e.g. "a non-negative integer").
 */
import * as t from 'io-ts';
import { Either, left, right } from 'fp-ts/Either';
import { FormatError, FormatLocation, describeValue } from './formatError';

/** Tags of io-ts combinators whose context keys are member indices, not data fields. */
const STRUCTURAL_TAGS = new Set(['UnionType', 'IntersectionType']);

function typeTag(decoder: t.Decoder<unknown, unknown>): string | undefined {
  return (decoder as { _tag?: string })._tag;
}

/** The JSON path of the value an io-ts error is about, e.g. `layers[2].size`. */
export function errorPath(error: t.ValidationError): string {
  let path = '';
  const context = error.context;
  for (let i = 1; i < context.length; i++) {
    const parentTag = typeTag(context[i - 1].type);
    if (parentTag !== undefined && STRUCTURAL_TAGS.has(parentTag)) continue;
    const key = context[i].key;
    path += /^\d+$/.test(key) ? `[${key}]` : path === '' ? key : `.${key}`;
  }
  return path;
}

/** Converts the first io-ts error into a FormatError at `where` (its field is prefixed). */
export function toFormatError(errors: t.Errors, where: FormatLocation = {}, what = 'invalid value'): FormatError {
  const first = errors[0];
  if (first === undefined) return new FormatError(what, where);
  const path = errorPath(first);
  const field = where.field === undefined ? path : path === '' ? where.field : joinPath(where.field, path);
  const leaf = first.context[first.context.length - 1];
  const expected = first.message ?? leaf?.type.name ?? 'a valid value';
  return new FormatError(what, { ...where, field: field === '' ? undefined : field, expected, actual: describeValue(first.value) });
}

function joinPath(prefix: string, path: string): string {
  return path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`;
}

/** Decodes `value` with `codec`, reporting failure as a FormatError located at `where`. */
export function decodeWith<A, O>(
  codec: t.Type<A, O, unknown>,
  value: unknown,
  where: FormatLocation = {},
  what = 'invalid value',
): Either<FormatError, A> {
  const result = codec.decode(value);
  return result._tag === 'Right' ? right(result.right) : left(toFormatError(result.left, where, what));
}

/** Like decodeWith, but throws the FormatError. */
export function decodeOrThrow<A, O>(codec: t.Type<A, O, unknown>, value: unknown, where: FormatLocation = {}, what?: string): A {
  const result = decodeWith(codec, value, where, what);
  if (result._tag === 'Left') throw result.left;
  return result.right;
}

/** Parses JSON text, reporting a syntax error as a FormatError (with the byte position when known). */
export function parseJson(text: string, where: FormatLocation = {}): Either<FormatError, unknown> {
  try {
    return right(JSON.parse(text) as unknown);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const position = /position (\d+)/.exec(message);
    const offset =
      position !== null && where.line === undefined
        ? (where.byteOffset ?? 0) + utf8Length(text.slice(0, Number(position[1])))
        : where.byteOffset;
    return left(new FormatError(`invalid JSON (${message})`, { ...where, byteOffset: offset }));
  }
}

/** Bytes of `text` in UTF-8 (what Buffer.byteLength gives, in browsers too). */
export const utf8Length = (text: string): number => new TextEncoder().encode(text).length;
