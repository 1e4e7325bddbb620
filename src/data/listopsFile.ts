/** LRA ListOps TSV files on disk (Node): read, then parsed and validated by listops.ts. */
import { readFileSync } from 'node:fs';
import { FormatError } from '../io/formatError';
import { type ListOpsSample, parseListOpsTsv } from './listops';

/** Reads an LRA ListOps TSV file (header `Source\tTarget`), validating every row. */
export function readListOpsTsv(file: string, tokenize: (source: string) => string[]): ListOpsSample[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new FormatError(`cannot read ListOps file (${(err as Error).message})`, { file });
  }
  return parseListOpsTsv(text, file, tokenize);
}
