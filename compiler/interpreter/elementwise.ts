/**
 * Interpreter rules of the elementwise primitives, in float64. Operands have identical shapes
 * (the frontend broadcasts); c64 operands are interleaved (re, im).
 */
import type { DType } from '../dtype';
import { coerce, type NDArray, ndarray } from '../ndarray';
import type { BinaryElementwise, UnaryElementwise } from '../primitives';
import { type C, cdiv, cexp, cmul, erf } from './complexMath';

type RealFn = (x: number) => number;
type Real2 = (a: number, b: number) => number;

function mapReal(x: NDArray, outDtype: DType, f: RealFn): NDArray {
  const out = ndarray(outDtype, x.shape);
  for (let i = 0; i < out.data.length; i++) out.data[i] = coerce(outDtype, f(x.data[i]));
  return out;
}

function mapComplex(x: NDArray, f: (re: number, im: number) => C): NDArray {
  const out = ndarray('c64', x.shape);
  for (let i = 0; i < x.data.length; i += 2) {
    const [r, m] = f(x.data[i], x.data[i + 1]);
    out.data[i] = r;
    out.data[i + 1] = m;
  }
  return out;
}

/** A complex -> real map (abs, real, imag). */
function complexToReal(x: NDArray, f: (re: number, im: number) => number): NDArray {
  const out = ndarray('f32', x.shape);
  for (let i = 0; i < out.data.length; i++) out.data[i] = f(x.data[2 * i], x.data[2 * i + 1]);
  return out;
}

const idiv = (a: number, b: number): number => (b === 0 ? 0 : Math.trunc(a / b));

export function unaryRule(prim: Exclude<UnaryElementwise, 'cast'>, x: NDArray): NDArray {
  const c = x.dtype === 'c64';
  switch (prim) {
    case 'neg':
      return c ? mapComplex(x, (r, m) => [-r, -m]) : mapReal(x, x.dtype, (v) => -v);
    case 'exp':
      return c ? mapComplex(x, cexp) : mapReal(x, 'f32', Math.exp);
    case 'log':
      return mapReal(x, 'f32', Math.log);
    case 'sin':
      return mapReal(x, 'f32', Math.sin);
    case 'cos':
      return mapReal(x, 'f32', Math.cos);
    case 'tanh':
      return mapReal(x, 'f32', Math.tanh);
    case 'logistic':
      return mapReal(x, 'f32', (v) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v))));
    case 'sqrt':
      return mapReal(x, 'f32', Math.sqrt);
    case 'erf':
      return mapReal(x, 'f32', erf);
    case 'abs':
      return c ? complexToReal(x, Math.hypot) : mapReal(x, x.dtype, Math.abs);
    case 'sign':
      return mapReal(x, x.dtype, (v) => (Number.isNaN(v) ? NaN : Math.sign(v) + 0));
    case 'floor':
      return mapReal(x, 'f32', Math.floor);
    case 'not':
      return mapReal(x, 'bool', (v) => (v ? 0 : 1));
    case 'real':
      return complexToReal(x, (r) => r);
    case 'imag':
      return complexToReal(x, (_, m) => m);
    case 'conj':
      return mapComplex(x, (r, m) => [r, -m]);
  }
}

const REAL_BINARY: Record<Exclude<BinaryElementwise, 'complex'>, Real2> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: (a, b) => Math.pow(a, b),
  max: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
  min: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
  atan2: Math.atan2,
  and: (a, b) => (a && b ? 1 : 0),
  or: (a, b) => (a || b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
};

const COMPLEX_BINARY: Partial<Record<BinaryElementwise, (ar: number, ai: number, br: number, bi: number) => C>> = {
  add: (ar, ai, br, bi) => [ar + br, ai + bi],
  sub: (ar, ai, br, bi) => [ar - br, ai - bi],
  mul: cmul,
  div: cdiv,
};

export function binaryRule(prim: BinaryElementwise, a: NDArray, b: NDArray, outDtype: DType): NDArray {
  const out = ndarray(outDtype, a.shape);
  if (prim === 'complex') {
    for (let i = 0; i < a.data.length; i++) {
      out.data[2 * i] = a.data[i];
      out.data[2 * i + 1] = b.data[i];
    }
    return out;
  }
  if (a.dtype === 'c64') {
    const cf = COMPLEX_BINARY[prim];
    if (cf) {
      for (let i = 0; i < a.data.length; i += 2) {
        const [r, m] = cf(a.data[i], a.data[i + 1], b.data[i], b.data[i + 1]);
        out.data[i] = r;
        out.data[i + 1] = m;
      }
      return out;
    }
    // eq / ne compare both parts
    const n = a.data.length / 2;
    for (let i = 0; i < n; i++) {
      const same = a.data[2 * i] === b.data[2 * i] && a.data[2 * i + 1] === b.data[2 * i + 1];
      out.data[i] = prim === 'eq' ? +same : +!same;
    }
    return out;
  }
  const f = a.dtype === 'i32' && prim === 'div' ? idiv : a.dtype === 'i32' && prim === 'mul' ? Math.imul : REAL_BINARY[prim];
  for (let i = 0; i < out.data.length; i++) out.data[i] = coerce(outDtype, f(a.data[i], b.data[i]));
  return out;
}

export function selectRule(pred: NDArray, t: NDArray, f: NDArray): NDArray {
  const out = ndarray(t.dtype, t.shape);
  const lanes = t.dtype === 'c64' ? 2 : 1;
  for (let i = 0; i < pred.data.length; i++) {
    const src = pred.data[i] ? t : f;
    for (let l = 0; l < lanes; l++) out.data[i * lanes + l] = src.data[i * lanes + l];
  }
  return out;
}

export function castRule(x: NDArray, dtype: DType): NDArray {
  if (dtype === 'c64') {
    if (x.dtype === 'c64') return x;
    const out = ndarray('c64', x.shape);
    for (let i = 0; i < x.data.length; i++) out.data[2 * i] = x.data[i];
    return out;
  }
  return mapReal(x, dtype, (v) => v);
}
