/**
 * Float64 scalar math for the interpreter: complex arithmetic on (re, im) pairs and erf.
 */

export type C = readonly [number, number];

export const cmul = (ar: number, ai: number, br: number, bi: number): C => [ar * br - ai * bi, ar * bi + ai * br];

export function cdiv(ar: number, ai: number, br: number, bi: number): C {
  // Smith's algorithm: avoids overflow in |b|^2.
  if (Math.abs(br) >= Math.abs(bi)) {
    const r = bi / br;
    const d = br + bi * r;
    return [(ar + ai * r) / d, (ai - ar * r) / d];
  }
  const r = br / bi;
  const d = br * r + bi;
  return [(ar * r + ai) / d, (ai * r - ar) / d];
}

export function cexp(re: number, im: number): C {
  const m = Math.exp(re);
  return im === 0 ? [m, 0] : [m * Math.cos(im), m * Math.sin(im)];
}

/** erf in float64: Taylor series near 0, Lentz's continued fraction for erfc in the tails. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax > 6) return Math.sign(x); // erfc(6) < 3e-17: below float64 resolution of 1
  if (ax < 2.5) {
    let term = ax;
    let sum = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  return Math.sign(x) * (1 - erfcContinuedFraction(ax));
}

function erfcContinuedFraction(x: number): number {
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = x + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}
