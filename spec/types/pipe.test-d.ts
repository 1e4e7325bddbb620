/**
 * Compile-time checks that the data-last forms compose in fp-ts `pipe`, with dtypes (and
 * static shapes where known) flowing through, and that a dtype mistake inside a pipeline is a
 * type error.
 */
import { pipe } from 'fp-ts/function';
import { describe, expectTypeOf, it } from 'vitest';
import type { Tensor } from '../../src/index';
import * as T from '../../src/index';

declare const x: Tensor<'f32', readonly [8, 4]>;
declare const w: Tensor<'f32', readonly [4, 3]>;
declare const z: Tensor<'c64', readonly [4]>;
declare const idx: Tensor<'i32', readonly [2]>;

describe('data-last forms in pipe', () => {
  it('elementwise, matmul, reductions and casts', () => {
    const y = pipe(x, T.mul(2), T.add(1), T.tanh, T.matmul(w), T.sum({ axis: -1 }));
    expectTypeOf(y).toEqualTypeOf<Tensor<'f32'>>();
    const h = pipe(x, T.matmul(w));
    expectTypeOf(h).toEqualTypeOf<Tensor<'f32', readonly [8, 3]>>();
    const k = pipe(x, T.cast('c64'), T.mul(z), T.real);
    expectTypeOf(k).toEqualTypeOf<Tensor<'f32'>>();
    expectTypeOf(pipe(x, T.add(x))).toEqualTypeOf<Tensor<'f32', readonly [8, 4]>>();
  });

  it('structural ops', () => {
    const r = pipe(x, T.reshape([4, 8]), T.transpose([1, 0]), T.slice([[0, 2]]), T.take(idx, 0), T.reverse(0), T.pad([[1, 1], [0, 0]]));
    expectTypeOf(r).toEqualTypeOf<Tensor<'f32'>>();
    expectTypeOf(pipe(z, T.reshape([2, 2]))).toEqualTypeOf<Tensor<'c64', readonly [2, 2]>>();
  });

  it('a dtype mistake inside a pipeline is a type error', () => {
    // @ts-expect-error real() of an f32 tensor
    pipe(x, T.real);
    // @ts-expect-error real() of an f32 tensor after a tensor-operand op
    pipe(x, T.mul(x), T.real);
    // @ts-expect-error adding an i32 tensor to f32 without a cast
    pipe(x, T.add(idx));
  });

  it('a data-last binary op with a JS number keeps the tensor dtype and shape', () => {
    expectTypeOf(pipe(x, T.mul(2))).toEqualTypeOf<Tensor<'f32', readonly [8, 4]>>();
    expectTypeOf(pipe(idx, T.add(1))).toEqualTypeOf<Tensor<'i32', readonly [2]>>();
    expectTypeOf(pipe(x, T.less(0))).toEqualTypeOf<Tensor<'bool', readonly [8, 4]>>();
    // @ts-expect-error real() of an f32 tensor after a number-operand op
    pipe(x, T.mul(2), T.real);
  });
});
