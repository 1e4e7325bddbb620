/**
 * Shapes: sizes, strides, axis normalisation and numpy-style broadcasting, shared by the shape
 * rules, the interpreter, the frontend and the code generator.
 */

export type Shape = readonly number[];

export const sizeOf = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

/** Row-major strides (one copy, owned by the kernel layer, which must not import the compiler). */
export { stridesOf } from '../kernels/source';

export const shapeEq = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

export const showShape = (s: Shape): string => `[${s.join(',')}]`;

/** Resolves a possibly negative axis against a rank; undefined when out of range. */
export function normalizeAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return Number.isInteger(a) && a >= 0 && a < rank ? a : undefined;
}

/** Numpy broadcasting of two shapes; undefined when incompatible. */
export function broadcastShapes(a: Shape, b: Shape): number[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return undefined;
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Multi-index of a flat row-major offset. */
export function unravel(flat: number, shape: Shape, out: number[] = new Array(shape.length)): number[] {
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i];
    out[i] = flat % d;
    flat = Math.floor(flat / d);
  }
  return out;
}
