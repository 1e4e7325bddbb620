/**
 * Row access for the CPU FFT templates: the complex arithmetic the passes share (generic over
 * f32 and f32x4), float64 roots of unity for the constant tables, and the "ports" through which
 * a pass reads element j of its row and writes element k:
 *
 *  - `planarPort`: an intermediate in a scratch (or not yet written output) buffer, one row of
 *    `len` complex values stored as all real parts, then all imaginary parts (stride-1 vector
 *    loads and stores for both);
 *  - `complexViewPort` / `realViewPort`: a strided c64 / f32 view (a real view reads im = 0 and
 *    writes the real part only);
 *  - `packedRealPort`: a real row of 2L values read or written as L complex values
 *    z_j = x_{2j} + i x_{2j+1} (the half-length trick of rfft/irfft).
 *
 * A vector access touches elements j + l·stride (l = 0..3), stride counted in elements.
 */
import { type Expr, Block, add, constant, iadd, idiv, imul, irem, i32, load, mul, sub } from '../ir/build';
import type { View } from './template';

export type Num = 'f32' | 'f32x4';
export type Complex = readonly [Expr, Expr];

/** A port bound to one row. */
export interface RowIO {
  read(j: Expr, t: Num, stride?: number): Complex;
  write(b: Block, k: Expr, z: Complex, stride?: number): void;
}

/** A row-indexed endpoint; `bind` emits the row's base offsets into `b`. */
export interface Port {
  bind(b: Block, row: Expr): RowIO;
}

// ---- complex arithmetic ----

export const num = (t: Num, v: number): Expr => constant(t, v);
export const cadd = (a: Complex, b: Complex): Complex => [add(a[0], b[0]), add(a[1], b[1])];
export const csub = (a: Complex, b: Complex): Complex => [sub(a[0], b[0]), sub(a[1], b[1])];
export const cmul = (a: Complex, b: Complex): Complex => [
  sub(mul(a[0], b[0]), mul(a[1], b[1])),
  add(mul(a[0], b[1]), mul(a[1], b[0])),
];
export const cscale = (a: Complex, s: Expr): Complex => [mul(a[0], s), mul(a[1], s)];
/** Binds both parts to locals (a value used more than once). */
export const cbind = (b: Block, z: Complex, hint = 'z'): Complex => [b.bind(z[0], `${hint}r`), b.bind(z[1], `${hint}i`)];

/**
 * exp(2πi·e/d) in float64, with e reduced modulo d first and the quarter turns exact (so W^0,
 * W^{n/4}, … are exactly ±1, ±i after rounding to float32).
 */
export function unitRoot(e: number, d: number): [number, number] {
  const r = ((e % d) + d) % d;
  if ((4 * r) % d === 0) return [[1, 0, -1, 0][(4 * r) / d], [0, 1, 0, -1][(4 * r) / d]];
  const angle = (2 * Math.PI * r) / d;
  return [Math.cos(angle), Math.sin(angle)];
}

/** A planar constant table of `len` complex values: real parts, then imaginary parts. */
export function planarTable(len: number, value: (k: number) => readonly [number, number]): Float32Array {
  const t = new Float32Array(2 * len);
  for (let k = 0; k < len; k++) {
    const [re, im] = value(k);
    t[k] = re;
    t[len + k] = im;
  }
  return t;
}

/** Element k (or k + l·stride) of a planar table of `len` values at `offset` of `buf`. */
export function tableAt(buf: string, offset: number, len: number, k: Expr, t: Num, stride = 1): Complex {
  return [load(buf, iadd(i32(offset), k), t, stride), load(buf, iadd(i32(offset + len), k), t, stride)];
}

// ---- ports ----

/** Planar rows at `buf`[offset + row·rowStride], the imaginary parts `imOffset` after the real ones. */
export function planarPort(buf: string, rowStride: number, imOffset: number, offset = 0): Port {
  return {
    bind(b, row) {
      const re = b.bind(iadd(i32(offset), imul(row, i32(rowStride))), 'pr');
      const im = b.bind(iadd(re, i32(imOffset)), 'pi');
      return {
        read: (j, t, stride = 1) => [load(buf, iadd(re, j), t, stride), load(buf, iadd(im, j), t, stride)],
        write(w, k, z, stride = 1) {
          w.store(buf, iadd(re, k), z[0], stride);
          w.store(buf, iadd(im, k), z[1], stride);
        },
      };
    },
  };
}

