/**
 * Table records of the scans: cumulative sum, the linear recurrence and the associative scan
 * with several combines, each against a sequential loop in plain TS (support/naive/scans).
 */
import type { DType, Tensor } from '../../../src/index';
import * as T from '../../../src/index';
import * as S from '../../support/naive/scans';
import { cMul, minPropagatingNaN, wrapInt32 } from '../../support/naive/scalar';
import { AXIS_SHAPES, randomArray, type Rng } from '../../support/seeded';
import { probeRng } from './builders';
import type { PrimCase, PrimitiveTable } from './types';

type ScanPrim = 'cumsum' | 'linrec' | 'assoc_scan';

const show = (s: readonly number[]): string => `[${s.join(',')}]`;
const lastAxis = (shape: readonly number[]): number => shape.length - 1;

/** Forward along the last axis, reversed along axis 0. */
const directions = (shape: readonly number[]) =>
  [
    { axis: -1, reverse: false, ax: lastAxis(shape) },
    { axis: 0, reverse: true, ax: 0 },
  ] as const;

function cumsumCases(rng: Rng, d: DType): PrimCase[] {
  return AXIS_SHAPES.flatMap((shape) =>
    directions(shape).map(({ axis, reverse, ax }): PrimCase => {
      const x = randomArray(rng, d, shape, { special: true });
      const exact = S.cumsum({ ...x, dtype: 'f32' }, ax, reverse);
      const overflow = d === 'i32' && exact.data.some((v) => v > 2147483647 || v < -2147483648);
      return {
        label: `${show(shape)} axis ${axis}${reverse ? ' reversed' : ''}`,
        inputs: [x],
        apply: ([t]) => T.cumsum(t as Tensor<'f32'>, { axis, reverse }),
        expected: [S.cumsum(x, ax, reverse)],
      };
    }),
  );
}

function linrecCases(rng: Rng, d: DType): PrimCase[] {
  const cases = AXIS_SHAPES.flatMap((shape) =>
    directions(shape).map(({ axis, reverse, ax }): PrimCase => {
      const a = randomArray(rng, d, shape, { range: [-1.1, 1.1] });
      const b = randomArray(rng, d, shape, { special: true });
      return {
        label: `${show(shape)} axis ${axis}${reverse ? ' reversed' : ''}`,
        inputs: [a, b],
        apply: ([at, bt]) => T.linearRecurrence(at as Tensor<'f32'>, bt as Tensor<'f32'>, { axis, reverse }),
        expected: [S.linearRecurrence(a, b, ax, reverse)],
        tol: { rtol: 1e-12, atol: 1e-12 },
      };
    }),
  );
  // A real decay broadcast against a complex input (the S5 pattern: the same Λ̄ at every step).
  const a = randomArray(rng, 'f32', [4], { range: [0, 1] });
  const b = randomArray(rng, d, [6, 4]);
  const aFull = { dtype: d, shape: [6, 4], data: Array.from({ length: 6 }, () => a.data.flatMap((v) => (d === 'c64' ? [v, 0] : [v]))).flat() };
  cases.push({
    label: 'f32 a [4] broadcast against b [6,4]',
    inputs: [a, b],
    apply: ([at, bt]) => T.linearRecurrence(at as Tensor<'f32'>, bt as Tensor<'f32'>, { axis: 0 }),
    expected: [S.linearRecurrence(aFull, b, 0, false)],
    tol: { rtol: 1e-12, atol: 1e-12 },
  });
  return cases;
}

interface ScanCombine {
  readonly name: string;
  readonly arity: number;
  /** The DSL combine, traced into the scan's sub-IR. */
  readonly dsl: T.Combine;
  /** The same combine in plain TS over [re, im] pairs. */
  readonly plain: (l: S.Tuple, r: S.Tuple) => S.Tuple;
}

