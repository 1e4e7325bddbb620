/**
 * Record builders for the elementwise primitives: a unary or binary op is tested on every test
 * shape (scalar, size-1, empty, non-power-of-two), with special values mixed in, against a
 * per-element reference; binary ops also run broadcast operands and a JS-number operand.
 */
import { DTYPES } from '../../../compiler/dtype';
import type { BinaryElementwise, UnaryElementwise } from '../../../compiler/primitives';
import type { DType, Tensor } from '../../../src/index';
import type { Tolerance } from '../../support/compare';
import { broadcastTo, numpyBroadcastShape } from '../../support/naive/structural';
import { lanesOf, numel, type RefArray } from '../../support/refArray';
import { type GenOptions, randomArray, type Rng, TEST_SHAPES } from '../../support/seeded';
import type { PrimCase, PrimRecord } from './types';

export type ElementRef = (v: number[], dtype: DType) => readonly number[];
export type ElementRef2 = (a: number[], b: number[], dtype: DType) => readonly number[];

export interface ElementwiseSpec {
  readonly via: string;
  readonly reference: string;
  readonly dtypes: readonly DType[];
  readonly outDtype?: (d: DType) => DType;
  /** Input generation per dtype (default: special values on). */
  readonly gen?: (dtype: DType) => GenOptions;
  readonly tol?: Tolerance;
  /** Marks cases exposing a known defect: returns its description when these inputs trigger it. */
  readonly knownBug?: (dtype: DType, inputs: readonly RefArray[]) => string | undefined;
}

const show = (s: readonly number[]): string => `[${s.join(',')}]`;

export function mapRef(x: RefArray, outDtype: DType, f: (v: number[]) => readonly number[]): RefArray {
  const l = lanesOf(x.dtype);
  const lo = lanesOf(outDtype);
  const data: number[] = [];
  for (let i = 0; i < numel(x.shape); i++) {
    const v = f(x.data.slice(i * l, (i + 1) * l));
    for (let k = 0; k < lo; k++) data.push(v[k] ?? 0);
  }
  return { dtype: outDtype, shape: [...x.shape], data };
}

export function zipRef(a: RefArray, b: RefArray, outDtype: DType, f: (x: number[], y: number[]) => readonly number[]): RefArray {
  const l = lanesOf(a.dtype);
  const lo = lanesOf(outDtype);
  const data: number[] = [];
  for (let i = 0; i < numel(a.shape); i++) {
    const v = f(a.data.slice(i * l, (i + 1) * l), b.data.slice(i * l, (i + 1) * l));
    for (let k = 0; k < lo; k++) data.push(v[k] ?? 0);
  }
  return { dtype: outDtype, shape: [...a.shape], data };
}

const rejected = (allowed: readonly DType[]): DType[] => DTYPES.filter((d) => !allowed.includes(d));

/** A constant generator for reject probes (only the dtype matters there). */
export const probeRng: Rng = { next: () => 0.25, uniform: (lo) => lo, int: (lo) => lo, normal: () => 0, pick: (xs) => xs[0] };

export function unaryRecord<P extends Exclude<UnaryElementwise, 'cast'> | 'stop_gradient'>(
  op: (x: Tensor) => Tensor,
  spec: ElementwiseSpec & { readonly ref: ElementRef },
): PrimRecord<P> {
  const outOf = spec.outDtype ?? ((d: DType) => d);
  return {
    via: spec.via,
    reference: spec.reference,
    dtypes: spec.dtypes,
    cases: (rng, dtype) =>
      TEST_SHAPES.map((shape): PrimCase => {
        const x = randomArray(rng, dtype, shape, { special: true, ...spec.gen?.(dtype) });
        const label = `${show(shape)} with special values`;
        return {
          label,
          inputs: [x],
          apply: ([t]) => op(t),
          expected: [mapRef(x, outOf(dtype), (v) => spec.ref(v, dtype))],
          tol: spec.tol,
          knownBug: spec.knownBug?.(dtype, [x]),
        };
      }),
    rejects: { dtypes: rejected(spec.dtypes), operands: (d) => [randomArray(probeRng, d, [2])], params: {} as never },
  };
}


/** Binary pairs: equal shapes on every test shape, then broadcasting ([3,1] with [4]; [] with [2,3]) and a JS number. */
export function binaryCases(
  rng: Rng,
  dtype: DType,
  op: (a: Tensor, b: Tensor | number) => Tensor,
  outDtype: DType,
  f: (a: number[], b: number[]) => readonly number[],
  spec: ElementwiseSpec,
): PrimCase[] {
  const make = (label: string, a: RefArray, b: RefArray, apply: PrimCase['apply']): PrimCase => {
    const shape = numpyBroadcastShape(a.shape, b.shape);
    if (!shape) throw new Error(`binary case ${label}: shapes do not broadcast`);
    return {
      label,
      inputs: [a, b],
      apply,
      expected: [zipRef(broadcastTo(a, shape), broadcastTo(b, shape), outDtype, f)],
      tol: spec.tol,
      knownBug: spec.knownBug?.(dtype, [a, b]),
    };
  };
  const gen = (shape: readonly number[]) => randomArray(rng, dtype, shape, { special: true, ...spec.gen?.(dtype) });
  const cases = TEST_SHAPES.map((shape) =>
    make(`${show(shape)} with special values`, gen(shape), gen(shape), ([a, b]) => op(a, b)),
  );
  cases.push(make('broadcast [3,1] with [4]', gen([3, 1]), gen([4]), ([a, b]) => op(a, b)));
  cases.push(make('broadcast [] with [2,3]', gen([]), gen([2, 3]), ([a, b]) => op(a, b)));
  if (dtype !== 'bool') {
    const k = dtype === 'i32' ? 3 : 0.75;
    const lit: RefArray = { dtype, shape: [], data: dtype === 'c64' ? [k, 0] : [k] };
    cases.push(make(`[2,3] with the JS number ${k}`, gen([2, 3]), lit, ([a]) => op(a, k)));
  }
  return cases;
}

export function binaryRecord<P extends BinaryElementwise>(
  op: (a: Tensor, b: Tensor | number) => Tensor,
  spec: ElementwiseSpec & { readonly ref: ElementRef2 },
): PrimRecord<P> {
  const outOf = spec.outDtype ?? ((d: DType) => d);
  return {
    via: spec.via,
    reference: spec.reference,
    dtypes: spec.dtypes,
    cases: (rng, dtype) => binaryCases(rng, dtype, op, outOf(dtype), (a, b) => spec.ref(a, b, dtype), spec),
    rejects: { dtypes: rejected(spec.dtypes), operands: (d) => [randomArray(probeRng, d, [2]), randomArray(probeRng, d, [2])], params: {} as never },
  };
}
