/**
 * The math library of the kernel IR: exp, log, sin, cos, tanh, logistic, erf, atan2 and pow as
 * kernel-IR functions, each for f32 and f32x4 (`mathName(fn, t)`, e.g. `exp_f32x4`). WebAssembly
 * has no transcendental instructions; these are branch-free polynomial evaluations in float32
 * arithmetic (no FMA), each written once over the shape of its argument (constants take the
 * argument's shape), so the f32x4 version computes in every lane exactly what f32 computes.
 *
 * Techniques (sin, cos, tanh polynomials after Cephes, log after musl; exp, erf and atan
 * polynomials fitted for this module: weighted minimax in float64, rounded to f32):
 * - exp: n = nearest(x·log2 e), r = x − n·ln2 (ln2 in two parts, n·C1 exact), e^r ≈ 1 + r +
 *   r²P(r) (degree 6), then ·2^n from exponent bits in two steps, 2^⌊n/2⌋·2^(n−⌊n/2⌋), so that
 *   overflow gives inf and results below 2^-126 are correctly scaled subnormals (one rounding):
 *   exp(-100) = 3.72e-44, not 0; exp(x) is 0 only below ln 2^-150 ≈ -103.97. n is rounded by
 *   adding 1.5·2^23 and read from the bits (the same value as `nearest`, without an
 *   f32x4 → i32x4 conversion).
 * - log: exponent and mantissa from the bits (subnormals pre-scaled by 2^23), 1 + f in
 *   [√½, √2), musl's log(1+f) = f − f²/2 + s(f²/2 + R(s²)), s = f/(2+f).
 * - sin, cos: |x| reduced by π/2 (Cody–Waite in three parts, the first two of 8 bits so that
 *   j·P1 and j·P2 are exact for j < 2^16), polynomials on [-π/4, π/4], the quadrant's sign (and
 *   sin's odd sign) by xor on the sign bit.
 * - tanh: for |x|: |x| + |x|³P(x²) below 0.625, else 1 − 2/(e^{2|x|} + 1); the sign copied.
 * - logistic: e = exp(-|x|); 1/(1+e) for x ≥ 0 and e/(1+e) below, as the interpreter.
 * - erf: x + x·P(x²) for |x| < 0.9, else ±(1 − exp(Q(|x|))) with Q ≈ log erfc (|x| clamped at
 *   4, where erf rounds to 1).
 * - atan2: t = min(|x|,|y|)/max(|x|,|y|) (one division), atan t on [0, 1] as t + t³P(t²)
 *   (degree 17), reflected about π/2 and π by the octant with offsets in two parts, the sign
 *   of y copied; ±0, ±inf and NaN as Math.atan2.
 * - pow: |x|^y = exp(y·ln|x|) with ln|x| = k·ln2 + 2s + s·R (s carried as a double-float32)
 *   and the product y·ln|x| exact (Dekker), so the error does not grow with |y·ln x|; zeros,
 *   infinities, negative x (integer y: the sign of odd powers; otherwise NaN) and NaN as
 *   Math.pow (pow(1, ±inf) and pow(1, NaN) are NaN there, pow(NaN, 0) is 1).
 *
 * Measured accuracy against float64 Math.* (and the interpreter's erf and logistic) on float32
 * inputs, in ulps of the float32 result (a correctly rounded result is within 0.5): every third
 * float32 bit pattern for the one-argument functions, 2·10^7 random pairs for atan2 and pow
 * (spec/wasm/math.test.ts prints its own, smaller, measurements):
 *   exp ≤ 0.98   log ≤ 0.83   tanh ≤ 1.34   logistic ≤ 2.41   erf ≤ 1.29   atan2 ≤ 1.73
 *   sin, cos ≤ 1.9 for |x| ≤ 1e5, except near their zeros, where the absolute error is
 *     ≤ 3e-10 for |x| ≤ 1e4 and ≤ 2.2e-9 for |x| ≤ 1e5 (the reduction's error; relative to a
 *     result near 0 it can be many ulps). From 1e5 to 2^23 the reduction degrades (absolute
 *     error up to 0.25, results within [-1, 1]); from 2^23 on (where consecutive float32 are
 *     more than a radian apart) sin and cos return NaN rather than a plausible-looking number.
 *   pow ≤ 2.2e-7 relative (≤ 3 ulp) while |y·ln x| < 80, and about as good up to overflow.
 * Special values are those of Math.*: exp(±inf) = inf/0, exp overflow inf, exp(NaN) = NaN,
 * log(±0) = -inf, log(x < 0) = NaN, log(inf) = inf, sin/cos(±inf) = NaN, sin(-0) = -0,
 * tanh(±large) = ±1, tanh(-0) = -0, logistic(-inf) = 0, logistic(-100) = 3.72e-44,
 * logistic(+large) = 1, erf(±inf) = ±1, and NaN in gives NaN out (but pow(NaN, 0) = 1).
 *
 * The functions are self-contained: tanh, logistic, erf and pow build their own exp (tanh and
 * erf need no range handling, pow a double-float argument) rather than call exp_*. `select`
 * evaluates both arms; no arm can trap (the IR's f32 and bit operations never trap, f32 → i32
 * conversion saturates), and where bits of a possible NaN are used the NaN still reaches the
 * result (NaN payloads differ between the evaluator and WebAssembly; only NaN-ness is defined).
 * No `min`/`max`: clamps are comparisons and selects that let NaN through.
 */
