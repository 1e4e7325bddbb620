/**
 * Element types of the IR: f32, i32, bool and c64 (complex, two f32 parts), and the small
 * algebra over them that the shape/dtype rules and the frontend share.
 */

export type DType = 'f32' | 'i32' | 'bool' | 'c64';

export const DTYPES: readonly DType[] = ['f32', 'i32', 'bool', 'c64'];

export const isComplex = (d: DType): d is 'c64' => d === 'c64';
export const isFloating = (d: DType): d is 'f32' | 'c64' => d === 'f32' || d === 'c64';
export const isNumeric = (d: DType): boolean => d !== 'bool';

/** The real dtype underlying a dtype: c64 -> f32, others unchanged. */
export const realPart = (d: DType): DType => (d === 'c64' ? 'f32' : d);

/**
 * Binary-op dtype promotion as the frontend does it: equal dtypes, or f32 mixed with c64
 * (promoted to c64). Everything else needs an explicit cast. At the type level this is
 * `PromoteDType`, so a mistake is a compile error before it is a trace-time error.
 */
export function promote(a: DType, b: DType): DType | undefined {
  if (a === b) return a;
  if ((a === 'f32' && b === 'c64') || (a === 'c64' && b === 'f32')) return 'c64';
  return undefined;
}

export type PromoteDType<A extends DType, B extends DType> = [A] extends [B]
  ? [B] extends [A]
    ? A
    : Mixed<A, B>
  : Mixed<A, B>;
type Mixed<A extends DType, B extends DType> = [A, B] extends ['f32', 'c64'] | ['c64', 'f32'] ? 'c64' : never;
