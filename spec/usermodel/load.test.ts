/**
 * Loading a model file: its `ssmjit` imports are the running library (a tensor made in the file
 * is an instance of this process's Tensor class, and ops on it trace here), and a missing file,
 * a file that does not build and a file without init/apply are errors naming the file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as T from '../../src/index';
import { isModelFile, loadModelFile } from '../../src/usermodel/load';

const dir = mkdtempSync(join(tmpdir(), 'ssmjit-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('model files', () => {
  it('share the running library', async () => {
    const path = file('ok.ts', `import * as T from 'ssmjit';\nimport { Dense } from 'ssmjit/nn';\nexport const init = (key: T.random.Key) => ({ params: Dense.init(key, 2, 3) });\nexport const apply = (p: any, _s: unknown, x: T.Tensor) => T.logSoftmax(-1)(Dense.apply(p, x as T.Tensor<'f32'>));\n`);
    const { model, sha256 } = await loadModelFile(path);
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
    const { params } = model.init(T.random.key(0), { inputKind: 'float', dInput: 2, seqLen: 1, head: { kind: 'classification', nClasses: 3 } });
    expect((params as { kernel: unknown }).kernel).toBeInstanceOf(T.Tensor);
    const ir = T.makeIR((x: T.Tensor<'f32'>) => model.apply(params, {}, x, { train: false, info: { inputKind: 'float', dInput: 2, seqLen: 1, head: { kind: 'classification', nClasses: 3 } } }) as T.Tensor)(T.spec([4, 2]));
    expect(ir.toString()).toMatch(/matmul/);
  });

  it('name the file and what is wrong', async () => {
    await expect(loadModelFile(join(dir, 'missing.ts'))).rejects.toThrow(/missing\.ts.*cannot read the model file \(ENOENT\)|cannot read the model file \(ENOENT\).*missing\.ts/);
    await expect(loadModelFile(file('syntax.ts', 'export const init = (;\n'))).rejects.toThrow(/the model file does not build: .*syntax\.ts|syntax\.ts.*the model file does not build/);
    await expect(loadModelFile(file('noapply.ts', 'export const init = () => ({ params: {} });\n'))).rejects.toThrow(/must export a function `apply`/);
  });

  it('are recognised by their --model value', () => {
    expect(['./m.ts', 'models/lru.js', 'm.mjs', 'x.ts'].map(isModelFile)).toEqual([true, true, true, true]);
    expect(['s5', 's4d', 's4'].map(isModelFile)).toEqual([false, false, false]);
  });
});