import {
  Block, type Expr, type KType, type MathFn, type Stmt,
  add, fma, bin, constant, cvt, div, mathName, mul, neg, select, sub, un,
} from './build';
import type { KFunction, Kernel } from './types';
import { calledFunctions, functionStmts } from './walk';
import { withElement } from './types';

// ---- Shape-generic helpers: constants take the shape (scalar or 4 lanes) of the value they meet.

const fc = (like: Expr, v: number): Expr => constant(withElement(like.t, 'f32'), v);
const ic = (like: Expr, v: number): Expr => constant(withElement(like.t, 'i32'), v);

const lt = (a: Expr, b: Expr): Expr => bin('lt', a, b);
const le = (a: Expr, b: Expr): Expr => bin('le', a, b);
const gt = (a: Expr, b: Expr): Expr => bin('gt', a, b);
const ge = (a: Expr, b: Expr): Expr => bin('ge', a, b);
const eq = (a: Expr, b: Expr): Expr => bin('eq', a, b);
const ne = (a: Expr, b: Expr): Expr => bin('ne', a, b);
const and = (a: Expr, b: Expr): Expr => bin('and', a, b);
const or = (a: Expr, b: Expr): Expr => bin('or', a, b);
const xor = (a: Expr, b: Expr): Expr => bin('xor', a, b);
const shl = (a: Expr, n: number): Expr => bin('shl', a, ic(a, n));
const shr = (a: Expr, n: number): Expr => bin('shr', a, ic(a, n));
const abs = (a: Expr): Expr => un('abs', a);
const not = (a: Expr): Expr => un('not', a);
const nearest = (a: Expr): Expr => un('nearest', a);
const trunc = (a: Expr): Expr => un('trunc', a);
const bitsOf = (a: Expr): Expr => un('bitsOf', a);
const fromBits = (a: Expr): Expr => un('fromBits', a);

const SIGN = 0x80000000 | 0;
const INF = Infinity;

/**
 * c[0] + c[1]·x + c[2]·x² + … by Horner's rule (`x` a variable or constant: it is used at every
 * step), each step one `fma`: one relaxed_madd where the engine has relaxed SIMD (exp, sin, cos,
 * tanh 6-9% and erf 15% less time per element, measured), a multiply and an add otherwise.
 */
function poly(x: Expr, c: readonly number[]): Expr {
  if (x.k !== 'get' && x.k !== 'const') throw new Error('math: poly of an unbound expression');
  return c.slice(0, -1).reduceRight((acc, ci) => fma(acc, x, fc(x, ci)), fc(x, c[c.length - 1]));
}

