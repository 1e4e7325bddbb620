/**
 * Compile-time checks of vmap: the mapped function takes and returns the same trees with the
 * same dtypes, tensor shapes loosened (the batched values have one more axis); a jitted
 * function stays asynchronous.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { Tensor } from '../../src/index';
import * as T from '../../src/index';

interface Params {
  readonly w: Tensor<'f32', readonly [3, 4]>;
  readonly z: Tensor<'c64', readonly [4]>;
}
declare const params: Params;
declare const xs: Tensor<'f32', readonly [8, 3]>;
declare const ints: Tensor<'i32'>;
declare const perExample: (p: Params, x: Tensor<'f32', readonly [3]>) => { y: Tensor<'c64', readonly [4]>; n: number };

describe('vmap types', () => {
  it('keeps trees and dtypes, loosens shapes', () => {
    const f = T.vmap(perExample, { inAxes: [null, 0] });
    expectTypeOf(f).parameter(0).toEqualTypeOf<{ readonly w: Tensor<'f32'>; readonly z: Tensor<'c64'> }>();
    expectTypeOf(f(params, xs)).toEqualTypeOf<{ y: Tensor<'c64'>; n: number }>();
  });

  it('a dtype mismatch in the mapped function is still a type error', () => {
    const f = T.vmap((x: Tensor<'f32'>) => T.sum(x));
    // @ts-expect-error an i32 tensor where the function takes f32
    f(ints);
  });

  it('vmap of a jitted function returns a promise of the batched result', () => {
    const g = T.vmap(T.jit((x: Tensor<'f32'>) => T.exp(x)));
    expectTypeOf(g(xs)).toEqualTypeOf<Promise<Tensor<'f32'>>>();
  });
});
