/**
 * console.log of a tensor shows its dtype, shape and values (hand-written expected strings),
 * never the implementation's fields; traced tensors say they have no values yet; big tensors
 * are summarised per axis.
 */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import * as T from '../../src/index';

describe('Tensor printing', () => {
  it('shows dtype, shape and values in console.log (util.inspect)', () => {
    expect(inspect(T.tensor([[1, 2.5], [3, -4]]))).toBe('Tensor<f32>[2,2]\n[[1, 2.5],\n [3, -4]]');
    expect(inspect(T.tensor([1, 2, 3], 'i32'))).toBe('Tensor<i32>[3] [1, 2, 3]');
    expect(inspect(T.scalar(0.1))).toBe('Tensor<f32>[] 0.1');
    expect(inspect(T.complex(T.tensor([1, 0.5]), T.tensor([-2, 0])))).toBe('Tensor<c64>[2] [1-2i, 0.5+0i]');
    expect(inspect(T.less(T.tensor([1, 3]), 2))).toBe('Tensor<bool>[2] [true, false]');
    expect(inspect({ w: T.tensor([7]) })).toBe('{ w: Tensor<f32>[1] [7] }');
    expect(inspect(T.tensor([1, 2]))).not.toMatch(/impl|aval|concrete/);
  });

  it('rounds to 6 significant digits (the values stay float64)', () => {
    expect(String(T.tensor([Math.PI]))).toBe('Tensor<f32>[1] [3.14159]');
  });

  it('says a traced tensor has no values', () => {
    let text = '';
    T.makeIR((x: T.Tensor<'f32'>) => {
      text = inspect(x);
      return x;
    })(T.spec([2]));
    expect(text).toBe('Tensor<f32>[2] (traced: no values until the function runs)');
  });

  it('summarises large tensors with the first and last three entries per axis', () => {
    const x = T.reshape(T.arange(2000, 'f32'), [2, 1000]);
    expect(inspect(x)).toBe('Tensor<f32>[2,1000]\n[[0, 1, 2, …, 997, 998, 999],\n [1000, 1001, 1002, …, 1997, 1998, 1999]]');
  });
});