/** |mag| with the sign bit of `sign` (mag must have its sign bit clear). */
const withSignOf = (mag: Expr, sign: Expr): Expr => fromBits(or(bitsOf(mag), and(bitsOf(sign), ic(sign, SIGN))));

/** `v` clamped to [lo, hi] by comparisons (NaN passes through). */
function clamp(b: Block, v: Expr, lo: number, hi: number): Expr {
  const u = b.bind(v);
  return select(gt(u, fc(u, hi)), fc(u, hi), select(lt(u, fc(u, lo)), fc(u, lo), u));
}

// ---- exp

const LOG2E = 1.4426950408889634;
/**
 * 1.5·2^23: adding it rounds |v| < 2^22 to an integer (ties to even, as `nearest`) held in the
 * low mantissa bits, so the integer comes from the bits rather than a (slow) f32x4 → i32x4
 * conversion.
 */
const ROUNDER = 12582912;
const ROUNDER_BITS = 0x4b400000;
/** ln 2 = C1 + C2: C1 has 9 significant bits, so n·C1 is exact for |n| < 2^15. */
const LN2_C1 = 0.693359375;
const LN2_C2 = -2.12194440e-4;
/** e^r ≈ 1 + r + r²·P(r) on |r| ≤ ln2/2 (relative minimax, fitted in float64, rounded to f32). */
const EXP_P = [0.4999999403953552, 0.1666652113199234, 0.04166838899254799, 0.008368716575205326, 0.0013814590638503432];

/**
 * e^(x + tail), for x in [-104, 89] (NaN passes). `wide` scales by 2^n in two steps, which the
 * full range needs (n in [-150, 128]: results that overflow or are subnormal); without it the
 * result must be a normal number (|x| ≤ 87). `tail` is the low part of a double-float argument.
 */
function expCore(b: Block, x: Expr, wide: boolean, tail?: Expr): Expr {
  // n = nearest(x·log2 e), and as an integer from the bits of n + 1.5·2^23
  const shifted = b.let(add(mul(x, fc(x, LOG2E)), fc(x, ROUNDER)), 'n');
  const n = b.let(sub(shifted, fc(x, ROUNDER)), 'n');
  const hi = sub(x, mul(n, fc(x, LN2_C1))); // exact (Sterbenz)
  const nC2 = mul(n, fc(x, LN2_C2));
  const r = b.let(tail ? add(hi, sub(tail, nC2)) : sub(hi, nC2), 'r');
  const p = b.let(add(add(mul(mul(r, r), poly(r, EXP_P)), r), fc(x, 1)), 'p');
  // 2^n from exponent bits, multiplied in (a NaN p stays NaN whatever the bits of n)
  if (!wide) return mul(p, fromBits(shl(sub(bitsOf(shifted), ic(x, ROUNDER_BITS - 127)), 23)));
  const k = b.let(sub(bitsOf(shifted), ic(x, ROUNDER_BITS)), 'k');
  const k1 = b.let(shr(k, 1), 'k');
  const pow2 = (e: Expr): Expr => fromBits(shl(add(e, ic(e, 127)), 23));
  return mul(mul(p, pow2(k1)), pow2(sub(k, k1)));
}

function expF(b: Block, x: Expr): Expr {
  return expCore(b, clamp(b, x, -104, 89), true);
}

// ---- log

const MIN_NORMAL = 1.1754943508222875e-38;
const SQRT_HALF_BITS = 0x3f3504f3;
/** musl logf's coefficients of R. */
const LG = [0.66666662693, 0.40000972152, 0.28498786688, 0.24279078841];

/** x = 2^k·(1 + f) with 1 + f in [√½, √2), for x > 0 (subnormals included). */
function logSplit(b: Block, x: Expr): { k: Expr; f: Expr } {
  const tiny = b.let(lt(x, fc(x, MIN_NORMAL)), 'tiny');
  const xs = select(tiny, mul(x, fc(x, 8388608)), x);
  const ix = b.let(add(bitsOf(xs), ic(x, 0x3f800000 - SQRT_HALF_BITS)), 'ix');
  const k = sub(sub(shr(ix, 23), ic(x, 127)), select(tiny, ic(x, 23), ic(x, 0)));
  const m = fromBits(add(and(ix, ic(x, 0x007fffff)), ic(x, SQRT_HALF_BITS)));
  return { k: b.let(cvt(k, 'f32'), 'k'), f: b.let(sub(m, fc(x, 1)), 'f') };
}

