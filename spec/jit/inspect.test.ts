/**
 * Inspectable kernels: `lower()` names each kernel after what it computes and lists the
 * program equations it computes, each with the line of the user's source that applied it. The
 * expected lines are found in this file's own text (the lines marked below), independently of
 * the stack capture under test; the expected equations are read from the printed IR.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import * as T from '../../src/index';
import type { Tensor } from '../../src/index';
import { profileTable } from '../../kernels/profile';
import { describeEachBackend } from './backends';
import { arg, randomArgs } from './inputs';

const F = (x: Tensor): Tensor<'f32'> => x as Tensor<'f32'>;

const SELF = fileURLToPath(import.meta.url);
/** The 1-based line of this file holding `marker`. */
function lineOf(marker: string): number {
  const lines = readFileSync(SELF, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(marker) && !l.includes('lineOf('));
  if (i < 0) throw new Error(`marker '${marker}' not found`);
  return i + 1;
}
const at = (marker: string): string => `spec/jit/inspect.test.ts:${lineOf(marker)}`;

function program(x: Tensor, y: Tensor): Tensor[] {
  const e = T.exp(F(x)); // [mark: exp]
  const prod = T.mul(e, F(y)); // [mark: mul]
  const total = T.sum(T.add(prod, 1), { axis: 1 }); // [mark: sum]
  const m = T.matmul(T.sin(F(x)), T.transpose(F(y))); // [mark: matmul]
  return [T.sub(T.tanh(prod), F(x)), total, m]; // [mark: out]
}

describeEachBackend('inspectable kernels', (backend) => {
  it('each kernel is named after what it computes and lists its equations with their source lines', async () => {
    const xs = randomArgs(41, [arg([4, 6]), arg([4, 6])]) as [Tensor, Tensor];
    const l = await T.jit(program, { backend }).lower(...xs);
    // The printed IR heads the text form.
    const ir = String(l).split('\n-- ')[0];
    // The equation of each primitive as the printed IR shows it.
    const eqnLine = (prim: string): string => {
      const line = ir.split('\n').find((s) => new RegExp(`= ${prim}\\b`).test(s));
      if (!line) throw new Error(`no '${prim}' equation in the printed IR`);
      return line.trim();
    };
    const kernelComputing = (prim: string) => l.kernels.filter((k) => k.computes.some((c) => c.startsWith(eqnLine(prim))));

    // exp is fused into the kernels that read it; every kernel listing it gives this file's line.
    expect(kernelComputing('exp').length).toBeGreaterThan(0);
    for (const k of kernelComputing('exp')) expect(k.computes).toContain(`${eqnLine('exp')}  @ ${at('[mark: exp]')}`);
    for (const k of kernelComputing('mul')) expect(k.computes).toContain(`${eqnLine('mul')}  @ ${at('[mark: mul]')}`);

    // The matmul's kernels say so in their names, with the sizes M x K x N.
    const mm = kernelComputing('matmul');
    expect(mm.length).toBeGreaterThan(0);
    for (const k of mm) {
      expect(k.name.startsWith('matmul 4x6x4')).toBe(true);
      expect(k.computes).toContain(`${eqnLine('matmul')}  @ ${at('[mark: matmul]')}`);
    }
    // The reduction's kernels name the reduction and list its equation.
    const sums = kernelComputing('reduce_sum');
    expect(sums.length).toBeGreaterThan(0);
    for (const k of sums) {
      expect(k.name.startsWith('sum[4,6]->[4]')).toBe(true);
      expect(k.computes).toContain(`${eqnLine('reduce_sum')}  @ ${at('[mark: sum]')}`);
    }
    // No kernel is called by a generic name.
    for (const k of l.kernels) expect(k.name).not.toMatch(/^(fused|pack)$|_up\d|_packB$/);
    // The text form shows every kernel with what it computes.
    const text = String(l);
    for (const k of l.kernels) expect(text).toContain(`kernel ${k.name}`);
    expect(text).toContain(`@ ${at('[mark: out]')}`);
  });

  it('the SSMJIT_PROFILE=1 table lists under each kernel the equations it computes and their lines', async () => {
    const xs = randomArgs(42, [arg([4, 6]), arg([4, 6])]) as [Tensor, Tensor];
    const jitted = T.jit(program, { backend });
    const l = await jitted.lower(...xs);
    const before = process.env.SSMJIT_PROFILE;
    process.env.SSMJIT_PROFILE = '1';
    try {
      await jitted(...xs);
    } finally {
      if (before === undefined) delete process.env.SSMJIT_PROFILE;
      else process.env.SSMJIT_PROFILE = before;
    }
    const table = profileTable(1000).split('\n');
    const mm = l.kernels.find((k) => k.name.startsWith('matmul 4x6x4'));
    expect(mm).toBeDefined();
    const row = table.findIndex((line) => line.includes(`${backend === 'wasm' ? 'wasm ' : ''}${mm?.name} [`));
    expect(row).toBeGreaterThan(0);
    expect(table[row + 1]).toContain(`@ ${at('[mark: matmul]')}`);
  });
});
