/**
 * FFTs along the last axis for the gpu.js backends, as kernel IR (one unit per output float),
 * over the host tables of kernels/fft-tables.ts:
 *
 * - Stockham autosort for power-of-two lengths, one kernel per stage (`<name>_r<R>s<stage>`),
 *   radix 4 with one radix-2 stage first when log2 n is odd (Govindaraju et al. 2008). Output
 *   element q of a stage with radix R and span Ns (the product of the earlier radices) is
 *   q = blk·R·Ns + r·Ns + jm; with j = blk·Ns + jm,
 *     v_s = x[j + s·n/R] · W^(s·jm·n/(R·Ns)),  y[q] = Σ_s v_s · exp(±2πi·s·r/R),
 *   W = exp(∓2πi/n) read from the twiddle table. The last stage writes natural order, so it may
 *   stop at `outputLength` elements and finish the value (scaling, a chirp, a real part).
 * - Bluestein's chirp-z for other lengths: two Stockham FFTs of length m = 2^⌈log2(2n − 1)⌉,
 *   the chirp premultiplication read by the first one's first stage, the filter product by the
 *   second one's first stage, the chirp postmultiplication in its last stage.
 * - rfft and irfft (numpy's, backward normalisation): even n through a half-length complex FFT
 *   (the reals read as n/2 complex values; the split of its spectrum in one more kernel, or for
 *   irfft the inverse split in the first stage's reads), odd n through a full-length transform.
 *
 * The input is read through a caller-supplied reader, so a fused producer is computed in the
 * first stage.
 */
import { Block, START, add, bin, constant, cvt, i32, iadd, idiv, imul, irem, isub, load, mul, neg, select, sub } from '../../kernels/ir/build';
import type { Expr, Kernel } from '../../kernels/ir/types';
import { OUTPUT } from '../../kernels/gpujs/render';
import { bluesteinFilterSpectrum, chirp, isPowerOfTwo, nextPowerOfTwo, stockhamRadices, twiddles } from '../../kernels/fft-tables';
import { Coords } from './cpu/emit';
import { affine, type Ix } from './cpu/indexing';

export interface Complex {
  readonly re: Expr;
  readonly im: Expr;
}

/** The complex value at position `k` (i32) of the last axis of the line with batch axes `batch`. */
export type LineReader = (block: Block, batch: readonly Ix[], k: Expr) => Complex;

/** The value a last stage writes at position `q`, from the transform's value there. */
export type Finish = (block: Block, v: Complex, batch: readonly Ix[], q: Expr) => Complex;

/** Where kernels and host tables go: `launch` adds a kernel and returns its buffer id; `table` adds a host table and returns its id. */
export interface FftSink {
  launch(kernel: Kernel): string;
  table(id: string, data: Float32Array): string;
}

const f = (v: number): Expr => constant('f32', v);
const cmul = (a: Complex, b: Complex): Complex => ({ re: sub(mul(a.re, b.re), mul(a.im, b.im)), im: add(mul(a.re, b.im), mul(a.im, b.re)) });
const bound = (block: Block, v: Complex): Complex => ({ re: block.bind(v.re), im: block.bind(v.im) });
const tableAt = (buf: string, k: Expr, conj = false): Complex => {
  const at = imul(k, i32(2));
  const im = load(buf, iadd(at, i32(1)));
  return { re: load(buf, at), im: conj ? neg(im) : im };
};
/** A buffer of c64 lines [batch, n] read at (b, k). */
const lineOf = (buf: string, n: number) => (b: Expr, k: Expr): Complex => {
  const at = iadd(imul(b, i32(2 * n)), imul(k, i32(2)));
  return { re: load(buf, at), im: load(buf, iadd(at, i32(1))) };
};

export interface TransformSpec {
  readonly name: string;
  readonly batchShape: readonly number[];
  /** Length of the last axis. */
  readonly n: number;
  readonly inverse: boolean;
  readonly input: LineReader;
  /** Elements per line written (default n). */
  readonly outputLength?: number;
  /** Floats per written element: 2 (c64) or 1 (f32, the finished value's re). */
  readonly width?: 1 | 2;
  readonly finish?: Finish;
}

