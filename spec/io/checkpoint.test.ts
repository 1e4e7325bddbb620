import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { Checkpoint, checkpointPaths, loadCheckpoint, readCheckpoint, saveCheckpoint, stageCheckpoint } from '../../src/io/checkpoint';
import { serializeSafetensors } from '../../src/io/safetensors';

function checkpointAt(step: number): Checkpoint {
  return {
    step,
    epoch: Math.floor(step / 10),
    config: { task: 'smnist', model: 's5', lr: 0.004 },
    optimizer: { name: 'adamw', beta1: 0.9, beta2: 0.999, step },
    prngKey: [0, 1919 + step],
    tensors: {
      'encoder.weight': { dtype: 'F32', shape: [2, 3], data: Float32Array.from({ length: 6 }, (_, i) => i + step) },
      'layer0.Lambda': { dtype: 'C64', shape: [2], data: Float32Array.from([-0.5, 1, -0.5, -1]) },
      'opt.count': { dtype: 'I32', shape: [], data: Int32Array.from([step]) },
    },
  };
}

describe('checkpoints', () => {
  it('round-trips config, step, optimizer metadata, PRNG key and tensors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    saveCheckpoint(dir, 'last', checkpointAt(120));
    const loaded = loadCheckpoint(dir, 'last');
    const expected = checkpointAt(120);
    expect(loaded).toMatchObject({ step: 120, epoch: 12, config: expected.config, optimizer: expected.optimizer, prngKey: [0, 2039], notes: [] });
    expect(loaded.tensors).toEqual(expected.tensors);
    const json = JSON.parse(readFileSync(join(dir, 'last.json'), 'utf8'));
    expect(json).toMatchObject({ format: 'ssmjit-checkpoint', version: 1, step: 120, tensors: { 'layer0.Lambda': { dtype: 'C64', shape: [2] } } });
    expect(readdirSync(dir).sort()).toEqual(['last.json', 'last.safetensors']);
  });

  it('an interrupted save (files staged, never renamed) leaves the previous checkpoint intact', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    saveCheckpoint(dir, 'last', checkpointAt(10));
    stageCheckpoint(dir, 'last', checkpointAt(20)); // crash: commit never runs
    expect(readdirSync(dir).length).toBe(4);
    const loaded = loadCheckpoint(dir, 'last');
    expect([loaded.step, loaded.notes]).toEqual([10, []]);
    saveCheckpoint(dir, 'last', checkpointAt(30));
    expect(readdirSync(dir).sort()).toEqual(['last.json', 'last.safetensors']);
    expect(loadCheckpoint(dir, 'last').step).toBe(30);
  });

  it('survives a process killed (SIGKILL) between writing the temporary files and renaming them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    saveCheckpoint(dir, 'last', checkpointAt(10));
    const source = fileURLToPath(new URL('../../src/io/checkpoint.ts', import.meta.url));
    const script = join(dir, 'crash.mjs');
    buildSync({
      stdin: {
        contents: `import { stageCheckpoint } from ${JSON.stringify(source)};
          const tensors = { 'encoder.weight': { dtype: 'F32', shape: [1], data: Float32Array.from([9]) } };
          stageCheckpoint(process.argv[2], 'last', { step: 99, config: {}, optimizer: {}, prngKey: [1, 2], tensors });
          process.kill(process.pid, 'SIGKILL');`,
        resolveDir: dir,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: script,
      logLevel: 'silent',
    });
    const child = spawnSync(process.execPath, [script, dir]);
    expect(child.signal).toBe('SIGKILL');
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp')).length).toBe(2);
    expect(loadCheckpoint(dir, 'last').step).toBe(10);
  });

  it('a crash between the two renames gives the new checkpoint and notes the stale JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    saveCheckpoint(dir, 'last', checkpointAt(10));
    const staged = stageCheckpoint(dir, 'last', checkpointAt(20));
    staged.files[0].commit(); // tensors file renamed, JSON not
    const loaded = loadCheckpoint(dir, 'last');
    expect(loaded.step).toBe(20);
    expect(loaded.notes[0]).toMatch(/last\.json does not match the tensors file/);
  });

  it('rejects files that are not valid checkpoints, naming file and field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    const paths = checkpointPaths(dir, 'x');
    const failure = () => {
      const r = readCheckpoint(dir, 'x');
      return r._tag === 'Left' ? r.left.message : 'loaded';
    };
    expect(failure()).toMatch(/x\.safetensors: cannot read checkpoint tensors/);
    writeFileSync(paths.tensors, serializeSafetensors({}));
    expect(failure()).toMatch(/x\.safetensors at byte 8: field "__metadata__\.ssmjit\.checkpoint": not an ssmjit checkpoint/);
    const record = { format: 'ssmjit-checkpoint', version: 1, step: -3, config: {}, optimizer: {}, prngKey: [0, 0], tensors: {} };
    writeFileSync(paths.tensors, serializeSafetensors({}, { 'ssmjit.checkpoint': JSON.stringify(record) }));
    expect(failure()).toMatch(/field "__metadata__\.ssmjit\.checkpoint\.step": invalid checkpoint record: expected a non-negative integer, got -3/);
    const listed = { ...record, step: 1, tensors: { w: { dtype: 'F32', shape: [2] } } };
    writeFileSync(paths.tensors, serializeSafetensors({ w: { dtype: 'F32', shape: [3], data: new Float32Array(3) } }, { 'ssmjit.checkpoint': JSON.stringify(listed) }));
    expect(failure()).toMatch(/record disagrees with the tensors: tensor "w" is F32 \[3\] but the record says F32 \[2\]/);
    writeFileSync(paths.tensors, Uint8Array.from([1, 2, 3]));
    expect(failure()).toMatch(/x\.safetensors at byte 0: file too short/);
  });

  it('refuses unsavable checkpoints and odd names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    expect(() => saveCheckpoint(dir, 'a', { ...checkpointAt(1), step: 1.5 })).toThrow(/field "step": invalid checkpoint: expected a non-negative integer, got 1.5/);
    expect(() => saveCheckpoint(dir, 'a/b', checkpointAt(1))).toThrow(/plain file name/);
  });
});
