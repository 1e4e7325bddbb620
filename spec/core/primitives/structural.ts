/**
 * Table records of the structural primitives. Each case states its operation in numpy terms
 * and the expected values come from the explicit index maps of support/naive/structural.
 * Shapes include size-1 and empty axes.
 */
import { bind1 } from '../../../compiler/tracer';
import type { DType, Tensor } from '../../../src/index';
import * as T from '../../../src/index';
import * as N from '../../support/naive/structural';
import type { RefArray } from '../../support/refArray';
import { randomArray, type Rng } from '../../support/seeded';
import type { PrimCase, PrimitiveTable } from './types';

type StructuralPrim = 'broadcast_in_dim' | 'reshape' | 'transpose' | 'slice' | 'pad' | 'concat' | 'reverse' | 'gather' | 'scatter_add';

const ALL = ['f32', 'i32', 'bool', 'c64'] as const;
const show = (s: readonly number[]): string => `[${s.join(',')}]`;

/** One-input case: random x of `shape`, the public op, the naive index map. */
function oneInput(rng: Rng, dtype: DType, shape: readonly number[], label: string, apply: (x: Tensor) => Tensor, ref: (x: RefArray) => RefArray): PrimCase {
  const x = randomArray(rng, dtype, shape, { special: true });
  return { label: `${show(shape)} ${label}`, inputs: [x], apply: ([t]) => apply(t), expected: [ref(x)] };
}

/** An i32 index array. */
const indices = (shape: readonly number[], values: readonly number[]): RefArray => ({ dtype: 'i32', shape: [...shape], data: [...values] });