/** The batch axes of flat line `b`. */
const batchAxes = (shape: readonly number[], b: Expr): readonly Ix[] => (shape.length ? Coords.fromFlat(shape, affine(b)).axes : []);

/** A unit's stage prologue: line b, element q, part (for width 2). */
function prologue(block: Block, count: number, width: number): { b: Expr; q: Expr; part: Expr | undefined } {
  const b = block.bind(idiv(START, count * width), '_b');
  const rb = block.bind(irem(START, count * width), '_rb');
  const q = width === 2 ? block.bind(idiv(rb, 2), '_q') : rb;
  const part = width === 2 ? block.bind(irem(rb, 2), '_part') : undefined;
  return { b, q, part };
}

/** Stores `v` (re and im by the unit's part, or re). */
function write(block: Block, v: Complex, part: Expr | undefined): void {
  if (!part) return block.store(OUTPUT, START, v.re);
  block.if(bin('eq', part, i32(0)), (t) => t.store(OUTPUT, START, v.re), (e) => e.store(OUTPUT, START, v.im));
}

/** Stockham FFT of power-of-two length (no scaling); returns the last stage's buffer ([batch, L·width]). */
export function stockham(spec: TransformSpec, sink: FftSink): string {
  const { name, batchShape, n, inverse } = spec;
  const L = spec.outputLength ?? n;
  const width = spec.width ?? 2;
  const batch = batchShape.reduce((a, b) => a * b, 1);
  const finish: Finish = spec.finish ?? ((_b, v) => v);
  const names = { next: 0, prefix: '_f' };
  if (n === 1) {
    const block = new Block(names);
    const { b, q, part } = prologue(block, L, width);
    const axes = batchAxes(batchShape, b);
    write(block, finish(block, bound(block, spec.input(block, axes, q)), axes, q), part);
    return sink.launch({ name: `${name}_n1`, units: batch * L * width, unitCost: 1, body: block.stmts });
  }
  const radices = stockhamRadices(n);
  const tw = sink.table(`fft_twiddles_${n}`, twiddles(n));
  let previous: string | undefined;
  let Ns = 1;
  radices.forEach((R, stage) => {
    const first = stage === 0, last = stage === radices.length - 1;
    const w = last ? width : 2;
    const count = last ? L : n;
    const block = new Block(names);
    const { b, q, part } = prologue(block, count, w);
    const axes = first || last ? batchAxes(batchShape, b) : [];
    const blk = block.bind(idiv(q, R * Ns), '_blk');
    const rem = block.bind(irem(q, R * Ns), '_rem');
    const r = block.bind(idiv(rem, Ns), '_r');
    const jm = block.bind(irem(rem, Ns), '_jm');
    const j = block.bind(iadd(imul(blk, i32(Ns)), jm), '_j');
    const prev = previous && lineOf(previous, n);
    const v: Complex[] = [];
    for (let s = 0; s < R; s++) {
      const at = iadd(j, i32((s * n) / R));
      const x = bound(block, first ? spec.input(block, axes, block.bind(at)) : (prev as ReturnType<typeof lineOf>)(b, at));
      if (s === 0 || Ns === 1) v.push(x);
      else v.push(bound(block, cmul(x, bound(block, tableAt(tw, imul(jm, i32((s * n) / (R * Ns))), inverse)))));
    }
    let y: Complex;
    if (R === 2) {
      const sg = block.bind(sub(f(1), mul(f(2), cvt(r, 'f32'))));
      y = { re: add(v[0].re, mul(sg, v[1].re)), im: add(v[0].im, mul(sg, v[1].im)) };
    } else {
      const t0 = bound(block, { re: add(v[0].re, v[2].re), im: add(v[0].im, v[2].im) });
      const t1 = bound(block, { re: sub(v[0].re, v[2].re), im: sub(v[0].im, v[2].im) });
      const t2 = bound(block, { re: add(v[1].re, v[3].re), im: add(v[1].im, v[3].im) });
      // t3 = (v1 − v3)·(∓i): forward −i, inverse +i
      const d = { re: sub(v[1].re, v[3].re), im: sub(v[1].im, v[3].im) };
      const t3 = bound(block, inverse ? { re: neg(d.im), im: d.re } : { re: d.im, im: neg(d.re) });
      const pick = (c: 're' | 'im'): Expr =>
        select(bin('eq', r, i32(0)), add(t0[c], t2[c]), select(bin('eq', r, i32(1)), add(t1[c], t3[c]), select(bin('eq', r, i32(2)), sub(t0[c], t2[c]), sub(t1[c], t3[c]))));
      y = { re: pick('re'), im: pick('im') };
    }
    y = bound(block, y);
    write(block, last ? finish(block, y, axes, q) : y, w === 2 ? part : undefined);
    previous = sink.launch({ name: `${name}_r${R}s${stage}`, units: batch * count * w, unitCost: R, body: block.stmts });
    Ns *= R;
  });
  return previous as string;
}

