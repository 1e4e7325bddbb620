/**
 * A lock on a run directory, so that two training runs never write into the same directory:
 * `<dir>/run.lock` holds the PID, host, start time and command of the process that owns it.
 *
 * Taking the lock is atomic: the record is written to a temporary file and hard-linked to
 * `run.lock`, which fails when the name exists, so the lock file is never seen half written.
 * A lock whose process has ended (same host, PID gone or reused by a later process) is stale:
 * it is replaced, and `stale` says whose it was. A live holder's lock is a LockedError naming
 * the process. Within one process the lock is re-entrant (the command and the training loop
 * both take it); it is released when the last holder releases it, or when the process exits.
 */
import { linkSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { removeStaleTemps, stageFile } from './atomic';
import { FileSystemError, ensureDirectory } from './fsErrors';
import { processExists, processStartTime } from './processes';

export const LOCK_FILE = 'run.lock';

export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
  /** Process start time (Linux clock ticks), to tell a reused PID from the owner. */
  readonly processStart?: string;
  readonly command: string;
  readonly token: string;
}

export interface RunLock {
  readonly dir: string;
  readonly file: string;
  /** The owner of a stale lock that was replaced, if any. */
  readonly stale?: LockOwner;
  release(): void;
}

/** Another live process holds the directory. */
export class LockedError extends Error {
  constructor(
    readonly file: string,
    readonly owner: LockOwner | undefined,
  ) {
    super(
      owner
        ? `${file}: the run directory is in use by process ${owner.pid} on ${owner.host} (since ${owner.started}: ${owner.command}); ` +
            'wait for that run to end or stop it, or choose another --name'
        : `${file}: the run directory is locked by a lock file that cannot be read; if no run uses the directory, delete the file`,
    );
    this.name = 'LockedError';
  }
}

interface Held {
  readonly owner: LockOwner;
  count: number;
  readonly stale?: LockOwner;
}

const held = new Map<string, Held>();
let exitHookInstalled = false;

function readOwner(file: string): LockOwner | undefined {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockOwner>;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string' || typeof value.token !== 'string') return undefined;
    return {
      pid: value.pid,
      host: value.host,
      started: String(value.started ?? '?'),
      command: String(value.command ?? '?'),
      token: value.token,
      ...(typeof value.processStart === 'string' ? { processStart: value.processStart } : {}),
    };
  } catch {
    return undefined;
  }
}

/** True when the owner certainly no longer runs (a lock of another host is never judged stale). */
function isStale(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return false;
  if (owner.pid === process.pid) return false;
  if (!processExists(owner.pid)) return true;
  const start = processStartTime(owner.pid);
  return owner.processStart !== undefined && start !== undefined && start !== owner.processStart;
}

function releaseFile(file: string, owner: LockOwner): void {
  if (readOwner(file)?.token === owner.token) rmSync(file, { force: true });
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [file, h] of held) releaseFile(file, h.owner);
    held.clear();
  });
}

/** Takes the lock of `dir` (creating the directory), or throws a LockedError naming the holder. */
export function acquireRunLock(dir: string, command = process.argv.slice(1).join(' ')): RunLock {
  const file = join(dir, LOCK_FILE);
  const key = resolve(file);
  const mine = held.get(key);
  if (mine) {
    mine.count += 1;
    return handle(dir, file, mine);
  }
  ensureDirectory(dir);
  removeStaleTemps(file);
  const startTime = processStartTime(process.pid);
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    started: new Date().toISOString(),
    ...(startTime !== undefined ? { processStart: startTime } : {}),
    command,
    token: randomBytes(8).toString('hex'),
  };
  const staged = stageFile(file, `${JSON.stringify(owner)}\n`);
  let stale: LockOwner | undefined;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(staged.tempPath, file);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new FileSystemError('create the lock file', file, err);
      }
      const current = readOwner(file);
      if (attempt >= 3 || current === undefined || !isStale(current)) throw new LockedError(file, current);
      // Move the stale lock aside atomically; if it turns out to be a fresh one (a race with
      // another process replacing the same stale lock), put it back and report that process.
      const aside = join(dir, `.${LOCK_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
      try {
        renameSync(file, aside);
      } catch {
        continue;
      }
      const moved = readOwner(aside);
      if (moved?.token !== current.token) {
        try {
          linkSync(aside, file);
        } finally {
          rmSync(aside, { force: true });
        }
        throw new LockedError(file, moved);
      }
      rmSync(aside, { force: true });
      stale = current;
    }
  } finally {
    staged.abort();
  }
  const entry: Held = { owner, count: 1, ...(stale ? { stale } : {}) };
  held.set(key, entry);
  installExitHook();
  return handle(dir, file, entry);
}

function handle(dir: string, file: string, entry: Held): RunLock {
  let released = false;
  return {
    dir,
    file,
    ...(entry.stale ? { stale: entry.stale } : {}),
    release: () => {
      if (released) return;
      released = true;
      entry.count -= 1;
      if (entry.count === 0 && held.get(resolve(file)) === entry) {
        held.delete(resolve(file));
        releaseFile(file, entry.owner);
      }
    },
  };
}

/** The owner recorded in `dir`'s lock file, if there is one. */
export function lockOwner(dir: string): LockOwner | undefined {
  return readOwner(join(dir, LOCK_FILE));
}
