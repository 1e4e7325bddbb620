// Complex numbers for the float64 SSM numerics.
//
// Representation (used by every module in src/models/numerics):
//   * a scalar is a plain object { re, im };
//   * a vector of n complex numbers is a pair of separate Float64Arrays
//     { re, im } of equal length n (structure of arrays, not interleaved);
//   * matrices are in ./complexMatrix (row-major, the same split re/im layout).
// Scalar helpers allocate a small object per call; these modules favour
// obviously-correct code over speed.

export interface Complex {
  readonly re: number;
  readonly im: number;
}

export interface ComplexVector {
  readonly re: Float64Array;
  readonly im: Float64Array;
}

export const complex = (re: number, im = 0): Complex => ({ re, im });

export const cadd = (a: Complex, b: Complex): Complex => ({ re: a.re + b.re, im: a.im + b.im });

export const csub = (a: Complex, b: Complex): Complex => ({ re: a.re - b.re, im: a.im - b.im });

export const cmul = (a: Complex, b: Complex): Complex => ({
  re: a.re * b.re - a.im * b.im,
  im: a.re * b.im + a.im * b.re,
});

export const cscale = (a: Complex, s: number): Complex => ({ re: a.re * s, im: a.im * s });

export const cconj = (a: Complex): Complex => ({ re: a.re, im: -a.im });

export const cabs = (a: Complex): number => Math.hypot(a.re, a.im);

/** a / b, scaled to avoid overflow for large |b| (Smith's algorithm). */
export const cdiv = (a: Complex, b: Complex): Complex => {
  if (b.re === 0 && b.im === 0) throw new RangeError('cdiv: division by complex zero');
  if (Math.abs(b.re) >= Math.abs(b.im)) {
    const r = b.im / b.re;
    const d = b.re + b.im * r;
    return { re: (a.re + a.im * r) / d, im: (a.im - a.re * r) / d };
  }
  const r = b.re / b.im;
  const d = b.re * r + b.im;
  return { re: (a.re * r + a.im) / d, im: (a.im * r - a.re) / d };
};

/** exp(a) = e^{re} (cos im + i sin im). */
export const cexp = (a: Complex): Complex => {
  const m = Math.exp(a.re);
  return { re: m * Math.cos(a.im), im: m * Math.sin(a.im) };
};

export const complexVector = (n: number): ComplexVector => ({
  re: new Float64Array(n),
  im: new Float64Array(n),
});

/** Builds a complex vector from separate real and imaginary parts (copied; im defaults to 0). */
export const complexVectorFrom = (re: ArrayLike<number>, im?: ArrayLike<number>): ComplexVector => {
  if (im !== undefined && im.length !== re.length) {
    throw new RangeError(`complexVectorFrom: re has length ${re.length} but im has length ${im.length}`);
  }
  const v = complexVector(re.length);
  v.re.set(re);
  if (im !== undefined) v.im.set(im);
  return v;
};

export const getC = (v: ComplexVector, i: number): Complex => ({ re: v.re[i], im: v.im[i] });

export const setC = (v: ComplexVector, i: number, z: Complex): void => {
  v.re[i] = z.re;
  v.im[i] = z.im;
};

export const conjugateVector = (v: ComplexVector): ComplexVector => {
  const out = complexVectorFrom(v.re, v.im);
  for (let i = 0; i < out.im.length; i++) out.im[i] = -out.im[i];
  return out;
};

/** [a, b] as one vector. */
export const concatVectors = (a: ComplexVector, b: ComplexVector): ComplexVector => {
  const out = complexVector(a.re.length + b.re.length);
  out.re.set(a.re);
  out.im.set(a.im);
  out.re.set(b.re, a.re.length);
  out.im.set(b.im, a.re.length);
  return out;
};

/** [v, conj(v)]: the conjugate-closed full-size vector for a conjugate-pair representative half. */
export const withConjugateHalf = (v: ComplexVector): ComplexVector => concatVectors(v, conjugateVector(v));

/** Elements [start, end) of v (copied). */
export const sliceVector = (v: ComplexVector, start: number, end: number): ComplexVector =>
  complexVectorFrom(v.re.subarray(start, end), v.im.subarray(start, end));

/** max_i |a_i - b_i|; throws if the lengths differ. */
export const maxAbsDiffVector = (a: ComplexVector, b: ComplexVector): number => {
  if (a.re.length !== b.re.length) {
    throw new RangeError(`maxAbsDiffVector: lengths ${a.re.length} and ${b.re.length} differ`);
  }
  let m = 0;
  for (let i = 0; i < a.re.length; i++) m = Math.max(m, Math.hypot(a.re[i] - b.re[i], a.im[i] - b.im[i]));
  return m;
};
