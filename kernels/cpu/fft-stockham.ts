/**
 * Stockham autosort FFT stages for power-of-two lengths on the CPU: a step per stage, each
 * reading its row whole and writing it in the next order (no bit reversal), the last stage
 * writing natural order. Stage with radix R and span Ns (the product of the earlier radices),
 * for the butterflies j = blk·Ns + jm (jm < Ns), with W = exp(σ·2πi/(R·Ns)), σ = -1 forward:
 *
 *   v_s = x[j + s·n/R] · W^(s·jm)                (s = 0 .. R-1)
 *   y[blk·R·Ns + r·Ns + jm] = Σ_s v_s · exp(σ·2πi·r·s/R)
 *
 * Radix 4 throughout with one radix-2 stage last when log2 n is odd, so every stage after the
 * first has Ns ≥ 4: its butterflies run four at a time over jm (contiguous reads, writes and
 * twiddles). The first stage (Ns = 1, no twiddles) runs four at a time over blk, writing with
 * stride R; n ≤ 8 leaves a first stage of fewer than four butterflies to scalar code. The
 * twiddles W^(s·jm) come from one float64-computed constant table per length and direction.
 */
import { type Expr, Block, i32, iadd, imul } from '../ir/build';
import {
  type Complex, type Num, type RowIO, cadd, cbind, cmul, csub, planarTable, tableAt, unitRoot,
} from './fft-ports';
import { type Step, blockedRange, elementPass } from './fft-pipeline';
import type { TemplateContext } from './template';

/** A map applied to the last stage's outputs before they are written (scaling, a pointwise product). */
export type Finish = (b: Block, k: Expr, z: Complex, t: Num, stride: number) => Complex;

export const isPowerOfTwo = (n: number): boolean => Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;

/** Radices of the stages, first to last: 4s, then a 2 when log2 n is odd. */
export function stockhamRadices(n: number): number[] {
  const radices: number[] = [];
  for (let rest = n; rest > 1; rest /= rest === 2 ? 2 : 4) radices.push(rest === 2 ? 2 : 4);
  return radices;
}

interface TwiddleTable {
  readonly data: Float32Array;
  /** Offset of each stage's table (W^(s·jm), planar, s = 1 .. R-1 one after another), -1 for none. */
  readonly offsets: readonly number[];
}
const twiddleCache = new Map<string, TwiddleTable>();

function twiddleTable(n: number, inverse: boolean): TwiddleTable {
  const key = `${n}:${inverse}`;
  const cached = twiddleCache.get(key);
  if (cached) return cached;
  const sign = inverse ? 1 : -1;
  const parts: Float32Array[] = [];
  const offsets: number[] = [];
  let size = 0;
  let Ns = 1;
  for (const R of stockhamRadices(n)) {
    offsets.push(Ns === 1 ? -1 : size);
    for (let s = 1; Ns > 1 && s < R; s++) {
      const t = planarTable(Ns, (jm) => unitRoot(sign * s * jm, R * Ns));
      parts.push(t);
      size += t.length;
    }
    Ns *= R;
  }
  const data = new Float32Array(size);
  parts.reduce((at, p) => (data.set(p, at), at + p.length), 0);
  const table = { data, offsets };
  twiddleCache.set(key, table);
  return table;
}

/** DFT_4 of v (sign σ): y_r = Σ_s v_s exp(σ·2πi·r·s/4). */
function radix4(b: Block, v: readonly Complex[], inverse: boolean): Complex[] {
  const t0 = cbind(b, cadd(v[0], v[2]), 't0');
  const t1 = cbind(b, csub(v[0], v[2]), 't1');
  const t2 = cbind(b, cadd(v[1], v[3]), 't2');
  const d = cbind(b, csub(v[1], v[3]), 'd');
  // (v1 - v3)·σi is (d_i, -d_r) forward and (-d_i, d_r) inverse
  const plus: Complex = cadd(t1, [d[1], d[0]]);
  const minus: Complex = csub(t1, [d[1], d[0]]);
  const y1: Complex = inverse ? [minus[0], plus[1]] : [plus[0], minus[1]];
  const y3: Complex = inverse ? [plus[0], minus[1]] : [minus[0], plus[1]];
  return [cadd(t0, t2), y1, csub(t0, t2), y3];
}

