/**
 * Stockham autosort FFT for power-of-two lengths, batched over the leading
 * axes, one kernel per stage, gather form (one output float per thread).
 *
 * Stage with radix R and span Ns (the product of the earlier radices),
 * following Govindaraju et al., "High Performance Discrete Fourier
 * Transforms on Graphics Processors" (2008): output element q decomposes as
 * q = blk * R * Ns + r * Ns + jm, and with j = blk * Ns + jm
 *
 *   v_s   = x[j + s * n / R] * W^(s * jm * n / (R * Ns))   (s = 0 .. R-1)
 *   y[q]  = sum_s v_s * exp(sign * 2 pi i * s * r / R)
 *
 * with W = exp(sign * 2 pi i / n) read from a host table. No bit reversal:
 * the last stage writes natural order, so it may stop at `outputLength`
 * elements and apply an epilogue (the first stage reads through the input
 * operand, so producers fuse in). Radix 4 is the default (one radix-2 stage
 * first when log2 n is odd); radix 2 throughout is available for comparison.
 */
import { type Epilogue, type Operand, type Part, identityEpilogue, operandOf, widthOf } from '../operand';
import { type Binding, PlanBuilder, mergeBindings } from '../plan';
import { type Shape, indent, int, product, unravelStatements } from '../source';
import { elementwise } from './elementwise';
import { isPowerOfTwo, twiddles } from './fft-tables';

export interface StockhamOptions {
  readonly name?: string;
  /** Shape [...batch, n], n a power of two; f32 input reads as im = 0. */
  readonly input: Operand;
  /** Sign of the exponent: forward exp(-2 pi i ...), inverse exp(+2 pi i ...). No scaling. */
  readonly inverse?: boolean;
  readonly radix?: 2 | 4;
  /** Elements per batch written by the last stage (default n). */
  readonly outputLength?: number;
  /** Applied to the last stage's value; coords are [...batch, k]. */
  readonly epilogue?: Epilogue;
}

/** Radices of the stages, first to last. */
export function stockhamRadices(n: number, radix: 2 | 4): number[] {
  const stages: number[] = [];
  let rest = n;
  if (radix === 4 && Math.log2(n) % 2 === 1) {
    stages.push(2);
    rest /= 2;
  }
  while (rest > 1) {
    const r = radix === 4 && rest >= 4 ? 4 : 2;
    stages.push(r);
    rest /= r;
  }
  return stages;
}

interface StageGeometry {
  readonly n: number;
  readonly R: number;
  readonly Ns: number;
  readonly inverse: boolean;
}

/** Statements computing _yr/_yi, the stage output at _q, from loads `x(s)` = [re, im]. */
function butterfly(g: StageGeometry, x: (s: number) => readonly [string, string]): string[] {
  const { n, R, Ns, inverse } = g;
  const lines = [
    `const _blk = Math.floor(_q / ${int(R * Ns)});`,
    `const _rem = _q - _blk * ${int(R * Ns)};`,
    `const _r = Math.floor(_rem / ${int(Ns)});`,
    `const _jm = _rem - _r * ${int(Ns)};`,
    `const _j = _blk * ${int(Ns)} + _jm;`,
  ];
  const twSign = inverse ? '-' : '';
  for (let s = 0; s < R; s++) {
    const [xr, xi] = x(s);
    lines.push(`const _xr${s} = ${xr};`, `const _xi${s} = ${xi};`);
    if (s === 0 || Ns === 1) {
      lines.push(`const _vr${s} = _xr${s};`, `const _vi${s} = _xi${s};`);
    } else {
      const idx = `_jm * ${int((s * n) / (R * Ns))}`;
      lines.push(
        `const _wr${s} = _tw[(${idx}) * 2];`,
        `const _wi${s} = ${twSign}_tw[(${idx}) * 2 + 1];`,
        `const _vr${s} = _xr${s} * _wr${s} - _xi${s} * _wi${s};`,
        `const _vi${s} = _xr${s} * _wi${s} + _xi${s} * _wr${s};`,
      );
    }
  }
  if (R === 2) {
    lines.push('const _sg = 1.0 - 2.0 * _r;', 'const _yr = _vr0 + _sg * _vr1;', 'const _yi = _vi0 + _sg * _vi1;');
    return lines;
  }
  // radix 4: t3 = (v1 - v3) * (sign * i), sign = -1 forward
  const s = inverse ? 1 : -1;
  lines.push(
    'const _t0r = _vr0 + _vr2;', 'const _t0i = _vi0 + _vi2;',
    'const _t1r = _vr0 - _vr2;', 'const _t1i = _vi0 - _vi2;',
    'const _t2r = _vr1 + _vr3;', 'const _t2i = _vi1 + _vi3;',
    `const _t3r = ${s === -1 ? '' : '-'}(_vi1 - _vi3);`, `const _t3i = ${s === -1 ? '-' : ''}(_vr1 - _vr3);`,
    'let _yr = _t0r + _t2r;', 'let _yi = _t0i + _t2i;',
    'if (_r == 1) {', '  _yr = _t1r + _t3r;', '  _yi = _t1i + _t3i;', '}',
    'if (_r == 2) {', '  _yr = _t0r - _t2r;', '  _yi = _t0i - _t2i;', '}',
    'if (_r == 3) {', '  _yr = _t1r - _t3r;', '  _yi = _t1i - _t3i;', '}',
  );
  return lines;
}