/** musl's R(z) = Lg1·z + Lg2·z² + Lg3·z³ + Lg4·z⁴ ≈ 2·atanh(s)/s − 2, z = s², in two halves. */
function logR(b: Block, s: Expr): Expr {
  const z = b.let(mul(s, s), 'z');
  const w = b.let(mul(z, z), 'w');
  return add(mul(z, add(fc(z, LG[0]), mul(w, fc(z, LG[2])))), mul(w, add(fc(z, LG[1]), mul(w, fc(z, LG[3])))));
}

function logF(b: Block, x: Expr): Expr {
  const { k, f } = logSplit(b, x);
  // log(1+f) = 2s + s·R = f − hfsq + s·(hfsq + R), s = f/(2+f), hfsq = f²/2 (musl's order)
  const hfsq = b.let(mul(mul(fc(x, 0.5), f), f), 'h');
  const s = b.let(div(f, add(fc(x, 2), f)), 's');
  const tail = mul(s, add(hfsq, logR(b, s)));
  const v = add(add(sub(add(tail, mul(k, fc(x, LN2_C2))), hfsq), f), mul(k, fc(x, LN2_C1)));
  const finite = select(lt(x, fc(x, INF)), v, x); // inf and NaN stay
  return select(gt(x, fc(x, 0)), finite, select(eq(x, fc(x, 0)), fc(x, -INF), fc(x, NaN)));
}

// ---- sin, cos

const TWO_OVER_PI = 0.6366197723675814;
/** π/2 = P1 + P2 + P3 (to 5e-15): P1 and P2 have 8 significant bits. */
const PIO2_P1 = 1.5703125;
const PIO2_P2 = 4.84466552734375e-4;
const PIO2_P3 = -6.397578431460715e-7;
/** Cephes sinf and cosf on [-π/4, π/4]: sin r ≈ r + r³S(r²), cos r ≈ 1 − r²/2 + r⁴C(r²). */
const SIN_S = [-1.6666654611e-1, 8.3321608736e-3, -1.9515295891e-4];
const COS_C = [4.166664568298827e-2, -1.388731625493765e-3, 2.443315711809948e-5];
/** Past 2^23 an f32 is an integer and the reduction error reaches π/4: the result is NaN. */
const TRIG_LIMIT = 8388608;

/** sin x (cos = false) or cos x: the quadrant of |x|, a polynomial, the sign. */
function sinCos(b: Block, x: Expr, cos: boolean): Expr {
  const ax = b.let(abs(x), 'a');
  const j = b.let(nearest(mul(ax, fc(x, TWO_OVER_PI))), 'j');
  const r = b.let(sub(sub(sub(ax, mul(j, fc(x, PIO2_P1))), mul(j, fc(x, PIO2_P2))), mul(j, fc(x, PIO2_P3))), 'r');
  const jBits = bitsOf(add(j, fc(x, ROUNDER))); // j mod 4 in the low bits (j < 2^23)
  const q = b.let(cos ? add(jBits, ic(x, 1)) : jBits, 'q');
  const z = b.let(mul(r, r), 'z');
  const sinR = add(mul(mul(r, z), poly(z, SIN_S)), r);
  const cosR = add(sub(mul(mul(z, z), poly(z, COS_C)), mul(fc(x, 0.5), z)), fc(x, 1));
  const v = select(eq(and(q, ic(x, 1)), ic(x, 0)), sinR, cosR);
  let sign = shl(and(q, ic(x, 2)), 30);
  if (!cos) sign = xor(sign, and(bitsOf(x), ic(x, SIGN)));
  return select(lt(ax, fc(x, TRIG_LIMIT)), fromBits(xor(bitsOf(v), sign)), fc(x, NaN));
}

