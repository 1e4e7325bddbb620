/**
 * Compile-time checks of the DSL's dtype algebra: mixing dtypes needs a cast except f32 with
 * c64 (which gives c64), complex projections need c64, the FFT family checks its input dtype,
 * and dtypes propagate through ops. Checked by vitest's typecheck mode and by tsc.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { Tensor } from '../../src/index';
import * as T from '../../src/index';

declare const f: Tensor<'f32', readonly [4]>;
declare const f2: Tensor<'f32', readonly [2, 4]>;
declare const i: Tensor<'i32', readonly [4]>;
declare const c: Tensor<'c64', readonly [4]>;
declare const b: Tensor<'bool', readonly [4]>;

describe('binary ops and promotion', () => {
  it('f32 with c64 gives c64, in either order', () => {
    expectTypeOf(T.add(f, c)).toEqualTypeOf<Tensor<'c64', readonly [4]>>();
    expectTypeOf(T.mul(c, f)).toEqualTypeOf<Tensor<'c64', readonly [4]>>();
  });

  it('same dtypes keep their dtype; JS numbers adopt it', () => {
    expectTypeOf(T.add(i, i)).toEqualTypeOf<Tensor<'i32', readonly [4]>>();
    expectTypeOf(T.sub(f, 1)).toEqualTypeOf<Tensor<'f32', readonly [4]>>();
    expectTypeOf(T.mul(2, c)).toEqualTypeOf<Tensor<'c64', readonly [4]>>();
  });

  it('c64 with i32, f32 with i32 and bool arithmetic need an explicit cast', () => {
    // @ts-expect-error c64 + i32 without a cast
    T.add(c, i);
    // @ts-expect-error i32 + c64 without a cast
    T.add(i, c);
    // @ts-expect-error f32 * i32 without a cast
    T.mul(f, i);
    // @ts-expect-error bool is not an arithmetic dtype
    T.add(b, b);
    expectTypeOf(T.add(c, T.cast('c64')(i))).toEqualTypeOf<Tensor<'c64', readonly [4]>>();
    expectTypeOf(T.mul(f, T.cast('f32')(i))).toEqualTypeOf<Tensor<'f32', readonly [4]>>();
  });

  it('comparisons give bool and accept only real operands', () => {
    expectTypeOf(T.less(f, 0)).toEqualTypeOf<Tensor<'bool', readonly [4]>>();
    // @ts-expect-error complex numbers are not ordered
    T.less(c, c);
  });

  it('equal static shapes are kept; broadcasting different static shapes keeps the dtype', () => {
    expectTypeOf(T.add(f2, f2)).toEqualTypeOf<Tensor<'f32', readonly [2, 4]>>();
    expectTypeOf(T.add(f2, f).dtype).toEqualTypeOf<'f32'>();
  });
});

describe('complex projections and the FFT family', () => {
  it('real, imag and abs of c64 give f32; conj keeps c64', () => {
    expectTypeOf(T.real(c)).toEqualTypeOf<Tensor<'f32', readonly [4]>>();
    expectTypeOf(T.imag(c)).toEqualTypeOf<Tensor<'f32', readonly [4]>>();
    expectTypeOf(T.abs(c)).toEqualTypeOf<Tensor<'f32', readonly [4]>>();
    expectTypeOf(T.abs(i)).toEqualTypeOf<Tensor<'i32', readonly [4]>>();
    expectTypeOf(T.conj(c)).toEqualTypeOf<Tensor<'c64', readonly [4]>>();
  });

  it('real and imag need c64', () => {
    // @ts-expect-error real() of an f32 tensor
    T.real(f);
    // @ts-expect-error imag() of an i32 tensor
    T.imag(i);
  });

  it('rfft needs f32; fft and irfft need c64', () => {
    expectTypeOf(T.rfft(f)).toEqualTypeOf<Tensor<'c64'>>();
    expectTypeOf(T.irfft(T.rfft(f), 4)).toEqualTypeOf<Tensor<'f32'>>();
    // @ts-expect-error rfft of a complex tensor
    T.rfft(c);
    // @ts-expect-error rfft of an i32 tensor
    T.rfft(i);
    // @ts-expect-error fft of a real tensor
    T.fft(f);
    // @ts-expect-error irfft of a real tensor
    T.irfft(f);
  });

  it('exp accepts f32 and c64 only; log only f32', () => {
    expectTypeOf(T.exp(c)).toEqualTypeOf<Tensor<'c64', readonly [4]>>();
    // @ts-expect-error exp of i32
    T.exp(i);
    // @ts-expect-error log of c64
    T.log(c);
  });
});

describe('dtypes propagate', () => {
  it('through reductions, scans, structural ops and casts', () => {
    expectTypeOf(T.sum(c)).toEqualTypeOf<Tensor<'c64'>>();
    expectTypeOf(T.max(i, { axis: 0 })).toEqualTypeOf<Tensor<'i32'>>();
    expectTypeOf(T.argmax(f)).toEqualTypeOf<Tensor<'i32'>>();
    expectTypeOf(T.cumsum(c)).toEqualTypeOf<Tensor<'c64', readonly [4]>>();
    expectTypeOf(T.linearRecurrence(c, c, { axis: 0 })).toEqualTypeOf<Tensor<'c64'>>();
    expectTypeOf(T.linearRecurrence(f, f, { axis: 0 })).toEqualTypeOf<Tensor<'f32'>>();
    expectTypeOf(T.reshape(c, [2, 2])).toEqualTypeOf<Tensor<'c64', readonly [2, 2]>>();
    expectTypeOf(T.transpose(i)).toEqualTypeOf<Tensor<'i32'>>();
    expectTypeOf(T.cast('bool')(f)).toEqualTypeOf<Tensor<'bool', readonly [4]>>();
    expectTypeOf(T.where(b, c, c)).toEqualTypeOf<Tensor<'c64'>>();
    expectTypeOf(T.complex(f, f)).toEqualTypeOf<Tensor<'c64', readonly [4]>>();
  });

  it('tensor data follow the dtype', () => {
    expectTypeOf(i.data()).toEqualTypeOf<Int32Array>();
    expectTypeOf(b.data()).toEqualTypeOf<Uint8Array>();
    expectTypeOf(c.data()).toEqualTypeOf<Float32Array>();
    expectTypeOf(T.tensor([1, 2], 'i32').dtype).toEqualTypeOf<'i32'>();
  });

  it('reductions reject dtypes they do not accept', () => {
    // @ts-expect-error max of complex numbers
    T.max(c);
    // @ts-expect-error sum of booleans
    T.sum(b);
  });
});