/** Whether the leading axes of `v` step through rows with one stride (then row r is at r·stride). */
function leadingStride(v: View): number | null {
  const lead = v.shape.length - 1;
  let stride: number | null = null;
  let expect: number | null = null;
  for (let i = lead - 1; i >= 0; i--) {
    if (v.shape[i] === 1) continue;
    if (expect === null) stride = v.strides[i];
    else if (v.strides[i] !== expect) return null;
    expect = v.strides[i] * v.shape[i];
  }
  return stride ?? 0;
}

/** The storage index of element 0 of row `row` (the leading axes flattened row-major). */
export function rowBase(b: Block, v: View, row: Expr): Expr {
  const s = leadingStride(v);
  if (s !== null) return b.bind(iadd(i32(v.offset), imul(row, i32(s))), 'vb');
  let off: Expr = i32(v.offset);
  let rest = b.bind(row, 'vr');
  for (let i = v.shape.length - 2; i >= 0; i--) {
    off = iadd(off, imul(b.bind(irem(rest, v.shape[i]), 'vc'), i32(v.strides[i])));
    if (i > 0) rest = b.bind(idiv(rest, v.shape[i]), 'vr');
  }
  return b.bind(off, 'vb');
}

const lastStride = (v: View): number => v.strides[v.strides.length - 1];

/** A c64 view: element j at base + j·s (real) and + 1 (imaginary). */
export function complexViewPort(v: View): Port {
  const s = lastStride(v);
  return {
    bind(b, row) {
      const base = rowBase(b, v, row);
      return {
        read(j, t, stride = 1) {
          const at = iadd(base, imul(j, i32(s)));
          return [load(v.buf, at, t, stride * s), load(v.buf, iadd(at, i32(1)), t, stride * s)];
        },
        write(w, k, z, stride = 1) {
          const at = w.bind(iadd(base, imul(k, i32(s))), 'ca');
          if (z[0].t === 'f32x4' && stride * s === 2) return w.storePair(v.buf, at, z[0], z[1]);
          w.store(v.buf, at, z[0], stride * s);
          w.store(v.buf, iadd(at, i32(1)), z[1], stride * s);
        },
      };
    },
  };
}

/** An f32 view as complex values: reads im = 0, writes the real part. */
export function realViewPort(v: View): Port {
  const s = lastStride(v);
  return {
    bind(b, row) {
      const base = rowBase(b, v, row);
      return {
        read: (j, t, stride = 1) => [load(v.buf, iadd(base, imul(j, i32(s))), t, stride * s), num(t, 0)],
        write: (w, k, z, stride = 1) => w.store(v.buf, iadd(base, imul(k, i32(s))), z[0], stride * s),
      };
    },
  };
}

/** An f32 view of 2L values as L complex values z_j = x_{2j} + i·x_{2j+1}. */
export function packedRealPort(v: View): Port {
  const s = lastStride(v);
  return {
    bind(b, row) {
      const base = rowBase(b, v, row);
      const at = (w: Block | null, j: Expr): Expr => {
        const e = iadd(base, imul(j, i32(2 * s)));
        return w ? w.bind(e, 'pa') : e;
      };
      return {
        read(j, t, stride = 1) {
          const a = at(null, j);
          return [load(v.buf, a, t, 2 * s * stride), load(v.buf, iadd(a, i32(s)), t, 2 * s * stride)];
        },
        write(w, k, z, stride = 1) {
          const a = at(w, k);
          if (z[0].t === 'f32x4' && s === 1 && stride === 1) return w.storePair(v.buf, a, z[0], z[1]);
          w.store(v.buf, a, z[0], 2 * s * stride);
          w.store(v.buf, iadd(a, i32(s)), z[1], 2 * s * stride);
        },
      };
    },
  };
}