// ---- tanh, logistic

/** Cephes tanhf: tanh x ≈ x + x³P(x²) for |x| < 0.625. */
const TANH_P = [-3.33332819422e-1, 1.33314422036e-1, -5.37397155531e-2, 2.06390887954e-2, -5.70498872745e-3];
const TANH_SMALL = 0.625;

function tanhF(b: Block, x: Expr): Expr {
  const a = b.let(abs(x), 'a'); // tanh is odd: computed for |x|, the sign copied (tanh(-0) = -0)
  const z = b.let(mul(a, a), 'z');
  const small = add(mul(mul(a, z), poly(z, TANH_P)), a);
  // tanh 10 rounds to 1; the clamp keeps exp's argument where it needs no range handling
  const e = b.let(expCore(b, mul(fc(x, 2), select(gt(a, fc(x, 10)), fc(x, 10), a)), false), 'e');
  const large = sub(fc(x, 1), div(fc(x, 2), add(e, fc(x, 1))));
  return withSignOf(select(lt(a, fc(x, TANH_SMALL)), small, large), x);
}

function logisticF(b: Block, x: Expr): Expr {
  const m = b.let(neg(abs(x)), 'm');
  const e = b.let(expCore(b, select(lt(m, fc(x, -104)), fc(x, -104), m), true), 'e');
  return div(select(ge(x, fc(x, 0)), fc(x, 1), e), add(fc(x, 1), e));
}

// ---- erf

const ERF_SMALL = 0.9;
/** erf x ≈ x + x·P(x²) on |x| < 0.9 (relative minimax, fitted in float64, rounded to f32). */
const ERF_P = [
  0.12837915122509003, -0.3761252462863922, 0.11282140761613846, -0.02677890658378601, 0.005011959467083216,
  -0.0006090342067182064,
];
/** log erfc t ≈ Q(t) on [0.9, 4] (minimax of the resulting erf error). */
const ERF_Q = [
  -0.00016642946866340935, -1.1277973651885986, -0.6369759440422058, -0.10411379486322403, 0.022315269336104393,
  -0.0030655045993626118, 0.00019822111062239856,
];

function erfF(b: Block, x: Expr): Expr {
  const t = b.let(abs(x), 'a');
  const small = add(mul(poly(b.let(mul(x, x), 's'), ERF_P), x), x);
  const e = expCore(b, poly(b.let(select(gt(t, fc(x, 4)), fc(x, 4), t), 'c'), ERF_Q), false);
  const large = withSignOf(sub(fc(x, 1), e), x);
  return select(lt(t, fc(x, ERF_SMALL)), small, large);
}

// ---- atan2

/** atan t ≈ t + t³P(t²) on [0, 1] (relative minimax, fitted in float64, rounded to f32). */
const ATAN_P = [
  -0.33333152532577515, 0.19993773102760315, -0.14211054146289825, 0.10665998607873917, -0.07552199810743332,
  0.0432116724550724, -0.016367800533771515, 0.0029206578619778156,
];
/** π and π/2 as f32 high parts and f32 low parts. */
const PI = [3.1415927410125732, -8.742277657347586e-8];
const PIO2 = [1.5707963705062866, -4.371138828673793e-8];

