/**
 * A checkpoint's record is checked before anything is built from it (issue 10, items 2 and 11):
 * the model sizes in its config must be the ones the file's tensor shapes imply, every size
 * from outside has an upper bound, and the tensors' data must match the checksums in the record.
 * A record claiming a 10^8-wide model is refused in milliseconds without allocating it; a
 * flipped data byte is refused naming the tensor and its byte range. Fuzzed records (random
 * values at random places of the config) are refused with a FormatError or accepted, never
 * anything else, and never allocate more than the file's own size.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main';
import { CHECKPOINT_METADATA_KEY, readCheckpoint } from '../../src/io/checkpoint';
import { FormatError } from '../../src/io/formatError';
import { modelConfig } from '../../src/models/config';
import { paramCount } from '../../src/models/seqModel';
import { openCheckpoint, saveSnapshot } from '../../src/train/checkpointing';
import { decodeRunConfig } from '../../src/train/config';
import { LIMITS, expectedParameterCount } from '../../src/train/limits';
import { freshSnapshot } from '../../src/train/loop';
import { setupRun } from '../../src/train/setup';
import { tinyRunConfig } from './helpers';

const root = mkdtempSync(join(tmpdir(), 'ssmjit-record-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Rewrites the record embedded in a safetensors checkpoint (the data bytes are kept). */
function rewriteRecord(from: string, to: string, change: (record: Record<string, unknown>) => void): void {
  const bytes = readFileSync(from);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as { __metadata__: Record<string, string> };
  const record = JSON.parse(header.__metadata__[CHECKPOINT_METADATA_KEY]) as Record<string, unknown>;
  change(record);
  header.__metadata__[CHECKPOINT_METADATA_KEY] = JSON.stringify(record);
  let text = Buffer.from(JSON.stringify(header), 'utf8');
  text = Buffer.concat([text, Buffer.alloc((8 - ((8 + text.length) % 8)) % 8, 0x20)]);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(text.length));
  writeFileSync(to, Buffer.concat([length, text, bytes.subarray(8 + n)]));
}

/** Sets `record.config.run.<path>` to `value`. */
const setRun = (path: string, value: unknown) => (record: Record<string, unknown>) => {
  let node = (record.config as { run: Record<string, unknown> }).run;
  const keys = path.split('.');
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[keys[keys.length - 1]] = value;
};

function refusal(path: string): FormatError {
  try {
    openCheckpoint(path);
  } catch (err) {
    expect(err).toBeInstanceOf(FormatError);
    return err as FormatError;
  }
  throw new Error(`${path} was accepted`);
}

const config = tinyRunConfig({ epochs: 1 });
const good = join(root, 'good');
beforeAll(() => {
  const setup = setupRun(config);
  saveSnapshot(root, 'good', freshSnapshot(config, setup), setup.optimizer);
});

describe('the record against the tensors', () => {
  it('refuses model sizes the tensors do not have, naming the field, before building the model', () => {
    const cases: [string, unknown, RegExp][] = [
      ['model.dModel', 2000, /field "config\.run\.model\.dModel": checkpoint record does not match the file's tensors: expected 4 \(params\.encoder\.kernel is \[1, 4\]\), got 2000/],
      ['model.nLayers', 3, /field "config\.run\.model\.nLayers": .*expected 1 \(the layers params\.layers\[i\] in the file\), got 3/],
      ['model.head.nClasses', 7, /field "config\.run\.model\.head\.nClasses": .*expected 2 \(params\.decoder\.kernel is \[4, 2\]\), got 7/],
      ['model.dInput', 5, /field "config\.run\.model\.dInput": .*expected 1/],
      ['model.ssm.P', 8, /field "config\.run\.model\.ssm\.P": .*expected 4 \(2 conjugate pairs/],
      ['model.activation', 'full_glu', /field "config\.run\.model": .*expected a model of \d+ parameters \(the params\.\* tensors in the file\), got a model of \d+ parameters/],
    ];
    for (const [path, value, message] of cases) {
      const file = join(root, `edited-${path}`);
      rewriteRecord(`${good}.safetensors`, `${file}.safetensors`, setRun(path, value));
      const error = refusal(file);
      expect(error.message, path).toMatch(message);
      expect(error.file).toBe(`${file}.safetensors`);
    }
  });

  it('refuses sizes beyond the limits at once, without allocating them', async () => {
    const cases: [string, unknown, string][] = [
      ['model.dModel', 1e8, 'field "config.run.model.dModel": model width too large: expected at most 16384, got 100000000'],
      ['model.head.nClasses', 3e8, 'field "config.run.model.head.nClasses": class count too large: expected at most 100000, got 300000000'],
      ['model.nLayers', 1e5, 'field "config.run.model.nLayers": layer count too large: expected at most 256, got 100000'],
      ['task.nTrain', 1e9, 'field "config.run.task.nTrain": value too large: expected at most 10000000, got 1000000000'],
      ['optim.batchSize', 1e9, 'field "config.run.optim.batchSize": batch size too large: expected at most 65536, got 1000000000'],
    ];
    for (const [path, value, message] of cases) {
      const file = join(root, `huge-${path}`);
      rewriteRecord(`${good}.safetensors`, `${file}.safetensors`, setRun(path, value));
      const before = process.memoryUsage().arrayBuffers;
      const began = Date.now();
      const r = await runMain('eval', '--checkpoint', file, '--quiet');
      expect(r.code, path).toBe(1);
      expect(r.err, path).toContain(message);
      expect(Date.now() - began, path).toBeLessThan(2000);
      expect(process.memoryUsage().arrayBuffers - before, path).toBeLessThan(64 * 2 ** 20);
    }
  });

  it('the parameter count is computed exactly from a config', () => {
    const variants = [
      { ssm: { kind: 's5', P: 8, blocks: 2 }, dInput: 3, head: { kind: 'classification', nClasses: 5 }, nLayers: 2, dModel: 6 },
      { ssm: { kind: 's5', P: 8, blocks: 2, bidirectional: true, conjSym: false }, inputKind: 'tokens', dInput: 3, head: { kind: 'regression', dOutput: 2 }, nLayers: 1, dModel: 6, norm: 'layer', activation: 'full_glu' },
      { ssm: { kind: 's4d', N: 4 }, dInput: 3, head: { kind: 'classification', nClasses: 5 }, nLayers: 1, dModel: 6, finalNorm: true },
      { ssm: { kind: 's4d', N: 6, bidirectional: true }, dInput: 2, head: { kind: 'regression', dOutput: 1 }, nLayers: 2, dModel: 4, activation: 'half_glu2' },
      { ssm: { kind: 's4', N: 4, bidirectional: true }, dInput: 3, head: { kind: 'classification', nClasses: 5 }, nLayers: 1, dModel: 6, activation: 'gelu' },
    ];
    for (const variant of variants) {
      const model = modelConfig(variant);
      expect(expectedParameterCount(model), JSON.stringify(variant)).toBe(paramCount(setupRun({ ...config, model }).initial.params));
    }
  });
});

async function runMain(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } });
  return { code, out, err };
}

