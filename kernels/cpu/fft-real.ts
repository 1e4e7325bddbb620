/**
 * The elementwise steps of the real transforms on the CPU (the half-length FFTs between them
 * are the complex ones):
 *
 * rfft, even n = 2h: the reals read as z_j = x_{2j} + i·x_{2j+1}, Z = FFT_h(z), then `rfftSplit`
 *   E_k = (Z_k + conj Z_{h-k}) / 2,  O_k = -i (Z_k - conj Z_{h-k}) / 2,  X_k = E_k + W_n^k O_k
 * for k = 0 .. h (indices of Z mod h), W_n = exp(-2πi/n).
 *
 * irfft, even n: `irfftMerge` inverts the split, ignoring Im X_0 and Im X_h as the interpreter
 * does,
 *   Z_k = E_k + i·O_k,  E_k = (X_k + conj X_{h-k}) / 2,  O_k = (X_k - conj X_{h-k}) W_n^{-k} / 2,
 * and IFFT_h(Z)_j = x_{2j} + i·x_{2j+1} (written as the real pairs).
 *
 * irfft, odd n: `hermitianExtend` writes the full spectrum Y_k = X_k (k ≤ n/2, Im X_0 = 0) or
 * conj X_{n-k}, for a complex inverse transform whose real part is the result.
 *
 * Mirrored reads (index h - k) are vector loads of stride -1.
 */
import { type Expr, Block, bin, i32, isub, mul, neg, select } from '../ir/build';
import { type Complex, type Num, type RowIO, cbind, cmul, num, planarTable, tableAt, unitRoot } from './fft-ports';
import { type Step, elementPass } from './fft-pipeline';
import type { TemplateContext } from './template';

const eq = (a: Expr, v: number): Expr => bin('eq', a, i32(v));

export function rfftSplit(ctx: TemplateContext, n: number): Step {
  const h = n / 2;
  const tw = ctx.constant(planarTable(h + 1, (k) => unitRoot(-k, n)), `rfft twiddles n=${n}`);
  const split = (b: Block, dst: RowIO, k: Expr, zk: Complex, zm: Complex, t: Num): void => {
    const half = num(t, 0.5);
    const e: Complex = [b.bind(mul(bin('add', zk[0], zm[0]), half), 'er'), b.bind(mul(bin('sub', zk[1], zm[1]), half), 'ei')];
    const o: Complex = [mul(bin('add', zk[1], zm[1]), half), mul(bin('sub', zm[0], zk[0]), half)];
    const wo = cmul(cbind(b, tableAt(tw, 0, h + 1, k, t), 'w'), cbind(b, o, 'o'));
    dst.write(b, k, [bin('add', e[0], wo[0]), bin('add', e[1], wo[1])]);
  };
  return elementPass('rfft_split', h + 1, h + 1, 24, [{
    cond: (k0) => bin('and', bin('ge', k0, i32(4)), bin('le', k0, i32(h - 4))),
    emit: (b, src, dst, k0) =>
      split(b, dst, k0, cbind(b, src.read(k0, 'f32x4'), 'zk'), cbind(b, src.read(isub(i32(h), k0), 'f32x4', -1), 'zm'), 'f32x4'),
  }], (b, src, dst, k) => {
    // Z is periodic: Z_h = Z_0
    const zk = cbind(b, src.read(b.bind(select(eq(k, h), i32(0), k), 'kk'), 'f32'), 'zk');
    const zm = cbind(b, src.read(b.bind(select(eq(k, 0), i32(0), isub(i32(h), k)), 'km'), 'f32'), 'zm');
    split(b, dst, k, zk, zm, 'f32');
  });
}

export function irfftMerge(ctx: TemplateContext, n: number): Step {
  const h = n / 2;
  const tw = ctx.constant(planarTable(h, (k) => unitRoot(k, n)), `irfft twiddles n=${n}`);
  const merge = (b: Block, dst: RowIO, k: Expr, xk: Complex, xm: Complex, t: Num): void => {
    const half = num(t, 0.5);
    const bk: Complex = [bin('sub', xk[0], xm[0]), bin('add', xk[1], xm[1])];
    const o = cbind(b, cmul(cbind(b, bk, 'b'), cbind(b, tableAt(tw, 0, h, k, t), 'w')), 'o');
    const a: Complex = [bin('add', xk[0], xm[0]), bin('sub', xk[1], xm[1])];
    dst.write(b, k, [bin('sub', mul(a[0], half), mul(o[1], half)), bin('add', mul(a[1], half), mul(o[0], half))]);
  };
  return elementPass('irfft_merge', h, h, 24, [{
    cond: (k0) => bin('ge', k0, i32(4)),
    emit: (b, src, dst, k0) =>
      merge(b, dst, k0, cbind(b, src.read(k0, 'f32x4'), 'xk'), cbind(b, src.read(isub(i32(h), k0), 'f32x4', -1), 'xm'), 'f32x4'),
  }], (b, src, dst, k) => {
    // k = 0 pairs X_0 with X_h: both imaginary parts are ignored
    const first = b.bind(eq(k, 0), 'k0');
    const zero = num('f32', 0);
    const xk = src.read(k, 'f32');
    const xm = src.read(isub(i32(h), k), 'f32');
    merge(b, dst, k, cbind(b, [xk[0], select(first, zero, xk[1])], 'xk'), cbind(b, [xm[0], select(first, zero, xm[1])], 'xm'), 'f32');
  });
}

export function hermitianExtend(n: number): Step {
  const bins = Math.floor(n / 2) + 1;
  return elementPass('hermitian', n, n, 6, [
    {
      cond: (k0) => bin('and', bin('ge', k0, i32(4)), bin('le', k0, i32(bins - 4))),
      emit: (b, src, dst, k0) => dst.write(b, k0, src.read(k0, 'f32x4')),
    },
    {
      cond: (k0) => bin('ge', k0, i32(bins)),
      emit: (b, src, dst, k0) => {
        const z = src.read(isub(i32(n), k0), 'f32x4', -1);
        dst.write(b, k0, [z[0], neg(z[1])]);
      },
    },
  ], (b, src, dst, k) => {
    const direct = b.bind(bin('lt', k, i32(bins)), 'lo');
    const z = cbind(b, src.read(b.bind(select(direct, k, isub(i32(n), k)), 'kk'), 'f32'), 'x');
    dst.write(b, k, [z[0], select(eq(k, 0), num('f32', 0), select(direct, z[1], neg(z[1])))]);
  });
}
