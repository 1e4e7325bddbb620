/**
 * The shape of the primitive test table: one record per primitive (a mapped type over `Prim`,
 * so a primitive without a record is a compile error, as in the compiler's rule tables).
 * A record says how the primitive is reached from the public API, what its expected values
 * come from, which dtypes it runs at, and generates its cases; the runner evaluates every case
 * eagerly (the reference interpreter) and compares with the independent reference.
 */
import type { Prim, PrimParams } from '../../../compiler/primitives';
import type { DType, Tensor } from '../../../src/index';
import type { Tolerance } from '../../support/compare';
import type { RefArray } from '../../support/refArray';
import type { Rng } from '../../support/seeded';

export interface PrimCase {
  /** Shape/dtype/special-value description, shown in the test name. */
  readonly label: string;
  readonly inputs: readonly RefArray[];
  /** Calls the public op on the inputs (as concrete tensors): eager evaluation. */
  readonly apply: (xs: readonly Tensor[]) => Tensor | readonly Tensor[];
  /** Computed by the naive reference, never by the library. */
  readonly expected: readonly RefArray[];
  readonly tol?: Tolerance;
  /** Set when the case exposes a known defect of the core: it then runs as an expected failure. */
  readonly knownBug?: string;
}

/** Operands of dtypes the primitive does not accept; binding them must raise a ShapeDtypeError naming it. */
export interface RejectProbe<P extends Prim> {
  readonly dtypes: readonly DType[];
  readonly operands: (dtype: DType) => readonly RefArray[];
  readonly params: PrimParams[P];
}

export interface PrimRecord<P extends Prim> {
  /** The public entry point that binds the primitive. */
  readonly via: string;
  /** What the expected values are computed from. */
  readonly reference: string;
  readonly dtypes: readonly DType[];
  readonly cases: (rng: Rng, dtype: DType) => readonly PrimCase[];
  readonly rejects?: RejectProbe<P>;
}

export type PrimitiveTable = { readonly [P in Prim]: PrimRecord<P> };

/** Loosens a dtype-generic public op to plain tensors (the table picks dtypes at run time). */
export const loose1 = (f: (x: never) => Tensor): ((x: Tensor) => Tensor) => f as (x: Tensor) => Tensor;
export const loose2 = (f: (a: never, b: never) => Tensor): ((a: Tensor, b: Tensor | number) => Tensor) =>
  f as (a: Tensor, b: Tensor | number) => Tensor;
