/**
 * The API boundary's messages, one row per mistake: each wrong call is made and its message
 * asserted in full (or the part that names the op, the argument and what it got). The static
 * matmul mismatch is compiled with tsc and its diagnostic read.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index';

const x = T.tensor([1, 2, 3]);
const ids = T.tensor([0, 1, 2], 'i32');
const m23 = T.ones([2, 3]);
const bad = <F>(f: F): never => f as never;

/** [mistake, the call, the message]. */
const TABLE: readonly (readonly [string, () => unknown, string | RegExp])[] = [
  ['an array where a tensor is expected (no silent NaN)', () => T.add(x, bad([1, 2, 3])), 'add: argument y must be a tensor or a number, got an array of 3 element(s) (make it a tensor with T.tensor)'],
  ['an array to a unary op (no "reading \'dtype\'")', () => T.exp(bad([1, 2, 3])), 'exp: argument x must be a tensor, got an array of 3 element(s) (make it a tensor with T.tensor)'],
  ['a missing second operand is not the data-last form', () => T.mul(x, bad(undefined)), 'mul: argument y must be a tensor or a number, got undefined'],
  ['a string operand', () => T.sub(bad('1'), x), 'sub: argument x must be a tensor or a number, got the string "1"'],
  ['complex of two numbers', () => T.complex(bad(0.5), bad(0.1)), 'complex: at least one operand must be a tensor'],
  ['where with a float condition', () => T.where(bad(x), 1, 0), 'where: argument cond must be a bool tensor, got f32[3] (compare with T.less, T.equal, …)'],
  ['a number to a reduction is not options', () => T.sum(bad(3)), 'sum: argument x must be a tensor (or, for pipe, options { axis, keepdims }), got the number 3'],
  ['an axis number where options go', () => T.sum(x, bad(0)), 'sum: options must be { axis?, keepdims? }, got the number 0'],
  ['softmax given the tensor instead of an axis', () => T.softmax(bad(x)), 'softmax: takes an axis, softmax(axis)(x); got a f32[3] tensor (write softmax(-1)(x))'],
  ['matmul with an array', () => T.matmul(m23, bad([[1], [2], [3]])), 'matmul: argument b must be a tensor, got an array of 3 element(s) (make it a tensor with T.tensor)'],
  ['reshape of an array', () => T.reshape(bad([1, 2]), [2]), 'reshape: argument x must be a tensor, got an array of 2 element(s) (make it a tensor with T.tensor)'],
  ['expandDims of a number', () => T.expandDims(bad(3), 0), 'expandDims: argument x must be a tensor, got the number 3'],
  ['take with array indices', () => T.take(x, bad([0, 1])), 'take: argument indices must be a tensor, got an array of 2 element(s) (make it a tensor with T.tensor)'],
  ['concat of a tensor, not an array', () => T.concat(bad(x)), 'concat: argument xs must be an array of tensors, got a f32[3] tensor'],
  ['cast to an unknown dtype', () => T.cast(bad('f64')), 'cast: unknown dtype "f64" (f32, i32, bool or c64)'],
  ['linearRecurrence without an axis', () => T.linearRecurrence(x, x, bad(undefined)), /^linearRecurrence: options \{ axis \} are required \(the axis to scan; for \[B, L, N\] inputs the time axis is 1\), got undefined$/],
  ['grad with respect to an i32 argument', () => T.grad((v: T.Tensor<'i32'>) => T.sum(T.cast('f32')(v)))(ids), 'grad: argument 0 is i32[3]; only f32 and c64 tensors can be differentiated (pass integer or boolean data as an argument not in argnums)'],
  ['grad with respect to a tree with an i32 leaf', () => T.grad((p: { w: T.Tensor<'f32'>; n: T.Tensor<'i32'> }) => T.sum(p.w))({ w: x, n: ids }), /^grad: argument 0 at 'n' is i32\[3\]/],
  ['a traced function that returns a data-last op', () => T.makeIR((v: T.Tensor<'f32'>) => ({ y: T.mul(v) }))(x), "the transformed function returned a function at 'y' instead of a tensor (a data-last op such as T.mul(y) given one argument returns a function)"],
];

describe('error messages at the API boundary', () => {
  it.each(TABLE.map(([name, call, message]) => [name, call, message] as const))('%s', (_, call, message) => {
    expect(call).toThrow(message);
  });

  it('a jitted call given a number where a tensor is expected is an error, not a Function', async () => {
    const f = T.jit((v: T.Tensor<'f32'>) => T.exp(v));
    await expect(f(bad(3))).rejects.toThrow('exp: argument x must be a tensor, got the number 3');
    const g = T.jit((v: T.Tensor<'f32'>, w: T.Tensor<'f32'>) => T.mul(v, w));
    await expect(g(x, bad(undefined))).rejects.toThrow('mul: argument y must be a tensor or a number, got undefined');
  });

  it('a statically mismatched matmul reads as the reason in the compiler message', () => {
    const repo = fileURLToPath(new URL('../..', import.meta.url));
    const cache = join(repo, 'node_modules', '.cache', 'ssmjit-spec');
    mkdirSync(cache, { recursive: true });
    const dir = mkdtempSync(join(cache, 'matmul-'));
    try {
      writeFileSync(
        join(dir, 'mismatch.ts'),
        `import * as T from '${join(repo, 'src/index')}';\n` +
          `declare const a: T.Tensor<'f32', readonly [2, 3]>;\ndeclare const b: T.Tensor<'f32', readonly [4, 4]>;\n` +
          `T.matmul(a, b);\nT.pipe(a, T.matmul(b));\n`,
      );
      const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
      const out = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', '--target', 'ES2022', '--module', 'ESNext', '--moduleResolution', 'Bundler', '--types', 'node', join(dir, 'mismatch.ts')], { encoding: 'utf8' });
      // One diagnostic per call (its first line, then indented detail lines), each quoting the reason.
      const diagnostics = out.stdout.split(/\n(?=\S)/).filter((d) => d.includes('mismatch.ts('));
      expect(diagnostics).toHaveLength(2);
      for (const d of diagnostics) expect(d).toMatch(/MatmulMismatch<"matmul: inner dimensions differ \(3 vs 4\)">/);
      expect(out.stdout).not.toMatch(/Expected 3 arguments/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
