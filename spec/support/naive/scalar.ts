/**
 * Naive scalar references: the error function by numerical integration of its defining
 * integral, complex arithmetic written out from the definitions, 32-bit integer wrap-around,
 * and IEEE-aware helpers (sign, NaN-propagating max/min, complex modulus).
 */

/**
 * erf(x) = 2/√π ∫₀ˣ e^{-t²} dt by composite Simpson's rule (4000 panels by default: |error| <
 * 1e-13 for |x| <= 6); beyond 6, erf is ±1 to double precision.
 */
export function erfByQuadrature(x: number, panels = 4000): number {
  if (Number.isNaN(x)) return NaN;
  if (Math.abs(x) > 6) return Math.sign(x);
  const h = x / panels;
  let s = 1 + Math.exp(-x * x);
  for (let i = 1; i < panels; i++) s += (i % 2 === 1 ? 4 : 2) * Math.exp(-((i * h) ** 2));
  return (2 / Math.sqrt(Math.PI)) * (h / 3) * s;
}

/** Standard normal CDF Φ(x), to about 1e-9 (Simpson on 400 panels): enough for distribution tests. */
export const normalCdf = (x: number): number => 0.5 * (1 + erfByQuadrature(x / Math.SQRT2, 400));

/** Wraps an integer-valued number to a signed 32-bit integer (two's complement). */
export function wrapInt32(x: number): number {
  const m = ((x % 4294967296) + 4294967296) % 4294967296;
  return m >= 2147483648 ? m - 4294967296 : m;
}

/** 32-bit product with wrap-around, from 16-bit halves so no intermediate exceeds 2^53. */
export function mulInt32(a: number, b: number): number {
  const [ah, al] = [Math.floor(wrapUnsigned(a) / 65536), wrapUnsigned(a) % 65536];
  const [bh, bl] = [Math.floor(wrapUnsigned(b) / 65536), wrapUnsigned(b) % 65536];
  const cross = (ah * bl + al * bh) % 65536;
  return wrapInt32(cross * 65536 + al * bl);
}

const wrapUnsigned = (x: number): number => ((x % 4294967296) + 4294967296) % 4294967296;

/** A float converted to i32 the way the library stores it: truncation toward zero, wrapped; NaN and ±inf give 0. */
export const floatToInt32 = (x: number): number => (Number.isFinite(x) ? wrapInt32(Math.trunc(x)) : 0);

export const signOf = (x: number): number => (Number.isNaN(x) ? NaN : x > 0 ? 1 : x < 0 ? -1 : 0);

/** numpy's maximum/minimum: NaN in either operand gives NaN. */
export const maxPropagatingNaN = (a: number, b: number): number => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a >= b ? a : b);
export const minPropagatingNaN = (a: number, b: number): number => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a <= b ? a : b);

/** Logistic σ(x) = 1 / (1 + e^{-x}). */
export const logistic = (x: number): number => 1 / (1 + Math.exp(-x));

// Complex numbers as [re, im].
export type Cx = readonly [number, number];
export const cAdd = (a: Cx, b: Cx): Cx => [a[0] + b[0], a[1] + b[1]];
export const cSub = (a: Cx, b: Cx): Cx => [a[0] - b[0], a[1] - b[1]];
export const cMul = (a: Cx, b: Cx): Cx => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
/** a / b = a·conj(b) / |b|². */
export function cDiv(a: Cx, b: Cx): Cx {
  const d = b[0] * b[0] + b[1] * b[1];
  return [(a[0] * b[0] + a[1] * b[1]) / d, (a[1] * b[0] - a[0] * b[1]) / d];
}
/** e^{re + i·im} = e^re (cos im + i sin im); a real argument stays real (C99 Annex G: cexp(x + i0) = e^x + i0). */
export const cExp = (a: Cx): Cx =>
  a[1] === 0 ? [Math.exp(a[0]), a[1]] : [Math.exp(a[0]) * Math.cos(a[1]), Math.exp(a[0]) * Math.sin(a[1])];
/** |z|, infinite when either part is infinite (even if the other is NaN), as C99's cabs. */
export function cAbs(a: Cx): number {
  if (!Number.isFinite(a[0]) || !Number.isFinite(a[1])) {
    if (Math.abs(a[0]) === Infinity || Math.abs(a[1]) === Infinity) return Infinity;
    return NaN;
  }
  const s = Math.max(Math.abs(a[0]), Math.abs(a[1]));
  return s === 0 ? 0 : s * Math.sqrt((a[0] / s) ** 2 + (a[1] / s) ** 2);
}