function atan2F(b: Block, y: Expr, x: Expr): Expr {
  // scale |y| + |x| away from overflow (a lost subnormal bit is then far below the result) and
  // from subnormals (where the quotient would lose bits)
  const ax0 = b.let(abs(x), 'ax');
  const ay0 = b.let(abs(y), 'ay');
  const sum = b.let(add(ax0, ay0), 'sm');
  const scale = b.let(select(gt(sum, fc(x, 2 ** 120)), fc(x, 0.25), select(lt(sum, fc(x, 2 ** -90)), fc(x, 2 ** 40), fc(x, 1))), 'sc');
  const ax = b.let(mul(ax0, scale), 'ax');
  const ay = b.let(mul(ay0, scale), 'ay');
  // t = min/max in [0, 1]; |x| = |y| (0/0 and inf/inf among them) has t = 1, or 0 for zeros
  const swap = b.let(gt(ay, ax), 'sw');
  const q = div(select(swap, ax, ay), select(swap, ay, ax));
  const t = b.let(select(eq(ax, ay), select(eq(ay, fc(x, 0)), fc(x, 0), fc(x, 1)), q), 't');
  const z = b.let(mul(t, t), 'z');
  const atanT = b.let(add(mul(mul(t, z), poly(z, ATAN_P)), t), 'at');
  // θ = offset ± atan t: |y| > |x| reflects about π/2, x < 0 (or -0) about π
  const xneg = b.let(lt(bitsOf(x), ic(x, 0)), 'xn');
  const offset = (part: 0 | 1): Expr => select(swap, fc(x, PIO2[part]), select(xneg, fc(x, PI[part]), fc(x, 0)));
  const theta = add(offset(0), add(select(ne(swap, xneg), neg(atanT), atanT), offset(1)));
  return withSignOf(theta, y);
}

// ---- pow

/** Dekker's split: a = hi + lo with hi of 12 significant bits (|a| < 8e34). */
function split(b: Block, a: Expr): [Expr, Expr] {
  const c = b.let(mul(a, fc(a, 4097)), 'c');
  const hi = b.let(sub(c, sub(c, a)), 'sh');
  return [hi, b.let(sub(a, hi), 'sl')];
}

/** The rounding error of p = a·b (exact: a·b = p + error). */
function productError(b: Block, a: Expr, c: Expr, p: Expr): Expr {
  const [ah, al] = split(b, a);
  const [ch, cl] = split(b, c);
  return add(add(add(sub(mul(ah, ch), p), mul(ah, cl)), mul(al, ch)), mul(al, cl));
}

/** s = a + c exactly as s + error (Knuth's two-sum). */
function twoSum(b: Block, a: Expr, c: Expr): [Expr, Expr] {
  const s = b.let(add(a, c), 'ts');
  const v = b.let(sub(s, a), 'tv');
  return [s, b.let(add(sub(a, sub(s, v)), sub(c, v)), 'te')];
}

/**
 * ln x as hi + lo, for finite x > 0: ln x = k·ln2 + 2s + s·R(s²) with s = f/(2+f) carried as a
 * double-float (s + sl), so only s·R (|s·R| < 0.0035) is computed in plain float32.
 */
function logDouble(b: Block, x: Expr): [Expr, Expr] {
  const { k, f } = logSplit(b, x);
  const u = b.let(add(fc(x, 2), f), 'u');
  const ul = sub(f, sub(u, fc(x, 2))); // 2 + f = u + ul exactly
  const s = b.let(div(f, u), 's');
  const p = b.let(mul(s, u), 'p');
  // f − s·(u + ul) exactly enough: f − p is exact (Sterbenz), s·u = p + productError
  const sl = div(sub(sub(sub(f, p), productError(b, s, u, p)), mul(s, ul)), u);
  const [s1, e1] = twoSum(b, mul(k, fc(x, LN2_C1)), add(s, s));
  const tail = b.let(add(add(add(mul(k, fc(x, LN2_C2)), mul(fc(x, 2), sl)), mul(s, logR(b, s))), e1), 'tl');
  const hi = b.let(add(s1, tail), 'lh');
  return [hi, sub(tail, sub(hi, s1))];
}

