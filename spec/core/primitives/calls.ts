/**
 * Table records of the call primitives (custom_vjp, custom_jvp, checkpoint): evaluated eagerly
 * they are the wrapped function, so each case wraps a small program (x·sin(x) + 1, and a pair
 * of outputs) and compares with Math on every element. Their derivatives are checked in
 * spec/autodiff (customRules.test.ts, checkpoint.test.ts, primitiveCases.ts).
 */
import type { DType, Tensor } from '../../../src/index';
import * as T from '../../../src/index';
import { randomArray, TEST_SHAPES } from '../../support/seeded';
import { mapRef } from './builders';
import type { PrimCase, PrimitiveTable } from './types';

type CallPrim = 'custom_vjp' | 'custom_jvp' | 'checkpoint';

const show = (s: readonly number[]): string => `[${s.join(',')}]`;
const F = (x: Tensor): Tensor<'f32'> => x as Tensor<'f32'>;
const body = (x: Tensor): Tensor => T.add(T.mul(F(x), T.sin(F(x))), 1);
const ref = (v: number[]): number[] => [v[0] * Math.sin(v[0]) + 1];

function casesOf(wrap: (f: (x: Tensor) => Tensor) => (x: Tensor) => Tensor) {
  return (rng: Parameters<PrimitiveTable['checkpoint']['cases']>[0], d: DType): PrimCase[] =>
    TEST_SHAPES.map((shape): PrimCase => {
      const x = randomArray(rng, d, shape, { range: [-3, 3] });
      return { label: `x·sin(x) + 1 on ${show(shape)}`, inputs: [x], apply: ([t]) => wrap(body)(t), expected: [mapRef(x, d, ref)], tol: { rtol: 1e-12, atol: 1e-12 } };
    });
}

export const callRecords: { readonly [P in CallPrim]: PrimitiveTable[P] } = {
  custom_vjp: {
    via: 'T.customVjp',
    reference: 'the wrapped function (Math.sin)',
    dtypes: ['f32'],
    cases: casesOf((f) => T.customVjp(f, ([x], _y, ct) => [T.mul(F(ct), T.add(T.sin(F(x)), T.mul(F(x), T.cos(F(x)))))])),
  },
  custom_jvp: {
    via: 'T.customJvp',
    reference: 'the wrapped function (Math.sin)',
    dtypes: ['f32'],
    cases: casesOf((f) => T.customJvp(f, ([x], [t]) => [f(x), T.mul(F(t), T.add(T.sin(F(x)), T.mul(F(x), T.cos(F(x)))))])),
  },
  checkpoint: {
    via: 'T.checkpoint',
    reference: 'the wrapped function (Math.sin)',
    dtypes: ['f32'],
    cases: casesOf((f) => T.checkpoint(f)),
  },
};