/** Bluestein's FFT for any length (no scaling). */
function bluestein(spec: TransformSpec, sink: FftSink): string {
  const { name, batchShape, n, inverse } = spec;
  const m = nextPowerOfTwo(2 * n - 1);
  const chirpBuf = sink.table(`fft_chirp_${n}`, chirp(n));
  const filter = sink.table(`fft_bluestein_${n}_${m}${inverse ? '_inv' : ''}`, bluesteinFilterSpectrum(n, m, inverse));
  // a_j = x_j w_j for j < n, zero-padded to m (j mod n keeps the discarded read in range)
  const padded: LineReader = (block, batch, j) => {
    const jc = block.bind(irem(j, n));
    const prod = bound(block, cmul(bound(block, spec.input(block, batch, jc)), tableAt(chirpBuf, jc, inverse)));
    const inside = block.bind(bin('lt', j, i32(n)));
    return { re: select(inside, prod.re, f(0)), im: select(inside, prod.im, f(0)) };
  };
  const spectrum = stockham({ name: `${name}_fwd`, batchShape, n: m, inverse: false, input: padded }, sink);
  const flat = (axes: readonly Ix[]): Expr => {
    if (!batchShape.length) return i32(0);
    let e: Expr = i32(0);
    axes.forEach((a, i) => (e = iadd(imul(e, i32(batchShape[i])), (a as Ix & { kind: 'affine' }).base)));
    return e;
  };
  // B_k = A_k H_k, read by the inverse transform's first stage
  const filtered: LineReader = (block, batch, k) => cmul(bound(block, lineOf(spectrum, m)(flat(batch), k)), bound(block, tableAt(filter, k)));
  // X_k = w_k c_k / m
  const post: Finish = (block, v, batch, q) => {
    const x = bound(block, cmul(v, bound(block, tableAt(chirpBuf, q, inverse))));
    const scaled = { re: mul(x.re, f(1 / m)), im: mul(x.im, f(1 / m)) };
    return spec.finish ? spec.finish(block, bound(block, scaled), batch, q) : scaled;
  };
  return stockham({ name: `${name}_inv`, batchShape, n: m, inverse: true, input: filtered, outputLength: spec.outputLength ?? n, width: spec.width, finish: post }, sink);
}

/** Length-n transform of the last axis, scaled by 1/n when inverse (Stockham or Bluestein). */
export function transform(spec: TransformSpec, sink: FftSink): string {
  const { n } = spec;
  const finish: Finish | undefined = spec.inverse && n > 1
    ? (block, v, batch, q) => {
        const s = { re: mul(v.re, f(1 / n)), im: mul(v.im, f(1 / n)) };
        return spec.finish ? spec.finish(block, bound(block, s), batch, q) : s;
      }
    : spec.finish;
  const s = { ...spec, finish };
  return isPowerOfTwo(n) ? stockham(s, sink) : bluestein(s, sink);
}

