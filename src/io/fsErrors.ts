/**
 * File-system failures as messages that name the path and say what went wrong in words. Node's
 * own messages often omit the path ("ENOSPC: no space left on device, write") or, for recursive
 * mkdir on a read-only file system, report the wrong cause ("ENOENT: no such file or
 * directory, mkdir"); `ensureDirectory` creates each missing component on its own so the real
 * cause comes back.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Words for the error codes a user can act on. */
const CAUSES: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device (the disk is full)',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large (over the file-size limit)',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a component of the path is not a directory',
  EISDIR: 'it is a directory',
  ENOENT: 'no such file or directory',
  EEXIST: 'it already exists',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
};

/** A file-system failure: `cannot <action> <path>: <cause> (<code>)`. Keeps the original code. */
export class FileSystemError extends Error {
  readonly code?: string;
  readonly path: string;
  constructor(action: string, path: string, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code;
    const words = code !== undefined && CAUSES[code] !== undefined ? `${CAUSES[code]} (${code})` : cause instanceof Error ? cause.message : String(cause);
    super(`cannot ${action} ${path}: ${words}`);
    this.name = 'FileSystemError';
    this.code = code;
    this.path = path;
  }
}

/** Runs `f`, turning any thrown error into a FileSystemError naming `path` (one already naming a path is kept). */
export function withPath<A>(action: string, path: string, f: () => A): A {
  try {
    return f();
  } catch (err) {
    if (err instanceof FileSystemError) throw err;
    throw new FileSystemError(action, path, err);
  }
}

/**
 * Creates `dir` and its missing parents one at a time, so a failure reports its real cause
 * (read-only file system, permission denied, a file in the way) for the component that failed.
 */
export function ensureDirectory(dir: string): void {
  const missing: string[] = [];
  let current = resolve(dir);
  for (;;) {
    let isDirectory: boolean | undefined;
    try {
      isDirectory = statSync(current).isDirectory();
    } catch {
      isDirectory = undefined;
    }
    if (isDirectory === true) break;
    if (isDirectory === false) throw new FileSystemError('create the directory', dir, Object.assign(new Error('not a directory'), { code: 'ENOTDIR' }));
    missing.push(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const component of missing.reverse()) {
    try {
      mkdirSync(component);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw new FileSystemError('create the directory', component === resolve(dir) ? dir : `${component} (for ${dir})`, err);
    }
  }
}
