/**
 * Table records of the reductions and matmul. References are nested loops over explicit
 * multi-indices (support/naive/reductions); i32 sums wrap to 32 bits like integer addition.
 */
import type { DType, Tensor } from '../../../src/index';
import * as T from '../../../src/index';
import * as R from '../../support/naive/reductions';
import type { RefArray } from '../../support/refArray';
import { AXIS_SHAPES, randomArray, type Rng } from '../../support/seeded';
import { probeRng } from './builders';
import type { PrimCase, PrimitiveTable } from './types';

type ReductionPrim = 'reduce_sum' | 'reduce_max' | 'argmax' | 'matmul';

const show = (s: readonly number[]): string => `[${s.join(',')}]`;

/** Axis choices for a shape: all axes, the first, the last (negative), and two axes for rank 3. */
function axisChoices(shape: readonly number[]): (number | number[] | undefined)[] {
  const out: (number | number[] | undefined)[] = [undefined, 0];
  if (shape.length >= 2) out.push(-1);
  if (shape.length >= 3) out.push([0, 2]);
  return out;
}
const normAxes = (axis: number | number[] | undefined, rank: number): number[] =>
  axis === undefined ? Array.from({ length: rank }, (_, i) => i) : (typeof axis === 'number' ? [axis] : axis).map((a) => (a < 0 ? a + rank : a));

function reductionCases(
  rng: Rng,
  dtype: DType,
  apply: (x: Tensor, axis: number | number[] | undefined) => Tensor,
  ref: (x: RefArray, axes: number[]) => RefArray,
  bug?: (x: RefArray, axes: number[]) => string | undefined,
): PrimCase[] {
  return AXIS_SHAPES.flatMap((shape) =>
    axisChoices(shape).map((axis): PrimCase => {
      const x = randomArray(rng, dtype, shape, { special: true });
      const axes = normAxes(axis, shape.length);
      return {
        label: `${show(shape)} axis ${axis === undefined ? 'all' : JSON.stringify(axis)}`,
        inputs: [x],
        apply: ([t]) => apply(t, axis),
        expected: [ref(x, axes)],
        knownBug: bug?.(x, axes),
      };
    }),
  );
}

const matmulShapes: readonly (readonly [readonly number[], readonly number[]])[] = [
  [[2, 3], [3, 4]],
  [[1, 5], [5, 1]],
  [[3], [3, 2]],
  [[2, 3], [3]],
  [[3], [3]],
  [[2, 2, 3], [2, 3, 2]],
  [[2, 1, 2, 3], [3, 4]],
  [[2, 0], [0, 3]],
  [[0, 3], [3, 2]],
];

export const reductionRecords: { readonly [P in ReductionPrim]: PrimitiveTable[P] } = {
  reduce_sum: {
    via: 'T.sum(x, { axis })',
    reference: 'left-to-right sum over the reduced multi-indices (empty sum = 0)',
    dtypes: ['f32', 'i32', 'c64'],
    cases: (rng, d) =>
      reductionCases(rng, d, (x, axis) => T.sum(x as Tensor<'f32'>, { axis }), R.sum),
    rejects: { dtypes: ['bool'], operands: (d) => [randomArray(probeRng, d, [2])], params: { axes: [0] } },
  },
  reduce_max: {
    via: 'T.max(x, { axis })',
    reference: 'running maximum, NaN propagates; empty max is -inf (f32) or INT32_MIN (i32)',
    dtypes: ['f32', 'i32'],
    cases: (rng, d) =>
      reductionCases(rng, d, (x, axis) => T.max(x as Tensor<'f32'>, { axis }), R.max),
    rejects: { dtypes: ['bool', 'c64'], operands: (d) => [randomArray(probeRng, d, [2])], params: { axes: [0] } },
  },
  argmax: {
    via: 'T.argmax(x, axis)',
    reference: 'index of the first maximum; first NaN wins (numpy.argmax)',
    dtypes: ['f32', 'i32'],
    cases: (rng, d) =>
      AXIS_SHAPES.flatMap((shape) =>
        [0, -1]
          .map((axis) => (axis < 0 ? axis + shape.length : axis))
          .filter((axis) => shape[axis] > 0)
          .map((axis): PrimCase => {
            // A narrow integer range makes ties common.
            const x = randomArray(rng, d, shape, { special: d === 'f32', intRange: [-2, 2] });
            return { label: `${show(shape)} axis ${axis}`, inputs: [x], apply: ([t]) => T.argmax(t as Tensor<'f32'>, axis), expected: [R.argmax(x, axis)] };
          }),
      ),
    rejects: { dtypes: ['bool', 'c64'], operands: (d) => [randomArray(probeRng, d, [2])], params: { axis: 0 } },
  },
  matmul: {
    via: 'T.matmul (numpy rank-1 promotion and batch broadcasting)',
    reference: 'textbook triple loop out[i,j] = sum_k a[i,k] b[k,j] per batch; i32 modulo 2^32',
    dtypes: ['f32', 'i32', 'c64'],
    cases: (rng, d) =>
      matmulShapes.map(([sa, sb]): PrimCase => {
        // i32 operands stay small: the i32 product defect is covered by the mul record.
        const a = randomArray(rng, d, sa, { special: d === 'f32' });
        const b = randomArray(rng, d, sb, { special: d === 'f32' });
        return {
          label: `${show(sa)} x ${show(sb)}`,
          inputs: [a, b],
          apply: ([x, y]) => T.matmul(x as Tensor<'f32'>, y as Tensor<'f32'>),
          expected: [R.numpyMatmul(a, b)],
          tol: { rtol: 1e-12, atol: 1e-12 },
        };
      }),
    rejects: { dtypes: ['bool'], operands: (d) => [randomArray(probeRng, d, [2, 2]), randomArray(probeRng, d, [2, 2])], params: {} },
  },
};
