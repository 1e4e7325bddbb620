/**
 * Users' own sequence data files (Node): read from disk, then parsed and validated by
 * userDataFormat.ts (formats, rules and errors are described there).
 */
import { readFileSync } from 'node:fs';
import { type Either, left } from 'fp-ts/Either';
import type { Dataset } from './dataset';
import { FormatError } from '../io/formatError';
import { type UserDataOptions, parseUserData } from './userDataFormat';

export * from './userDataFormat';

/** Reads a .csv, .ndjson or .jsonl file into a Dataset, or a FormatError. */
export function readUserData(file: string, options: UserDataOptions = {}): Either<FormatError, Dataset> {
  if (!/\.(csv|ndjson|jsonl)$/i.test(file)) return parseUserData('', file, options);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return left(new FormatError(`cannot read data file (${(err as Error).message})`, { file }));
  }
  return parseUserData(text, file, options);
}

/** readUserData that throws the FormatError. */
export function loadUserData(file: string, options: UserDataOptions = {}): Dataset {
  const result = readUserData(file, options);
  if (result._tag === 'Left') throw result.left;
  return result.right;
}
