/**
 * The tracer and the IR: printed IR text (written by hand), typecheck on traced and on
 * hand-corrupted programs, shape/dtype errors (op, operands, call site), `T.checked`,
 * captured tensors as constVars, scalars as literals, and leaked tracers.
 */
import * as E from 'fp-ts/Either';
import { pipe } from 'fp-ts/function';
import { describe, expect, it } from 'vitest';
import { ShapeDtypeError } from '../../compiler/errors';
import { type Eqn, type IR, Lit, Var } from '../../compiler/ir';
import { applyIR } from '../../compiler/tracer';
import { IRTypeError } from '../../compiler/typecheck';
import type { Tensor } from '../../src/index';
import * as T from '../../src/index';

const THIS_FILE = 'ir.test.ts';

/** The error thrown by f, or a failure when it does not throw. */
function errorOf(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('printIR', () => {
  it('prints a small program: constants first, then inputs, one equation per line', () => {
    const W = T.tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const f = (x: Tensor<'f32'>) => pipe(x, T.mul(2), (v) => T.exp(v), (v) => T.matmul(v, W), (v) => T.sum(v));
    const text = T.makeIR(f)(T.spec([4, 3])).toString();
    expect(text).toBe(
      [
        '{ lambda a:f32[3,2] ; b:f32[4,3] .',
        '    c:f32[4,3] = broadcast_in_dim[shape=[4,3] dims=[]] 2.0:f32',
        '    d:f32[4,3] = mul b c',
        '    e:f32[4,3] = exp d',
        '    f:f32[4,2] = matmul e a',
        '    g:f32[] = reduce_sum[axes=[0,1]] f',
        '  in (g) }',
      ].join('\n'),
    );
  });

  it('prints several outputs, a promotion cast and scan parameters', () => {
    const f = (x: Tensor<'f32'>, z: Tensor<'c64'>) => [T.mul(z, x), T.cumsum(T.neg(x), { axis: 0, reverse: true })];
    expect(T.makeIR(f)(T.spec([2]), T.spec([2], 'c64')).toString()).toBe(
      [
        '{ lambda a:f32[2] b:c64[2] .',
        '    c:c64[2] = cast[dtype=c64] a',
        '    d:c64[2] = mul b c',
        '    e:f32[2] = neg a',
        '    f:f32[2] = cumsum[axis=0 reverse=true] e',
        '  in (d, f) }',
      ].join('\n'),
    );
  });

  it('prints the combine of an associative scan as an indented sub-program', () => {
    const f = (x: Tensor<'f32'>) => T.associativeScan(([a], [b]) => [T.add(T.mul(a as Tensor<'f32'>, 0.5), b as Tensor<'f32'>)], [x]);
    expect(T.makeIR(f)(T.spec([5])).toString()).toBe(
      [
        '{ lambda a:f32[5] .',
        '    b:f32[5] = assoc_scan[axis=0 reverse=false] a',
        '      { lambda a:f32[] b:f32[] .',
        '          c:f32[] = mul a 0.5:f32',
        '          d:f32[] = add c b',
        '        in (d) }',
        '  in (b) }',
      ].join('\n'),
    );
  });
});

describe('literals in printed IR', () => {
  it('prints complex scalars as (re+imi) and negative imaginary parts with their sign', () => {
    const p = T.makeIR((z: Tensor<'c64'>) => T.add(T.mul(z, T.tensor([1, 2], 'c64', [])), T.tensor([0.5, -3], 'c64', [])))(T.spec([], 'c64'));
    expect(p.toString()).toBe(
      ['{ lambda a:c64[] .', '    b:c64[] = mul a (1.0+2.0i)', '    c:c64[] = add b (0.5-3.0i)', '  in (c) }'].join('\n'),
    );
  });
});

describe('applyIR', () => {
  const program = T.makeIR((x: Tensor<'f32'>) => T.cumsum(T.mul(x, 3)))(T.spec([4]));

  it('evaluates an IR on concrete tensors', () => {
    const [y] = applyIR(program.ir, program.consts, [T.tensor([1, 2, 3, 4])]);
    expect(Array.from(y.data64())).toEqual([3, 9, 18, 30]);
  });

  it('re-binds the equations inside an enclosing trace, so programs compose', () => {
    const outer = T.makeIR((x: Tensor<'f32'>) => applyIR(program.ir, program.consts, [T.exp(x)])[0])(T.spec([4]));
    expect(outer.ir.eqns.map((e) => e.prim)).toEqual(['exp', 'broadcast_in_dim', 'mul', 'cumsum']);
    T.typecheck(outer.ir);
  });
});

describe('typecheck', () => {
  const traced = T.makeIR((x: Tensor<'f32'>, z: Tensor<'c64'>) => {
    const y = T.real(T.mul(T.exp(z), x));
    return T.sum(T.matmul(T.reshape(y, [2, 3]), T.transpose(T.reshape(y, [2, 3]))), { axis: -1 });
  })(T.spec([6]), T.spec([6], 'c64'));

  it('accepts traced programs', () => {
    expect(() => T.typecheck(traced.ir)).not.toThrow();
    const scan = T.makeIR((x: Tensor<'f32'>) => T.associativeScan(([a], [b]) => [T.maximum(a as Tensor<'f32'>, b as Tensor<'f32'>)], [x], { reverse: true }));
    expect(() => T.typecheck(scan(T.spec([3, 4])).ir)).not.toThrow();
  });

  it('catches an output declared with the wrong shape', () => {
    const k = traced.ir.eqns.findIndex((e) => e.prim === 'exp');
    const e = traced.ir.eqns[k];
    const wrong: Eqn = { ...e, outputs: [new Var({ shape: [7], dtype: 'c64' })] };
    const ir: IR = { ...traced.ir, eqns: traced.ir.eqns.map((q, i) => (i === k ? wrong : q)) };
    const err = errorOf(() => T.typecheck(ir));
    expect(err).toBeInstanceOf(IRTypeError);
    expect(err.message).toContain(`equation ${k} (exp) output 0 is declared c64[7] but infers c64[6]`);
  });

  it('catches a variable used before it is defined', () => {
    // Reversed, the first equation reads the output of one that now comes later.
    const ir: IR = { ...traced.ir, eqns: [...traced.ir.eqns].reverse() };
    const err = errorOf(() => T.typecheck(ir));
    expect(err).toBeInstanceOf(IRTypeError);
    expect(err.message).toMatch(/equation 0 uses variable \d+ before it is defined/);
  });

  it('catches an operand dtype the primitive does not accept, and a variable defined twice', () => {
    const a = new Var({ shape: [3], dtype: 'i32' });
    const bad: IR = { constVars: [], inVars: [a], eqns: [{ prim: 'exp', inputs: [a], outputs: [new Var({ shape: [3], dtype: 'i32' })], params: {} }], outAtoms: [a] };
    const err = errorOf(() => T.typecheck(bad));
    expect(err).toBeInstanceOf(ShapeDtypeError);
    expect(err.message).toContain('exp: operand needs f32 or c64, got i32');

    const x = new Var({ shape: [2], dtype: 'f32' });
    const twice: IR = { constVars: [], inVars: [x], eqns: [{ prim: 'neg', inputs: [x], outputs: [x], params: {} }], outAtoms: [x] };
    expect(errorOf(() => T.typecheck(twice)).message).toContain('defined twice');
  });

  it('checks the combine of an associative scan too', () => {
    const scan = T.makeIR((x: Tensor<'f32'>) => T.associativeScan(([a], [b]) => [T.add(a as Tensor<'f32'>, b as Tensor<'f32'>)], [x]))(T.spec([4]));
    const e = scan.ir.eqns[0] as Eqn<'assoc_scan'>;
    const inner = e.params.combine.ir;
    const corrupted: IR = { ...inner, eqns: inner.eqns.map((q) => ({ ...q, outputs: [new Var({ shape: [2], dtype: 'f32' })] })) };
    const ir: IR = { ...scan.ir, eqns: [{ ...e, params: { ...e.params, combine: { ...e.params.combine, ir: corrupted } } }] };
    const err = errorOf(() => T.typecheck(ir));
    expect(err.message).toContain('combine of equation 0');
  });
});

describe('shape and dtype errors', () => {
  const x3 = T.tensor([1, 2, 3]);
  const x2 = T.tensor([1, 2]);
  const cases: readonly { name: string; call: () => unknown; op: string; operands: readonly string[] }[] = [
    { name: 'broadcast failure', call: () => T.add(x3, x2), op: 'add', operands: ['f32[3]', 'f32[2]'] },
    { name: 'dtype mix without a cast', call: () => T.add(x3, T.tensor([1, 2, 3], 'i32') as Tensor as Tensor<'f32'>), op: 'add', operands: ['f32[3]', 'i32[3]'] },
    { name: 'dtype a primitive rejects', call: () => T.exp(T.tensor([1, 2], 'i32') as never), op: 'exp', operands: ['i32[2]'] },
    { name: 'matmul inner dimensions', call: () => T.matmul(T.zeros([2, 3]), T.zeros([2, 2]) as never), op: 'matmul', operands: ['f32[2,3]', 'f32[2,2]'] },
    { name: 'reshape to a different size', call: () => T.reshape(x3, [2, 2]), op: 'reshape', operands: ['f32[3]'] },
    { name: 'axis out of range', call: () => T.sum(x3, { axis: 2 }), op: 'sum', operands: ['f32[3]'] },
    { name: 'rfft of an empty axis', call: () => T.rfft(T.zeros([2, 0])), op: 'rfft', operands: ['f32[2,0]'] },
  ];

  it.each(cases)('$name: names the op and the operand shapes and dtypes', ({ call, op, operands }) => {
    const err = errorOf(call);
    expect(err).toBeInstanceOf(ShapeDtypeError);
    expect(err.message.startsWith(`${op}:`)).toBe(true);
    for (const o of operands) expect(err.message).toContain(o);
  });

  it('raises the same error while tracing', () => {
    const err = errorOf(() => T.makeIR((a: Tensor<'f32'>, b: Tensor<'f32'>) => T.add(a, b))(T.spec([3]), T.spec([2])));
    expect(err).toBeInstanceOf(ShapeDtypeError);
    expect(err.message).toContain('f32[3], f32[2]');
  });

  it.each(cases)('$name: names the call site in this test file', ({ call }) => {
    expect(errorOf(call).message).toContain(THIS_FILE);
  });
});

describe('T.checked', () => {
  const safeAdd = T.checked((a: Tensor<'f32'>, b: Tensor<'f32'>) => T.add(a, b));

  it('returns a Left holding the ShapeDtypeError instead of throwing', () => {
    const r = safeAdd(T.tensor([1, 2, 3]), T.tensor([1, 2]));
    expect(E.isLeft(r)).toBe(true);
    if (E.isLeft(r)) {
      expect(r.left).toBeInstanceOf(ShapeDtypeError);
      expect(r.left.message).toContain('add');
    }
  });

  it('returns a Right holding the result on success', () => {
    const r = safeAdd(T.tensor([1, 2]), T.tensor([10, 20]));
    expect(E.isRight(r) && Array.from(r.right.data64())).toEqual([11, 22]);
  });
});

describe('constants and literals', () => {
  it('turns closure-captured tensors into constVars bound to those tensors, once each', () => {
    const W = T.tensor([
      [1, 0],
      [0, 1],
    ]);
    const b = T.tensor([5, 6]);
    const p = T.makeIR((x: Tensor<'f32'>) => T.add(T.add(T.matmul(x, W), b), b))(T.spec([3, 2]));
    expect(p.ir.constVars).toHaveLength(2);
    expect(p.consts[0]).toBe(W);
    expect(p.consts[1]).toBe(b);
    expect(p.ir.constVars.map((v) => v.aval.shape)).toEqual([[2, 2], [2]]);
  });

  it('turns JS numbers and scalar tensors into literals, not constVars', () => {
    const p = T.makeIR((x: Tensor<'f32'>) => T.mul(T.add(x, 2.5), T.scalar(-3)))(T.spec([]));
    expect(p.ir.constVars).toHaveLength(0);
    const lits = p.ir.eqns.flatMap((e) => e.inputs.filter((a): a is Lit => a instanceof Lit));
    expect(lits.map((l) => [l.dtype, l.re])).toEqual([
      ['f32', 2.5],
      ['f32', -3],
    ]);
  });

  it('makes a tracer of an enclosing trace a constVar of the inner program', () => {
    let innerConsts: readonly Tensor[] = [];
    T.makeIR((x: Tensor<'f32'>) => {
      const inner = T.makeIR((y: Tensor<'f32'>) => T.mul(y, x))(T.spec([2]));
      innerConsts = inner.consts;
      return x;
    })(T.spec([2]));
    expect(innerConsts).toHaveLength(1);
    expect(innerConsts[0].isTracer).toBe(true);
  });

  it('traces pytree arguments with record keys in sorted order', () => {
    const p = T.makeIR((params: { w: Tensor<'f32'>; b: Tensor<'f32'> }, x: Tensor<'f32'>) => T.add(T.mul(x, params.w), params.b))(
      { w: T.spec([3]), b: T.spec([3]) },
      T.spec([3]),
    );
    expect(p.ir.inVars).toHaveLength(3);
    // b, then w (sorted), then x: the add's second operand is the first input.
    const add = p.ir.eqns[p.ir.eqns.length - 1];
    expect(add.inputs[1]).toBe(p.ir.inVars[0]);
  });
});

describe('leaked tracers', () => {
  let leaked: Tensor<'f32'> | undefined;
  T.makeIR((x: Tensor<'f32'>) => {
    leaked = T.exp(x);
    return leaked;
  })(T.spec([3]));
  const escaped = leaked as Tensor<'f32'>;

  it('give a clear error when used eagerly afterwards', () => {
    const err = errorOf(() => T.add(escaped, 1));
    expect(err.message).toContain('traced');
    expect(err.message).toContain('f32[3]');
  });

  it('give a clear error when used in a later trace', () => {
    const err = errorOf(() => T.makeIR((y: Tensor<'f32'>) => T.add(y, escaped))(T.spec([3])));
    expect(err.message).toContain('escaped the function that was being transformed');
    expect(err.message).toContain('f32[3]');
  });

  it('cannot be read', () => {
    expect(() => escaped.toArray()).toThrow(/traced f32\[3\]/);
  });
});