/** numpy's rfft of real lines of length n: [batch, n//2 + 1] c64. */
export function realTransform(name: string, batchShape: readonly number[], n: number, input: LineReader, sink: FftSink): string {
  const bins = Math.floor(n / 2) + 1;
  if (n % 2 === 1) return transform({ name, batchShape, n, inverse: false, input, outputLength: bins }, sink);
  const h = n / 2;
  const packed: LineReader = (block, batch, k) => {
    const at = block.bind(imul(k, i32(2)));
    return { re: block.bind(input(block, batch, at).re), im: block.bind(input(block, batch, iadd(at, i32(1))).re) };
  };
  const Z = transform({ name: `${name}_half`, batchShape, n: h, inverse: false, input: packed }, sink);
  const tw = sink.table(`fft_twiddles_${n}`, twiddles(n));
  const batch = batchShape.reduce((a, b) => a * b, 1);
  const block = new Block({ next: 0, prefix: '_f' });
  const { b, q, part } = prologue(block, bins, 2);
  const k = block.bind(irem(q, h));
  const mm = block.bind(irem(isub(i32(h), k), h));
  const zk = bound(block, lineOf(Z, h)(b, k));
  const zm = bound(block, lineOf(Z, h)(b, mm));
  const w = bound(block, tableAt(tw, q));
  const e = bound(block, { re: mul(add(zk.re, zm.re), f(0.5)), im: mul(sub(zk.im, zm.im), f(0.5)) });
  const o = bound(block, { re: mul(add(zk.im, zm.im), f(0.5)), im: mul(sub(zm.re, zk.re), f(0.5)) });
  write(block, { re: sub(add(e.re, mul(w.re, o.re)), mul(w.im, o.im)), im: add(add(e.im, mul(w.re, o.im)), mul(w.im, o.re)) }, part);
  return sink.launch({ name: `${name}_split`, units: batch * bins * 2, unitCost: 1, body: block.stmts });
}

/** numpy's irfft of spectra [batch, n//2 + 1] to real lines of length n: [batch, n] f32 (a buffer of that many floats). */
export function inverseRealTransform(name: string, batchShape: readonly number[], n: number, input: LineReader, sink: FftSink): string {
  const bins = Math.floor(n / 2) + 1;
  if (n % 2 === 1) {
    // Y_k = X_k (k <= n/2) or conj(X_{n−k}); the imaginary part of X_0 ignored
    const spectrum: LineReader = (block, batch, k) => {
      const low = block.bind(bin('le', k, i32(bins - 1)));
      const x = bound(block, input(block, batch, block.bind(select(low, k, isub(i32(n), k)))));
      return { re: x.re, im: select(bin('eq', k, i32(0)), f(0), select(low, x.im, neg(x.im))) };
    };
    return transform({ name, batchShape, n, inverse: true, input: spectrum, width: 1 }, sink);
  }
  const h = n / 2;
  const tw = sink.table(`fft_twiddles_${n}`, twiddles(n));
  const packed: LineReader = (block, batch, k) => {
    const first = block.bind(bin('eq', k, i32(0)));
    const xk = bound(block, input(block, batch, k));
    const xm = bound(block, input(block, batch, block.bind(isub(i32(h), k))));
    const xki = block.bind(select(first, f(0), xk.im)), xmi = block.bind(select(first, f(0), xm.im));
    const w = bound(block, tableAt(tw, k));
    // A = Xk + conj(Xm), B = Xk − conj(Xm), O = B conj(W^k) / 2, Z = A / 2 + i O
    const a = bound(block, { re: add(xk.re, xm.re), im: sub(xki, xmi) });
    const bb = bound(block, { re: sub(xk.re, xm.re), im: add(xki, xmi) });
    const o = bound(block, { re: mul(add(mul(bb.re, w.re), mul(bb.im, w.im)), f(0.5)), im: mul(sub(mul(bb.im, w.re), mul(bb.re, w.im)), f(0.5)) });
    return { re: sub(mul(a.re, f(0.5)), o.im), im: add(mul(a.im, f(0.5)), o.re) };
  };
  // complex output element h carries samples 2h (re) and 2h + 1 (im)
  return transform({ name: `${name}_half`, batchShape, n: h, inverse: true, input: packed }, sink);
}
