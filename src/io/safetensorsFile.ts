/** safetensors files on disk (Node): read with the byte-level checks of safetensors.ts, written atomically. */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic';
import { FormatError } from './formatError';
import { type SafetensorsContent, parseSafetensors, serializeSafetensors } from './safetensors';
import type { TensorMap } from './tensor';

/** Reads a safetensors file; throws a FormatError naming the file and byte offset. */
export function readSafetensors(file: string): SafetensorsContent {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new FormatError(`cannot read safetensors file (${(err as Error).message})`, { file });
  }
  const parsed = parseSafetensors(bytes, file);
  if (parsed._tag === 'Left') throw parsed.left;
  return parsed.right;
}

/** Writes a safetensors file atomically. */
export function writeSafetensors(file: string, tensors: TensorMap, metadata: Readonly<Record<string, string>> = {}): void {
  writeFileAtomic(file, serializeSafetensors(tensors, metadata));
}
