/**
 * Checkpoints of training state: a bit-exact round trip (complex leaves stored as F32 [..., 2]),
 * a resumed run that reproduces the uninterrupted run's loss curve and final state bit for bit,
 * an interrupted save that leaves the previous checkpoint readable, and refusal of corrupted,
 * truncated or mismatched files with a message naming the file.
 */
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import { stageCheckpoint } from '../../src/io/checkpoint';
import { FormatError } from '../../src/io/formatError';
import { readSafetensors } from '../../src/io/safetensorsFile';
import { carryTensors, openCheckpoint, saveSnapshot, snapshotOf } from '../../src/train/checkpointing';
import { fit, freshSnapshot } from '../../src/train/loop';
import { setupRun } from '../../src/train/setup';
import { setBackend } from '../../src/backend';
import { describeEachBackend } from '../jit/backends';
import { tinyRunConfig, toyTask } from './helpers';

const root = mkdtempSync(join(tmpdir(), 'ssmjit-ckpt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every leaf's float32 bits, for bit-exact comparison. */
const bits = (tree: unknown): number[][] =>
  (T.tree.flatten(tree)[0] as T.Tensor[]).map((x) => Array.from(new Uint32Array(Float32Array.from(x.data64()).buffer)));

describe('round trip', () => {
  it('restores parameters, model state, optimizer state, step, epoch, key and config exactly', async () => {
    const config = tinyRunConfig({ epochs: 1 });
    const setup = setupRun(config);
    const result = await fit(config, setup, toyTask(), freshSnapshot(config, setup), { progress: false });
    const dir = join(root, 'roundtrip');
    saveSnapshot(dir, 'last', result.snapshot, setup.optimizer);

    const stored = readSafetensors(join(dir, 'last.safetensors')).tensors;
    expect(stored['params.layers[0].ssm.B'].dtype).toBe('F32');
    expect(stored['params.layers[0].ssm.B'].shape).toEqual([...result.snapshot.carry.params.layers[0].ssm.B.shape, 2]);

    const opened = openCheckpoint(join(dir, 'last'));
    const restored = snapshotOf(opened, setup.initial);
    expect(bits(restored.carry)).toEqual(bits(result.snapshot.carry));
    expect(restored.carry.params.layers[0].ssm.B.dtype).toBe('c64');
    expect(restored.step).toBe(result.snapshot.step);
    expect(restored.epoch).toBe(1);
    expect(Array.from(restored.key.data())).toEqual(Array.from(T.random.key(config.seed).data()));
    expect(opened.config).toEqual(config);
    expect(restored.history).toEqual(result.snapshot.history);
  });
});

/** A run stopped after two steps (mid-epoch) and resumed from its checkpoint against an uninterrupted one. */
async function resumeMatches(execution: 'eager' | 'jit', name: string): Promise<void> {
  const config = tinyRunConfig({ epochs: 2, warmupEpochs: 1 }, execution);
  const data = toyTask();
  const full: number[] = [];
  const setupA = setupRun(config);
  const a = await fit(config, setupA, data, freshSnapshot(config, setupA), { progress: false, onStep: (s) => full.push(s.loss) });

  const dir = join(root, `resume-${name}`);
  const first: number[] = [];
  const setupB = setupRun(config);
  // Stop in the middle of the first epoch (3 steps per epoch): the checkpoint is mid-epoch.
  const b = await fit(config, setupB, data, freshSnapshot(config, setupB), {
    dir, progress: false, onStep: (s) => first.push(s.loss), shouldStop: () => first.length === 2,
  });
  expect(b.reason).toBe('interrupted');
  expect(b.snapshot.step).toBe(2);

  const setupC = setupRun(config);
  const resumed = snapshotOf(openCheckpoint(join(dir, 'last')), setupC.initial);
  const rest: number[] = [];
  const c = await fit(config, setupC, data, resumed, { dir, progress: false, onStep: (s) => rest.push(s.loss) });
  expect(c.reason).toBe('completed');
  expect([...first, ...rest]).toEqual(full);
  expect(bits(c.snapshot.carry)).toEqual(bits(a.snapshot.carry));
  expect(c.snapshot.history).toEqual(a.snapshot.history);
}

describe('resume (eager)', () => {
  it('continues with the same loss curve and ends in the same state as an uninterrupted run', () => resumeMatches('eager', 'eager'));
});

// Issue 10, item 7: on every backend (gpu.js's cpu backend included, whose fused chains run in
// float64 between float32 loads and stores) a resumed run is bit-identical to an uninterrupted
// one on the same backend; only continuing on another backend is not (see spec/cli/runDirectory).
describeEachBackend('resume (jit)', (backend) => {
  it('continues with the same loss curve and ends in the same state as an uninterrupted run', async () => {
    setBackend(backend);
    try {
      await resumeMatches('jit', `jit-${backend}`);
    } finally {
      setBackend('auto');
    }
  });
});

describe('interrupted save', () => {
  it('leaves the previous checkpoint intact when the new one was staged but never committed', async () => {
    const config = tinyRunConfig({ epochs: 1 });
    const setup = setupRun(config);
    const dir = join(root, 'interrupted');
    const start = freshSnapshot(config, setup);
    saveSnapshot(dir, 'last', start, setup.optimizer);
    const before = readFileSync(join(dir, 'last.safetensors'));
    const trained = await fit(config, setup, toyTask(), start, { progress: false });
    // The process dies after writing the temporary files, before the rename (the commit point).
    const staged = stageCheckpoint(dir, 'last', { step: trained.snapshot.step, epoch: 1, config: {}, optimizer: {}, prngKey: [0, 0], tensors: carryTensors(trained.snapshot.carry) });
    truncateSync(staged.files[0].tempPath, 100);
    expect(readFileSync(join(dir, 'last.safetensors')).equals(before)).toBe(true);
    const reopened = snapshotOf(openCheckpoint(join(dir, 'last')), setup.initial);
    expect(reopened.step).toBe(0);
    expect(bits(reopened.carry)).toEqual(bits(setup.initial));
  });
});

describe('bad checkpoint files', () => {
  const config = tinyRunConfig({ epochs: 1 });
  const setup = setupRun(config);
  const dir = join(root, 'bad');
  let good: Buffer;
  beforeAll(() => {
    saveSnapshot(dir, 'good', freshSnapshot(config, setup), setup.optimizer);
    good = readFileSync(join(dir, 'good.safetensors'));
  });

  const refusal = (name: string): FormatError => {
    try {
      openCheckpoint(join(dir, name));
    } catch (err) {
      expect(err).toBeInstanceOf(FormatError);
      return err as FormatError;
    }
    throw new Error('the checkpoint was accepted');
  };

  it('refuses a truncated tensors file, naming it', () => {
    writeFileSync(join(dir, 'truncated.safetensors'), good.subarray(0, good.length - 10));
    expect(refusal('truncated').message).toContain('truncated.safetensors');
  });

  it('refuses a file whose header is garbage', () => {
    const corrupt = Buffer.from(good);
    corrupt.fill(0x7b, 8, 40); // overwrite the start of the JSON header with '{' characters
    writeFileSync(join(dir, 'corrupt.safetensors'), corrupt);
    expect(refusal('corrupt').message).toContain('corrupt.safetensors');
  });

  it('refuses a checkpoint of another model, naming the tensor', () => {
    const wider = setupRun({ ...config, model: { ...config.model, dModel: 6 } });
    const opened = openCheckpoint(join(dir, 'good'));
    expect(() => snapshotOf(opened, wider.initial)).toThrow(/field "params\.[^"]+": checkpoint tensor has the wrong type or shape/);
  });

  it('refuses a missing checkpoint with the path', () => {
    expect(() => openCheckpoint(join(dir, 'absent'))).toThrow(/absent\.safetensors/);
  });
});