function powF(b: Block, x: Expr, y: Expr): Expr {
  const ax = b.let(abs(x), 'ax');
  // |x|^y for finite |x| > 0: w = y·ln|x| in double-float, then e^w
  const [lh, ll] = logDouble(b, ax);
  const wh = b.let(mul(y, lh), 'wh');
  const wl = add(productError(b, y, lh, wh), mul(y, ll));
  // past the range of exp only the clamped high part matters (and |y| ≥ 1e30 would overflow the split)
  const keep = and(le(abs(wh), fc(x, 104)), lt(abs(y), fc(x, 1e30)));
  const mag0 = expCore(b, clamp(b, wh, -104, 89), true, select(keep, wl, fc(x, 0)));
  // x = ±0 or ±inf: 0 or inf by the sign of y
  const edge = or(eq(ax, fc(x, 0)), eq(ax, fc(x, INF)));
  const mag = b.let(select(edge, select(ne(eq(ax, fc(x, INF)), lt(y, fc(x, 0))), fc(x, INF), fc(x, 0)), mag0), 'mg');
  // x < 0 (or -0): odd integer y negates; a non-integer y is NaN for finite x
  const yInt = b.let(eq(trunc(y), y), 'yi');
  const half = b.let(mul(y, fc(x, 0.5)), 'y2');
  const odd = and(yInt, ne(trunc(half), half));
  const xneg = lt(bitsOf(x), ic(x, 0));
  const signed = select(and(xneg, odd), neg(mag), mag);
  const real = select(and(lt(x, fc(x, 0)), and(lt(ax, fc(x, INF)), not(yInt))), fc(x, NaN), signed);
  const nan = or(ne(x, x), ne(y, y));
  return select(eq(y, fc(x, 0)), fc(x, 1), select(nan, add(x, y), real));
}

// ---- The table

type Float = 'f32' | 'f32x4';
const FLOATS: readonly Float[] = ['f32', 'f32x4'];

const BUILDERS: Record<MathFn, (b: Block, ...args: Expr[]) => Expr> = {
  exp: (b, x) => expF(b, x),
  log: (b, x) => logF(b, x),
  sin: (b, x) => sinCos(b, x, false),
  cos: (b, x) => sinCos(b, x, true),
  tanh: (b, x) => tanhF(b, x),
  logistic: (b, x) => logisticF(b, x),
  erf: (b, x) => erfF(b, x),
  atan2: (b, y, x) => atan2F(b, y, x),
  pow: (b, x, y) => powF(b, x, y),
};
const PARAMS: Record<MathFn, readonly string[]> = {
  exp: ['x'], log: ['x'], sin: ['x'], cos: ['x'], tanh: ['x'], logistic: ['x'], erf: ['x'],
  atan2: ['y', 'x'], pow: ['x', 'y'],
};

function define(fn: MathFn, t: Float): KFunction {
  const params = PARAMS[fn].map((name) => ({ name, t: t as KType }));
  const b = new Block({ next: 0, prefix: 'v' });
  const ret = BUILDERS[fn](b, ...params.map((p) => ({ k: 'get', t: p.t, name: p.name }) as Expr));
  return { name: mathName(fn, t), params, result: t, body: b.stmts, ret };
}

const MATH_FNS = Object.keys(BUILDERS) as readonly MathFn[];

/** All 18 functions, by `mathName(fn, t)`. */
export const MATH_FUNCTIONS: ReadonlyMap<string, KFunction> = new Map(
  MATH_FNS.flatMap((fn) => FLOATS.map((t) => [mathName(fn, t), define(fn, t)] as const)),
);

export function mathFunction(name: string): KFunction | undefined {
  return MATH_FUNCTIONS.get(name);
}

type Node = Expr | Stmt | Kernel | KFunction;

/**
 * The math functions that `roots` (kernels, functions, statements or expressions) call, directly
 * or through other functions of the library, by name: the function table a backend needs.
 */
export function mathFunctionsUsed(roots: Iterable<Node>): Map<string, KFunction> {
  const lists = [...roots].map((n): readonly Stmt[] => {
    if (!('k' in n)) return 'params' in n ? functionStmts(n) : n.body;
    return n.k === 'let' || n.k === 'set' || n.k === 'store' || n.k === 'storePair' || n.k === 'for' || n.k === 'if'
      ? [n]
      : [{ k: 'let', name: '', t: n.t, init: n }];
  });
  // A root function's own callees, but not the root itself unless something calls it.
  return new Map(calledFunctions(lists, MATH_FUNCTIONS).map((f) => [f.name, f]));
}