function stage(n: number, R: number, Ns: number, inverse: boolean, tw: string, off: number, finish?: Finish): Step {
  const m = n / R;
  const mode = Ns >= 4 ? 'jm' : m >= 4 ? 'blk' : 'scalar';
  const butterflies = (b: Block, src: RowIO, dst: RowIO, j: Expr, jm: Expr | null, k0: Expr, t: Num, outStride: number): void => {
    const v = Array.from({ length: R }, (_, s) => {
      const x = cbind(b, src.read(iadd(j, i32(s * m)), t), `x${s}`);
      if (s === 0 || jm === null) return x;
      return cbind(b, cmul(x, cbind(b, tableAt(tw, off + (s - 1) * 2 * Ns, Ns, jm, t), `w${s}`)), `v${s}`);
    });
    const y = R === 4 ? radix4(b, v, inverse) : [cadd(v[0], v[1]), csub(v[0], v[1])];
    y.forEach((z, r) => {
      const k = b.bind(iadd(k0, i32(r * Ns)), 'k');
      dst.write(b, k, finish ? finish(b, k, z, t, outStride) : z, outStride);
    });
  };
  return {
    name: `r${R}n${Ns}`,
    items: mode === 'scalar' ? m : m / 4,
    itemCost: (R === 4 ? 44 : 14) * (mode === 'scalar' ? 1 : 4),
    outLength: n,
    emit(b, src, dst, lo, hi) {
      if (mode === 'jm') {
        blockedRange(b, lo, hi, Ns / 4, (ib, blk, q) => {
          const jm = ib.bind(imul(q, i32(4)), 'jm');
          const j = ib.bind(iadd(imul(blk, i32(Ns)), jm), 'j');
          butterflies(ib, src, dst, j, jm, ib.bind(iadd(imul(blk, i32(R * Ns)), jm), 'k0'), 'f32x4', 1);
        });
      } else if (mode === 'blk') {
        b.for(lo, hi, (q, ib) => {
          const j = ib.bind(imul(q, i32(4)), 'j');
          butterflies(ib, src, dst, j, null, ib.bind(imul(j, i32(R)), 'k0'), 'f32x4', R);
        }, 1, 'q');
      } else {
        b.for(lo, hi, (j, ib) => butterflies(ib, src, dst, j, null, ib.bind(imul(j, i32(R)), 'k0'), 'f32', 1), 1, 'j');
      }
    },
  };
}

/** The length-`len` identity (the FFT of length 1), through `finish`. */
export function copyStep(len: number, finish?: Finish): Step {
  const copy = (b: Block, src: RowIO, dst: RowIO, k: Expr, t: Num): void => {
    const z = src.read(k, t);
    dst.write(b, k, finish ? finish(b, k, z, t, 1) : z);
  };
  return elementPass('copy', len, len, 4, [{ cond: () => null, emit: (b, src, dst, k0) => copy(b, src, dst, k0, 'f32x4') }],
    (b, src, dst, k) => copy(b, src, dst, k, 'f32'));
}

/** The unnormalised transform of length n (a power of two) as Stockham stages, `finish` on the last. */
export function stockhamSteps(ctx: TemplateContext, n: number, inverse: boolean, finish?: Finish): Step[] {
  if (!isPowerOfTwo(n)) throw new Error(`cpu fft: Stockham length ${n} is not a power of two`);
  if (n === 1) return [copyStep(1, finish)];
  const table = twiddleTable(n, inverse);
  const tw = table.data.length > 0 ? ctx.constant(table.data, `fft twiddles n=${n}${inverse ? ' inverse' : ''}`) : '';
  const radices = stockhamRadices(n);
  let Ns = 1;
  return radices.map((R, i) => {
    const step = stage(n, R, Ns, inverse, tw, table.offsets[i], i === radices.length - 1 ? finish : undefined);
    Ns *= R;
    return step;
  });
}