describe('tensor checksums', () => {
  it('a flipped data byte is refused, naming the tensor and where its data lies', () => {
    const bytes = Buffer.from(readFileSync(`${good}.safetensors`));
    const n = Number(bytes.readBigUInt64LE(0));
    const at = bytes.length - 3; // inside the last tensor's data
    bytes[at] ^= 0x10;
    writeFileSync(join(root, 'flipped.safetensors'), bytes);
    const error = refusal(join(root, 'flipped'));
    expect(error.message).toMatch(/flipped\.safetensors at byte \d+: field "[^"]+": tensor data does not match the checksum in the record \(bytes \d+ to \d+; the file is corrupted\): expected SHA-256 [0-9a-f]{64}, got [0-9a-f]{64}/);
    const [, first, last] = /bytes (\d+) to (\d+)/.exec(error.message) ?? [];
    expect(Number(first)).toBe(error.byteOffset);
    expect(Number(first) <= at && at <= Number(last) && Number(first) >= 8 + n).toBe(true);
  });

  it('a checkpoint written before checksums loads as before', () => {
    rewriteRecord(`${good}.safetensors`, join(root, 'old.safetensors'), (record) => {
      for (const summary of Object.values(record.tensors as Record<string, { sha256?: string }>)) delete summary.sha256;
    });
    const loaded = readCheckpoint(root, 'old');
    expect(loaded._tag).toBe('Right');
  });
});

describe('fuzzed records', () => {
  const paths = [
    'model.dModel', 'model.nLayers', 'model.dInput', 'model.head.nClasses', 'model.ssm.P', 'model.ssm.blocks', 'model.ssm.kind', 'model.activation',
    'model.norm', 'model.finalNorm', 'task.name', 'task.seqLen', 'task.nTrain', 'task.channels', 'optim.batchSize', 'optim.epochs', 'optim.lr', 'seed', 'backend',
  ];
  const values = fc.oneof(
    fc.integer({ min: -5, max: 2 ** 31 }),
    fc.constantFrom(0, 1, 2, 4, 8, 1e8, 1e15, 2 ** 53, -1, 0.5, 1e308),
    fc.constantFrom(null, true, 'x', 's4', 's4d', 'full_glu', 'gelu', [], {}),
  );

  it('are refused with a FormatError or accepted, quickly and without large allocations', () => {
    const file = join(root, 'fuzzed');
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...paths), values), { minLength: 1, maxLength: 3 }), (edits) => {
        rewriteRecord(`${good}.safetensors`, `${file}.safetensors`, (record) => edits.forEach(([path, value]) => setRun(path, value)(record)));
        const before = process.memoryUsage().arrayBuffers;
        const began = Date.now();
        try {
          const opened = openCheckpoint(file);
          // Accepted: the sizes are the file's own.
          expect(expectedParameterCount(opened.config.model)).toBeLessThanOrEqual(LIMITS.parameters);
        } catch (err) {
          if (!(err instanceof FormatError)) throw err;
          expect(err.file).toBe(`${file}.safetensors`);
        }
        expect(Date.now() - began).toBeLessThan(1000);
        expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 2 ** 20);
      }),
      { numRuns: 150 },
    );
  });

  it('size limits: a config is refused or implies at most the parameter limit', () => {
    fc.assert(
      fc.property(fc.record({ dModel: fc.integer({ min: 1, max: 1e9 }), nLayers: fc.integer({ min: 1, max: 1e6 }), P: fc.integer({ min: 1, max: 1e7 }), nClasses: fc.integer({ min: 1, max: 1e9 }) }), (sizes) => {
        const run = { ...config, model: { ...config.model, dModel: sizes.dModel, nLayers: sizes.nLayers, head: { kind: 'classification', nClasses: sizes.nClasses }, ssm: { ...config.model.ssm, P: 2 * sizes.P, blocks: 1 } } };
        const decoded = decodeRunConfig(run, { file: 'x' });
        if (decoded._tag === 'Right') expect(expectedParameterCount(decoded.right.model)).toBeLessThanOrEqual(LIMITS.parameters);
        else expect(decoded.left).toBeInstanceOf(FormatError);
      }),
      { numRuns: 300 },
    );
  });
});
