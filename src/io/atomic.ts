/**
 * Atomic file replacement: the new content is written to a temporary file in the same
 * directory, flushed to disk (fsync), and renamed over the target. A rename within one
 * directory is atomic on POSIX filesystems, so readers see either the old file or the new
 * one, never a partial write; a crash before the rename leaves the old file untouched and a
 * stray temporary file (`.<name>.<pid>.<random>.tmp`), which removeStaleTemps deletes once the
 * process that wrote it has ended (a temporary file of a running writer is left alone).
 *
 * Writing is split in two phases (stageFile, then commit) so that several files can be
 * prepared before any of them replaces its predecessor. Failures (a full disk, a read-only
 * directory) are FileSystemErrors naming the file.
 */
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { FileSystemError } from './fsErrors';
import { processExists } from './processes';

/** A fully written and flushed temporary file waiting to replace `path`. */
export interface StagedFile {
  readonly path: string;
  readonly tempPath: string;
  /** Renames the temporary file over `path` and flushes the directory entry. */
  commit(): void;
  /** Deletes the temporary file. */
  abort(): void;
}

const TEMP_SUFFIX = '.tmp';

function tempPrefix(path: string): string {
  return `.${basename(path)}.`;
}

/** Flushes a directory so that a rename inside it survives a power loss (best effort). */
function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms cannot open or fsync directories; the rename itself is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes `data` to a new temporary file next to `path` and fsyncs it. */
export function stageFile(path: string, data: Uint8Array | string): StagedFile {
  const tempPath = join(dirname(path), `${tempPrefix(path)}${process.pid}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fd: number;
  try {
    fd = openSync(tempPath, 'wx', 0o644);
  } catch (err) {
    throw new FileSystemError('write', path, err);
  }
  try {
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tempPath, { force: true });
    throw new FileSystemError('write', path, err);
  }
  closeSync(fd);
  let done = false;
  return {
    path,
    tempPath,
    commit: () => {
      if (done) throw new Error(`stageFile: ${path} was already committed or aborted`);
      done = true;
      try {
        renameSync(tempPath, path);
      } catch (err) {
        rmSync(tempPath, { force: true });
        throw new FileSystemError('replace', path, err);
      }
      fsyncDirectory(dirname(path));
    },
    abort: () => {
      done = true;
      rmSync(tempPath, { force: true });
    },
  };
}

/** Replaces `path` with `data` atomically. */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  stageFile(path, data).commit();
}

/** The PID in a temporary file name `.<name>.<pid>.<random>.tmp`, if it has one. */
function writerOf(tempName: string, prefix: string): number | undefined {
  const match = /^(\d+)\.[0-9a-f]+$/.exec(tempName.slice(prefix.length, -TEMP_SUFFIX.length));
  return match ? Number(match[1]) : undefined;
}

/**
 * Temporary files left next to `path` by interrupted writes: those of this process and of
 * processes that no longer run (another live process may be writing its own).
 */
export function staleTemps(path: string): string[] {
  const prefix = tempPrefix(path);
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return [];
  }
  return names
    .filter((name) => name.startsWith(prefix) && name.endsWith(TEMP_SUFFIX))
    .filter((name) => {
      const pid = writerOf(name, prefix);
      return pid === undefined || pid === process.pid || !processExists(pid);
    })
    .map((name) => join(dirname(path), name));
}

/** Deletes the stale temporary files next to `path` (see staleTemps). */
export function removeStaleTemps(path: string): void {
  for (const temp of staleTemps(path)) rmSync(temp, { force: true });
}