const COMBINES: Record<'f32' | 'i32' | 'c64', readonly ScanCombine[]> = {
  f32: [
    { name: 'sum', arity: 1, dsl: ([l], [r]) => [T.add(l as Tensor<'f32'>, r as Tensor<'f32'>)], plain: ([l], [r]) => [[l[0] + r[0]]] },
    {
      name: 'minimum',
      arity: 1,
      dsl: ([l], [r]) => [T.minimum(l as Tensor<'f32'>, r as Tensor<'f32'>)],
      plain: ([l], [r]) => [[minPropagatingNaN(l[0], r[0])]],
    },
    {
      name: 'affine composition (a1,b1),(a2,b2) -> (a2 a1, a2 b1 + b2)',
      arity: 2,
      dsl: ([a1, b1], [a2, b2]) => [T.mul(a2 as Tensor<'f32'>, a1 as Tensor<'f32'>), T.add(T.mul(a2 as Tensor<'f32'>, b1 as Tensor<'f32'>), b2 as Tensor<'f32'>)],
      plain: ([a1, b1], [a2, b2]) => [[a2[0] * a1[0]], [a2[0] * b1[0] + b2[0]]],
    },
  ],
  i32: [
    { name: 'sum (wrapping)', arity: 1, dsl: ([l], [r]) => [T.add(l as Tensor<'i32'>, r as Tensor<'i32'>)], plain: ([l], [r]) => [[wrapInt32(l[0] + r[0])]] },
    { name: 'maximum', arity: 1, dsl: ([l], [r]) => [T.maximum(l as Tensor<'i32'>, r as Tensor<'i32'>)], plain: ([l], [r]) => [[Math.max(l[0], r[0])]] },
  ],
  c64: [
    {
      name: 'complex product',
      arity: 1,
      dsl: ([l], [r]) => [T.mul(l as Tensor<'c64'>, r as Tensor<'c64'>)],
      plain: ([l], [r]) => [[...cMul([l[0], l[1]], [r[0], r[1]])]],
    },
  ],
};

function assocScanCases(rng: Rng, d: DType): PrimCase[] {
  const combines = COMBINES[d as 'f32' | 'i32' | 'c64'];
  return combines.flatMap((c) =>
    AXIS_SHAPES.flatMap((shape) =>
      directions(shape).map(({ axis, reverse, ax }): PrimCase => {
        const xs = Array.from({ length: c.arity }, () => randomArray(rng, d, shape, { range: [-1.2, 1.2] }));
        return {
          label: `${c.name} ${show(shape)} axis ${axis}${reverse ? ' reversed' : ''}`,
          inputs: xs,
          apply: (ts) => T.associativeScan(c.dsl, ts, { axis, reverse }),
          expected: S.sequentialScan(xs, ax, reverse, c.plain),
          tol: { rtol: 1e-12, atol: 1e-12 },
        };
      }),
    ),
  );
}

export const scanRecords: { readonly [P in ScanPrim]: PrimitiveTable[P] } = {
  cumsum: {
    via: 'T.cumsum(x, { axis, reverse })',
    reference: 'sequential running sum (i32 wrapping), reversed runs from the end',
    dtypes: ['f32', 'i32', 'c64'],
    cases: cumsumCases,
    rejects: { dtypes: ['bool'], operands: (d) => [randomArray(probeRng, d, [2])], params: { axis: 0, reverse: false } },
  },
  linrec: {
    via: 'T.linearRecurrence(a, b, { axis, reverse })',
    reference: 'loop x_t = a_t x_{t-1} + b_t from x_{-1} = 0 (reversed: x_t = a_t x_{t+1} + b_t)',
    dtypes: ['f32', 'c64'],
    cases: linrecCases,
    rejects: { dtypes: ['i32', 'bool'], operands: (d) => [randomArray(probeRng, d, [2]), randomArray(probeRng, d, [2])], params: { axis: 0, reverse: false } },
  },
  assoc_scan: {
    via: 'T.associativeScan(combine, xs, { axis, reverse })',
    reference: 'sequential inclusive fold with the same combine written in plain TS',
    dtypes: ['f32', 'i32', 'c64'],
    cases: assocScanCases,
  },
};
