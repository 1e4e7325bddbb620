import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeStaleTemps, stageFile, staleTemps, writeFileAtomic } from '../../src/io/atomic';

describe('atomic writes', () => {
  it('replaces the file content and leaves no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    const file = join(dir, 'out.txt');
    writeFileAtomic(file, 'first');
    writeFileAtomic(file, Uint8Array.from([104, 105]));
    expect(readFileSync(file, 'utf8')).toBe('hi');
    expect(readdirSync(dir)).toEqual(['out.txt']);
  });

  it('a staged write is invisible until commit; an interrupted one leaves the old file and a temp', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    const file = join(dir, 'out.txt');
    writeFileSync(file, 'old');
    const staged = stageFile(file, 'new');
    expect(readFileSync(file, 'utf8')).toBe('old');
    expect(readFileSync(staged.tempPath, 'utf8')).toBe('new');
    // The process "dies" here: nothing renames the temp file.
    expect(staleTemps(file)).toEqual([staged.tempPath]);
    removeStaleTemps(file);
    expect(existsSync(staged.tempPath)).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('old');
  });

  it('commit renames, abort deletes, and a staged file commits only once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    const file = join(dir, 'out.txt');
    const a = stageFile(file, 'a');
    a.commit();
    expect(readFileSync(file, 'utf8')).toBe('a');
    expect(() => a.commit()).toThrow(/already committed/);
    const b = stageFile(file, 'b');
    b.abort();
    expect(readFileSync(file, 'utf8')).toBe('a');
    expect(readdirSync(dir)).toEqual(['out.txt']);
  });
});

describe('temporary files of other writers (issue 10, item 4)', () => {
  it('removeStaleTemps leaves a live process its temporary file and removes a dead one', async () => {
    const { spawn, spawnSync } = await import('node:child_process');
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    const file = join(dir, 'last.safetensors');
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
      const theirs = join(dir, `.last.safetensors.${live.pid}.0123456789ab.tmp`);
      const stale = join(dir, `.last.safetensors.${dead}.ba9876543210.tmp`);
      writeFileSync(theirs, 'another run is writing this');
      writeFileSync(stale, 'left by a killed run');
      removeStaleTemps(file);
      expect(existsSync(theirs)).toBe(true);
      expect(existsSync(stale)).toBe(false);
    } finally {
      live.kill('SIGKILL');
    }
  });

  it('a failed write names the file (Node says only "ENOENT, open")', () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'atomic-')), 'no', 'such', 'out.txt');
    expect(() => writeFileAtomic(missing, 'x')).toThrow(`cannot write ${missing}: no such file or directory (ENOENT)`);
  });
});