export const structuralRecords: { readonly [P in StructuralPrim]: PrimitiveTable[P] } = {
  broadcast_in_dim: {
    via: 'T.broadcastTo (trailing alignment); direct bind for other dims',
    reference: 'numpy.broadcast_to index map; out[i] = x[i[dims]] with size-1 axes pinned to 0',
    dtypes: ALL,
    cases: (rng, d) => [
      ...(
        [
          [[], [2, 3]],
          [[3], [2, 3]],
          [[2, 1], [2, 4]],
          [[1], [0]],
          [[0], [2, 0]],
          [[1, 3], [2, 1, 3]],
        ] as const
      ).map(([from, to]) => oneInput(rng, d, from, `to ${show(to)}`, (x) => T.broadcastTo(x, to), (x) => N.broadcastTo(x, to))),
      oneInput(rng, d, [3], 'dims [0] into [3,4]', (x) => bind1('broadcast_in_dim', [x], { shape: [3, 4], dims: [0] }), (x) => N.broadcastInDim(x, [3, 4], [0])),
      oneInput(rng, d, [2, 1], 'dims [0,2] into [2,3,5]', (x) => bind1('broadcast_in_dim', [x], { shape: [2, 3, 5], dims: [0, 2] }), (x) =>
        N.broadcastInDim(x, [2, 3, 5], [0, 2]),
      ),
    ],
  },
  reshape: {
    via: 'T.reshape',
    reference: 'row-major order of values kept',
    dtypes: ALL,
    cases: (rng, d) =>
      (
        [
          [[2, 3], [3, 2], [3, 2]],
          [[2, 3, 4], [4, -1], [4, 6]],
          [[0, 3], [3, 0], [3, 0]],
          [[], [1, 1], [1, 1]],
          [[1], [], []],
          [[7], [7, 1], [7, 1]],
        ] as const
      ).map(([from, to, resolved]) => oneInput(rng, d, from, `to ${show(to)}`, (x) => T.reshape(x, to), (x) => N.reshape(x, resolved))),
  },
  transpose: {
    via: 'T.transpose',
    reference: 'out[i] = x[j] with j[perm[k]] = i[k]',
    dtypes: ALL,
    cases: (rng, d) =>
      (
        [
          [[2, 3, 4], [2, 0, 1]],
          [[1, 5], [1, 0]],
          [[3, 0], [1, 0]],
          [[2, 3], [-1, 0]],
          [[2, 1, 3], [1, 2, 0]],
        ] as const
      ).map(([shape, perm]) =>
        oneInput(rng, d, shape, `perm ${show(perm)}`, (x) => T.transpose(x, perm), (x) => N.transpose(x, perm.map((p) => (p < 0 ? p + shape.length : p)))),
      ),
  },
  slice: {
    via: 'T.slice / T.sliceAxis',
    reference: 'out[i] = x[start + i]',
    dtypes: ALL,
    cases: (rng, d) => [
      oneInput(rng, d, [7], '[2:5]', (x) => T.slice(x, [[2, 5]]), (x) => N.slice(x, [2], [5])),
      oneInput(rng, d, [7], '[-3:-1]', (x) => T.slice(x, [[-3, -1]]), (x) => N.slice(x, [4], [6])),
      oneInput(rng, d, [2, 3, 4], '[0:1, :, 1:-1]', (x) => T.slice(x, [[0, 1], null, [1, -1]]), (x) => N.slice(x, [0, 0, 1], [1, 3, 3])),
      oneInput(rng, d, [7], '[3:3] (empty)', (x) => T.slice(x, [[3, 3]]), (x) => N.slice(x, [3], [3])),
      oneInput(rng, d, [3, 0], '[1:2, :]', (x) => T.slice(x, [[1, 2]]), (x) => N.slice(x, [1, 0], [2, 0])),
      oneInput(rng, d, [2, 5], 'axis 1 [1:4]', (x) => T.sliceAxis(x, 1, 1, 4), (x) => N.slice(x, [0, 1], [2, 4])),
    ],
  },
  pad: {
    via: 'T.pad',
    reference: 'out[i] = x[i - lo] inside the source, else the pad value',
    dtypes: ALL,
    cases: (rng, d) => {
      const v = d === 'bool' ? 1 : d === 'i32' ? 7 : -1.5;
      return [
        oneInput(rng, d, [3], '[[1,2]]', (x) => T.pad(x, [[1, 2]]), (x) => N.pad(x, [1], [2], 0)),
        oneInput(rng, d, [2, 3], `[[0,1],[2,0]] value ${v}`, (x) => T.pad(x, [[0, 1], [2, 0]], v), (x) => N.pad(x, [0, 2], [1, 0], v)),
        oneInput(rng, d, [0], '[[2,1]]', (x) => T.pad(x, [[2, 1]], v), (x) => N.pad(x, [2], [1], v)),
        oneInput(rng, d, [1, 0], '[[0,0],[1,1]]', (x) => T.pad(x, [[0, 0], [1, 1]]), (x) => N.pad(x, [0, 1], [0, 1], 0)),
        oneInput(rng, d, [], 'rank 0', (x) => T.pad(x, []), (x) => N.pad(x, [], [], 0)),
        ...(d === 'i32' || d === 'bool'
          ? [
              {
                ...oneInput(rng, d, [2], `[[1,1]] value 2.5 (stored as ${d})`, (x) => T.pad(x, [[1, 1]], 2.5), (x) =>
                  N.pad(x, [1], [1], d === 'i32' ? 2 : 1),
                ),
              },
            ]
          : []),
      ];
    },
  },
  concat: {
    via: 'T.concat / T.stack',
    reference: 'output position along the axis located in the operand ranges',
    dtypes: ALL,
    cases: (rng, d) =>
      (
        [
          [[[2, 3], [1, 3]], 0],
          [[[2, 0], [2, 3]], 1],
          [[[0, 3], [2, 3]], 0],
          [[[1], [0], [2]], 0],
          [[[2, 2], [2, 1]], -1],
        ] as const
      ).map(([shapes, axis]): PrimCase => {
        const xs = shapes.map((s) => randomArray(rng, d, s, { special: true }));
        const ax = axis < 0 ? axis + shapes[0].length : axis;
        return { label: `${shapes.map(show).join(' + ')} axis ${axis}`, inputs: xs, apply: (ts) => T.concat(ts, axis), expected: [N.concat(xs, ax)] };
      }),
  },
  reverse: {
    via: 'T.reverse',
    reference: 'i_a -> n_a - 1 - i_a on the reversed axes',
    dtypes: ALL,
    cases: (rng, d) =>
      (
        [
          [[7], [0]],
          [[2, 3, 4], [0, 2]],
          [[3, 0], [1]],
          [[1, 5], [-1]],
        ] as const
      ).map(([shape, axes]) =>
        oneInput(rng, d, shape, `axes ${show(axes)}`, (x) => T.reverse(x, axes), (x) => N.reverse(x, axes.map((a) => (a < 0 ? a + shape.length : a)))),
      ),
  },
  gather: {
    via: 'T.take',
    reference: 'numpy.take: out[pre, j..., post] = x[pre, idx[j...], post]',
    dtypes: ALL,
    cases: (rng, d) =>
      (
        [
          [[5, 3], indices([4], [4, 0, 4, 2]), 0],
          [[2, 5], indices([2, 3], [0, 4, 1, 1, 3, 2]), 1],
          [[4], indices([], [3]), 0],
          [[3, 0], indices([2], [2, 0]), 0],
          [[3, 2], indices([0], []), 0],
          [[2, 3, 2], indices([2], [1, 0]), -1],
        ] as const
      ).map(([shape, idx, axis]): PrimCase => {
        const x = randomArray(rng, d, shape, { special: true });
        const ax = axis < 0 ? axis + shape.length : axis;
        return {
          label: `x ${show(shape)} indices ${show(idx.shape)} axis ${axis}`,
          inputs: [x, idx],
          apply: ([xt, it]) => T.take(xt, it as Tensor<'i32'>, axis),
          expected: [N.take(x, idx, ax)],
        };
      }),
  },
  scatter_add: {
    via: 'direct bind (the transpose of gather; no public op)',
    reference: 'numpy.add.at into zeros: repeated indices accumulate',
    dtypes: ['f32', 'i32', 'c64'],
    cases: (rng, d) =>
      (
        [
          [[4, 3], indices([4], [1, 4, 1, 0]), 0, 5],
          [[2, 2, 3], indices([2, 3], [0, 3, 3, 2, 0, 0]), 1, 4],
          [[0], indices([0], []), 0, 3],
          [[3], indices([3], [0, 0, 0]), 0, 1],
        ] as const
      ).map(([shape, idx, axis, size]): PrimCase => {
        const upd = randomArray(rng, d, shape);
        return {
          label: `updates ${show(shape)} indices ${show(idx.shape)} axis ${axis} size ${size}`,
          inputs: [upd, idx],
          apply: ([u, i]) => bind1('scatter_add', [u, i], { axis, size }),
          expected: [N.scatterAdd(upd, idx, axis, size)],
        };
      }),
  },
};
