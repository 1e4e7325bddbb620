/**
 * Compile-time checks of matmul: scalar operands and statically known, different inner
 * dimensions are type errors; result shapes follow from static operand shapes.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { Tensor } from '../../src/index';
import * as T from '../../src/index';

declare const a23: Tensor<'f32', readonly [2, 3]>;
declare const a34: Tensor<'f32', readonly [3, 4]>;
declare const a44: Tensor<'f32', readonly [4, 4]>;
declare const batch: Tensor<'f32', readonly [8, 2, 3]>;
declare const batchB: Tensor<'f32', readonly [8, 3, 5]>;
declare const v3: Tensor<'f32', readonly [3]>;
declare const s: Tensor<'f32', readonly []>;
declare const dyn: Tensor<'f32'>;
declare const c34: Tensor<'c64', readonly [3, 4]>;

describe('matmul types', () => {
  it('gives the static result shape', () => {
    expectTypeOf(T.matmul(a23, a34)).toEqualTypeOf<Tensor<'f32', readonly [2, 4]>>();
    expectTypeOf(T.matmul(batch, batchB)).toEqualTypeOf<Tensor<'f32', readonly [8, 2, 5]>>();
  });

  it('rejects statically mismatched inner dimensions', () => {
    // @ts-expect-error inner dimensions 3 and 4 differ
    T.matmul(a23, a44);
    // @ts-expect-error vector of length 3 times a [4, 4] matrix
    T.matmul(v3, a44);
  });

  it('rejects scalar operands', () => {
    // @ts-expect-error the left operand is a scalar
    T.matmul(s, a34);
    // @ts-expect-error the right operand is a scalar
    T.matmul(a23, s);
  });

  it('rejects operands of different dtypes', () => {
    // @ts-expect-error f32 and c64 operands need a cast
    T.matmul(a23, c34);
  });

  it('accepts shapes that are only known at run time', () => {
    expectTypeOf(T.matmul(dyn, a34).dtype).toEqualTypeOf<'f32'>();
    expectTypeOf(T.matmul(a23, dyn).dtype).toEqualTypeOf<'f32'>();
  });
});
