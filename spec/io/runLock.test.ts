/**
 * The run-directory lock (issue 10, item 4): one holder at a time, named in the refusal;
 * re-entrant within a process; released on release() and when the process exits; a lock of a
 * process that ended (or whose PID now belongs to a later process) is taken over.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE, LockedError, acquireRunLock, lockOwner } from '../../src/io/runLock';
import { processStartTime } from '../../src/io/processes';

const fresh = () => mkdtempSync(join(tmpdir(), 'lock-'));
const deadPid = () => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());

describe('run lock', () => {
  it('records the holder, is re-entrant in one process and goes away with the last release', () => {
    const dir = join(fresh(), 'run');
    const a = acquireRunLock(dir, 'ssmjit train --name run');
    const owner = lockOwner(dir);
    expect(owner).toMatchObject({ pid: process.pid, host: hostname(), command: 'ssmjit train --name run' });
    const b = acquireRunLock(dir);
    a.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    b.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses while another live process holds it, naming the process', () => {
    const dir = fresh();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: other.pid, host: hostname(), started: 'then', command: 'ssmjit train (other)', token: 't' }));
      expect(() => acquireRunLock(dir)).toThrow(LockedError);
      expect(() => acquireRunLock(dir)).toThrow(`the run directory is in use by process ${other.pid} on ${hostname()} (since then: ssmjit train (other))`);
      expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid).toBe(other.pid);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('takes over the lock of an ended process, or of a PID now used by a later process', () => {
    const dir = fresh();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: deadPid(), host: hostname(), started: 'then', command: 'killed', token: 'a' }));
    const lock = acquireRunLock(dir);
    expect(lock.stale?.command).toBe('killed');
    lock.release();
    if (processStartTime(process.ppid) !== undefined) {
      // Our parent is alive, but the lock says its process started at another time: a reused PID.
      writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid, host: hostname(), started: 'then', processStart: '1', command: 'reused', token: 'b' }));
      const again = acquireRunLock(dir);
      expect(again.stale?.command).toBe('reused');
      again.release();
    }
  });

  it('is released when the process exits without releasing it', () => {
    const dir = fresh();
    const source = new URL('../../src/io/runLock.ts', import.meta.url).pathname;
    const script = `import { acquireRunLock } from ${JSON.stringify(source)}; acquireRunLock(process.argv[2]); process.exit(3);`;
    const out = join(dir, '..', `${dir.split('/').pop()}-exit.mjs`);
    buildSync({ stdin: { contents: script, resolveDir: dir, loader: 'ts' }, bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'silent' });
    const child = spawnSync(process.execPath, [out, dir]);
    expect(child.status).toBe(3);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
  });
});
