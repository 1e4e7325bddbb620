/**
 * Compile-time side of the API boundary: complex of two numbers, linearRecurrence without an
 * axis and non-tensor operands do not compile.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { Tensor } from '../../src/index';
import * as T from '../../src/index';

declare const f: Tensor<'f32', readonly [4, 8]>;
declare const z: Tensor<'c64', readonly [4, 8]>;

describe('the boundary in the types', () => {
  it('complex needs a tensor operand', () => {
    // @ts-expect-error two numbers make no tensor: T.complex(T.scalar(0.5), 0.1)
    T.complex(0.5, 0.1);
    expectTypeOf(T.complex(f, 0.1)).toEqualTypeOf<Tensor<'c64', readonly [4, 8]>>();
    expectTypeOf(T.complex(0.5, f)).toEqualTypeOf<Tensor<'c64', readonly [4, 8]>>();
  });

  it('linearRecurrence states its axis', () => {
    // @ts-expect-error the axis is required
    T.linearRecurrence(z, z);
    // @ts-expect-error reverse alone does not say which axis
    T.linearRecurrence(z, z, { reverse: true });
    expectTypeOf(T.linearRecurrence(z, z, { axis: 1 })).toEqualTypeOf<Tensor<'c64'>>();
  });

  it('operands are tensors or numbers', () => {
    // @ts-expect-error an array is not an operand
    T.add(f, [1, 2, 3]);
    // @ts-expect-error a unary op takes a tensor
    T.exp([1, 2, 3]);
  });
});