export function stockhamFFT(builder: PlanBuilder, opts: StockhamOptions): Operand {
  const name = opts.name ?? 'fft';
  const where = `stockhamFFT '${name}'`;
  const { input } = opts;
  const shape = input.shape;
  const n = shape[shape.length - 1];
  if (!isPowerOfTwo(n)) throw new Error(`${where}: length ${n} is not a power of two (use fft, which falls back to Bluestein)`);
  const batchShape: Shape = shape.slice(0, -1);
  const batch = product(batchShape);
  const L = opts.outputLength ?? n;
  if (!Number.isInteger(L) || L < 1 || L > n) throw new Error(`${where}: outputLength ${L} must be in 1..${n}`);
  const epilogue = opts.epilogue ?? identityEpilogue('c64');
  const inverse = opts.inverse ?? false;
  const outShape = [...batchShape, L];

  if (n === 1) {
    return elementwise(builder, {
      name: `${name}_n1`,
      internal: true,
      shape: outShape,
      dtype: epilogue.dtype,
      bindings: mergeBindings(where, input.bindings, epilogue.bindings),
      body: (coords, part) => ({
        value: epilogue.apply({ re: input.read(coords, 're'), im: input.read(coords, 'im') }, coords, part),
      }),
    });
  }

  const radices = stockhamRadices(n, opts.radix ?? 4);
  const tw = builder.constant(`fft_twiddles_${n}`, twiddles(n));
  const batchU = unravelStatements('_b', batchShape, '_bi');
  let previous: ReturnType<PlanBuilder['launch']> | null = null;
  let Ns = 1;
  radices.forEach((R, stage) => {
    const first = stage === 0;
    const last = stage === radices.length - 1;
    const width = last ? widthOf(epilogue.dtype) : 2;
    const count = last ? L : n;
    const prologue = [
      'const _cell = this.thread.x;',
      `const _b = Math.floor(_cell / ${int(count * width)});`,
      `const _rb = _cell - _b * ${int(count * width)};`,
      width === 2 ? 'const _q = Math.floor(_rb / 2);' : 'const _q = _rb;',
      width === 2 ? 'const _part = _rb - _q * 2;' : '',
      ...(first || last ? batchU.statements : []),
    ].filter((l) => l !== '');
    const load = (s: number): [string, string] => {
      const idx = `_j + ${int((s * n) / R)}`;
      if (first) {
        const coords = [...batchU.coords, idx];
        return [input.read(coords, 're'), input.read(coords, 'im')];
      }
      return [`_x[_b * ${int(2 * n)} + (${idx}) * 2]`, `_x[_b * ${int(2 * n)} + (${idx}) * 2 + 1]`];
    };
    const core = butterfly({ n, R, Ns, inverse }, load);
    let ret: string;
    if (last) {
      const coords = [...batchU.coords, '_q'];
      const value = { re: '_yr', im: '_yi' };
      const comp = (part: Part) => epilogue.apply(value, coords, part);
      ret = width === 2 ? `if (_part == 0) {\n${indent(`return ${comp('re')};`)}\n}\nreturn ${comp('im')};` : `return ${comp('re')};`;
    } else {
      ret = 'if (_part == 0) {\n  return _yr;\n}\nreturn _yi;';
    }
    const bindings: Binding[][] = [first ? [...input.bindings] : [{ param: '_x', buffer: previous! }]];
    if (Ns > 1 && R > 1) bindings.push([{ param: '_tw', buffer: tw }]);
    if (last) bindings.push([...epilogue.bindings]);
    const body = [...prologue, ...core, ret].join('\n');
    previous = builder.launch(`${name}_r${R}s${stage}`, mergeBindings(where, ...bindings), body, [batch * count * width]);
    Ns *= R;
  });
  return operandOf(previous!, outShape, epilogue.dtype);
}
