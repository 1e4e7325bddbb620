/**
 * Bluestein's chirp-z transform for lengths that are not powers of two. With the chirp
 * c_k = exp(σ·πi·k²/n) (σ = -1 forward) and jk = (j² + k² - (k-j)²)/2,
 *
 *   X_k = c_k · Σ_j (x_j c_j) · conj(c_{k-j}),
 *
 * a circular convolution once zero-padded to m ≥ 2n - 1 (a power of two):
 *
 *   a_j = x_j c_j (j < n, else 0),   X_k = c_k · IFFT_m(FFT_m(a) · H)_k / m,
 *
 * H = FFT_m(h), h_d = conj(c_d) for |d| < n (indices mod m). Steps: the premultiplication
 * (writing the padded a), the forward Stockham stages with the product by H on the last one,
 * the inverse stages, and the postmultiplication by c_k·scale/m for the first `count` outputs.
 * The chirp, H and the postmultiplier are float64-computed constant tables.
 */
import { type Expr, Block, bin, i32 } from '../ir/build';
import { type Complex, type Num, type RowIO, cbind, cmul, num, planarTable, tableAt, unitRoot } from './fft-ports';
import { type Step, elementPass } from './fft-pipeline';
import { stockhamSteps } from './fft-stockham';
import { fftRadix2InPlace, nextPowerOfTwo } from '../fft-tables';
import type { TemplateContext } from './template';

/** c_k = exp(σ·πi·k²/n), k² reduced mod 2n as it is accumulated (exact for any n). */
function chirp(n: number, sign: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let k = 0, sq = 0; k < n; k++) {
    out.push(unitRoot(sign * sq, 2 * n));
    sq = (sq + 2 * k + 1) % (2 * n);
  }
  return out;
}

interface Tables {
  readonly chirp: Float32Array;
  readonly filter: Float32Array;
  readonly post: Float32Array;
}
const cache = new Map<string, Tables>();

function tables(n: number, m: number, inverse: boolean): Tables {
  const key = `${n}:${inverse}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const c = chirp(n, inverse ? 1 : -1);
  const re = new Float64Array(m);
  const im = new Float64Array(m);
  for (let d = 0; d < n; d++) {
    re[d] = re[(m - d) % m] = c[d][0];
    im[d] = im[(m - d) % m] = -c[d][1];
  }
  fftRadix2InPlace(re, im, -1);
  const scale = (inverse ? 1 / n : 1) / m;
  const t = {
    chirp: planarTable(n, (k) => c[k]),
    filter: planarTable(m, (k) => [re[k], im[k]]),
    post: planarTable(n, (k) => [c[k][0] * scale, c[k][1] * scale]),
  };
  cache.set(key, t);
  return t;
}

/**
 * The transform of length n (any n ≥ 2; scaled by 1/n when inverse) keeping outputs
 * 0 .. count-1, reading its input through the first step and writing through the last.
 */
export function bluesteinSteps(ctx: TemplateContext, n: number, inverse: boolean, count: number): Step[] {
  const m = nextPowerOfTwo(2 * n - 1);
  const t = tables(n, m, inverse);
  const dir = inverse ? ' inverse' : '';
  const chirpBuf = ctx.constant(t.chirp, `bluestein chirp n=${n}${dir}`);
  const filterBuf = ctx.constant(t.filter, `bluestein filter spectrum n=${n} m=${m}${dir}`);
  const postBuf = ctx.constant(t.post, `bluestein postmultiplier n=${n}${dir}`);

  const premultiply = (b: Block, src: RowIO, dst: RowIO, j: Expr, t: Num): void =>
    dst.write(b, j, cmul(cbind(b, src.read(j, t), 'x'), cbind(b, tableAt(chirpBuf, 0, n, j, t), 'c')));
  const zero = (t: Num): Complex => [num(t, 0), num(t, 0)];
  const pre = elementPass('chirp', m, m, 12, [
    { cond: (k0) => bin('le', k0, i32(n - 4)), emit: (b, src, dst, k0) => premultiply(b, src, dst, k0, 'f32x4') },
    { cond: (k0) => bin('ge', k0, i32(n)), emit: (b, _src, dst, k0) => dst.write(b, k0, zero('f32x4')) },
  ], (b, src, dst, j) => b.if(bin('lt', j, i32(n)), (tb) => premultiply(tb, src, dst, j, 'f32'), (eb) => dst.write(eb, j, zero('f32'))));

  const filter = (b: Block, k: Expr, z: Complex, t: Num, stride: number): Complex =>
    cmul(cbind(b, z, 'y'), cbind(b, tableAt(filterBuf, 0, m, k, t, stride), 'h'));
  const postmultiply = (b: Block, src: RowIO, dst: RowIO, k: Expr, t: Num): void =>
    dst.write(b, k, cmul(cbind(b, src.read(k, t), 'y'), cbind(b, tableAt(postBuf, 0, n, k, t), 'c')));
  const post = elementPass('unchirp', count, count, 12,
    [{ cond: () => null, emit: (b, src, dst, k0) => postmultiply(b, src, dst, k0, 'f32x4') }],
    (b, src, dst, k) => postmultiply(b, src, dst, k, 'f32'));

  return [pre, ...stockhamSteps(ctx, m, false, filter), ...stockhamSteps(ctx, m, true), post];
}
