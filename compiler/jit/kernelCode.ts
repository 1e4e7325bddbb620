/**
 * Kernel lowering of the non-fusible primitives. Each instantiates a template of kernels/
 * (tiled matmul with the backend's measured strategy, tree reductions and scans, Stockham and
 * Bluestein FFTs, real FFTs through a half-length complex FFT) whose operand reads may be fused
 * expressions. scatter-add, and the direct forms kept for reference (a fold over the prefix per
 * output, a direct DFT sum), are plain loops per output element.
 */
import { elementwise, type Emitted } from '../../kernels/templates/elementwise';
import type { Dtype, Operand, Part } from '../../kernels/operand';
import { mergeBindings, type PlanBuilder } from '../../kernels/plan';
import type { AVal } from '../ir';
import type { PrimParams } from '../primitives';
import { sizeOf, stridesOf } from '../shape';
import { combineStatements } from './combineCode';
import { matmul as tiledMatmul, matmulStrategy } from '../../kernels/templates/matmul';
import { reduce as treeReduce } from '../../kernels/templates/reduce';
import { cumulativeSum } from '../../kernels/templates/cumulative-sum';
import { linearRecurrence } from '../../kernels/templates/linear-recurrence';
import { associativeScan as treeScan } from '../../kernels/templates/associative-scan';
import { fft as fftTemplate } from '../../kernels/templates/fft';
import { irfft as irfftTemplate, rfft as rfftTemplate } from '../../kernels/templates/fft-real';
import { combineExpressions } from './combineCode';
import type { KernelLowering } from './codegen';

const int = (n: number): string => `${n}.0`;
const storage = (a: AVal): Dtype => (a.dtype === 'c64' ? 'c64' : 'f32');
const bindingsOf = (where: string, ops: readonly Operand[]) => mergeBindings(where, ...ops.map((o) => o.bindings));

/** Coordinates of flat index `r` within `shape`, as expressions. */
function unravelCoords(r: string, shape: readonly number[]): string[] {
  const st = stridesOf(shape);
  return shape.map((d, i) => (d === 1 ? '0.0' : i === 0 ? `Math.floor(${r} / ${int(st[i])})` : `(Math.floor(${r} / ${int(st[i])}) - Math.floor(${r} / ${int(st[i] * d)}) * ${int(d)})`));
}

function launch(b: PlanBuilder, name: string, out: AVal, inputs: readonly Operand[], body: (coords: readonly string[], part: Part) => Emitted): Operand {
  return elementwise(b, { name, shape: out.shape.length ? out.shape : [1], dtype: storage(out), bindings: bindingsOf(name, inputs), body: (c, p) => body(out.shape.length ? c : [], p) });
}

/** Input coordinates of a reduction: output coords for kept axes, `reduced` for the others. */
function reductionCoords(inShape: readonly number[], axes: readonly number[], outCoords: readonly string[], reduced: readonly string[]): string[] {
  let k = 0;
  let r = 0;
  return inShape.map((_, i) => (axes.includes(i) ? reduced[r++] : outCoords[k++]));
}

function reduce(kind: 'sum' | 'max') {
  return (b: PlanBuilder, [x]: readonly Operand[], { axes }: { axes: readonly number[] }, [out]: readonly AVal[]): Operand[] => {
    const redShape = axes.map((a) => x.shape[a]);
    const R = sizeOf(redShape);
    return [
      launch(b, `reduce_${kind}`, out, [x], (coords, part) => {
        const read = x.read(reductionCoords(x.shape, axes, coords, unravelCoords('_r', redShape)), part);
        const step = kind === 'sum' ? `_acc += ${read};` : `_acc = Math.max(_acc, ${read});`;
        return { statements: [`let _acc = ${kind === 'sum' ? '0.0' : '-3.4028234663852886e38'};`, `for (let _r = 0; _r < ${R}; _r++) {`, `  ${step}`, '}'], value: '_acc' };
      }),
    ];
  };
}

const argmax: KernelLowering<'argmax'> = (b, [x], { axis }, [out]) => {
  const n = x.shape[axis];
  return [
    launch(b, 'argmax', out, [x], (coords) => {
      const read = x.read(reductionCoords(x.shape, [axis], coords, ['_r']), 're');
      return {
        statements: ['let _best = -3.4028234663852886e38;', 'let _arg = 0.0;', `for (let _r = 0; _r < ${n}; _r++) {`, `  const _x = ${read};`, '  if (_x > _best) {', '    _best = _x;', '    _arg = _r;', '  }', '}'],
        value: '_arg',
      };
    }),
  ];
};

const matmul: KernelLowering<'matmul'> = (b, [x, y], _p, [out]) => {
  const r = x.shape.length;
  const K = x.shape[r - 1];
  const complex = out.dtype === 'c64';
  return [
    launch(b, 'matmul', out, [x, y], (coords, part) => {
      const batch = coords.slice(0, r - 2);
      const [i, j] = [coords[r - 2], coords[r - 1]];
      const a = (p: Part) => x.read([...batch, i, '_k'], p);
      const c = (p: Part) => y.read([...batch, '_k', j], p);
      const term = !complex ? `${a('re')} * ${c('re')}` : part === 're' ? `${a('re')} * ${c('re')} - ${a('im')} * ${c('im')}` : `${a('re')} * ${c('im')} + ${a('im')} * ${c('re')}`;
      return { statements: ['let _acc = 0.0;', `for (let _k = 0; _k < ${K}; _k++) {`, `  _acc += ${term};`, '}'], value: '_acc' };
    }),
  ];
};

/** Loop over scan positions s = 0..n-1 in scan order, visiting those at or before the output's position. */
function prefixLoop(n: number, reverse: boolean, t: string, body: string[]): string[] {
  const pos = reverse ? `(${int(n - 1)} - _s)` : '_s';
  const cond = reverse ? `_j >= ${t}` : `_j <= ${t}`;
  return [`for (let _s = 0; _s < ${n}; _s++) {`, `  const _j = ${pos};`, `  if (${cond}) {`, ...body.map((l) => `    ${l}`), '  }', '}'];
}

const cumsum: KernelLowering<'cumsum'> = (b, [x], { axis, reverse }, [out]) => [
  launch(b, 'cumsum', out, [x], (coords, part) => {
    const read = x.read(coords.map((c, i) => (i === axis ? '_j' : c)), part);
    return { statements: ['let _acc = 0.0;', ...prefixLoop(x.shape[axis], reverse, coords[axis], [`_acc += ${read};`])], value: '_acc' };
  }),
];

const linrec: KernelLowering<'linrec'> = (b, [a, x], { axis, reverse }, [out]) => [
  launch(b, 'linrec', out, [a, x], (coords, part) => {
    const at = coords.map((c, i) => (i === axis ? '_j' : c));
    const body =
      out.dtype === 'c64'
        ? [`const _ar = ${a.read(at, 're')};`, `const _ai = ${a.read(at, 'im')};`, `const _nr = _ar * _xr - _ai * _xi + ${x.read(at, 're')};`, `_xi = _ar * _xi + _ai * _xr + ${x.read(at, 'im')};`, '_xr = _nr;']
        : [`_xr = ${a.read(at, 're')} * _xr + ${x.read(at, 're')};`];
    return { statements: ['let _xr = 0.0;', 'let _xi = 0.0;', ...prefixLoop(x.shape[axis], reverse, coords[axis], body)], value: part === 're' ? '_xr' : '_xi' };
  }),
];

const assocScan: KernelLowering<'assoc_scan'> = (b, xs, { axis, reverse, combine }, outs) =>
  outs.map((out, k) =>
    launch(b, `scan${k}`, out, xs, (coords, part) => {
      const at = coords.map((c, i) => (i === axis ? '_j' : c));
      const { init, step, result } = combineStatements(combine, xs, at, part);
      return { statements: [...init, ...prefixLoop(xs[0].shape[axis], reverse, coords[axis], step)], value: result[k] };
    }),
  );

/** Direct DFT along the last axis: X_k = Σ_j x_j e^{sign·2πi·jk/n}. */
function dft(x: Operand, n: number, coords: readonly string[], part: Part, sign: number, realInput: boolean, scale: number): Emitted {
  const last = coords.length - 1;
  const at = [...coords.slice(0, last), '_j'];
  const k = coords[last];
  const xr = x.read(at, 're');
  const xi = realInput ? '0.0' : x.read(at, 'im');
  // (xr + i·xi)(cos θ + i·sign·sin θ)
  const op = sign < 0 ? ['+', '-'] : ['-', '+'];
  const term = part === 're' ? `${xr} * _c ${op[0]} ${xi} * _sn` : `${xi} * _c ${op[1]} ${xr} * _sn`;
  return {
    statements: [
      'let _acc = 0.0;',
      `for (let _j = 0; _j < ${n}; _j++) {`,
      `  const _m = _j * ${k} - Math.floor(_j * ${k} / ${int(n)}) * ${int(n)};`,
      `  const _ang = 6.283185307179586 * _m / ${int(n)};`,
      '  const _c = Math.cos(_ang);',
      '  const _sn = Math.sin(_ang);',
      `  _acc += ${term};`,
      '}',
    ],
    value: scale === 1 ? '_acc' : `_acc / ${int(scale)}`,
  };
}

const fft: KernelLowering<'fft'> = (b, [x], { inverse }, [out]) => {
  const n = x.shape[x.shape.length - 1];
  return [launch(b, inverse ? 'ifft' : 'fft', out, [x], (coords, part) => dft(x, n, coords, part, inverse ? 1 : -1, false, inverse ? n : 1))];
};

const rfft: KernelLowering<'rfft'> = (b, [x], _p, [out]) => {
  const n = x.shape[x.shape.length - 1];
  return [launch(b, 'rfft', out, [x], (coords, part) => dft(x, n, coords, part, -1, true, 1))];
};

/** x_j = (1/n) Σ_k w_k Re(X_k e^{2πi jk/n}), w = 1 at DC and Nyquist, 2 between. */
const irfft: KernelLowering<'irfft'> = (b, [X], { n }, [out]) => {
  const m = X.shape[X.shape.length - 1];
  return [
    launch(b, 'irfft', out, [X], (coords) => {
      const last = coords.length - 1;
      const at = [...coords.slice(0, last), '_k'];
      const j = coords[last];
      return {
        statements: [
          'let _acc = 0.0;',
          `for (let _k = 0; _k < ${m}; _k++) {`,
          `  const _m = _k * ${j} - Math.floor(_k * ${j} / ${int(n)}) * ${int(n)};`,
          `  const _ang = 6.283185307179586 * _m / ${int(n)};`,
          `  const _w = (_k == 0 || _k * 2 == ${n}) ? 1.0 : 2.0;`,
          `  _acc += _w * (${X.read(at, 're')} * Math.cos(_ang) - ${X.read(at, 'im')} * Math.sin(_ang));`,
          '}',
        ],
        value: `_acc / ${int(n)}`,
      };
    }),
  ];
};

const scatterAdd: KernelLowering<'scatter_add'> = (b, [upd, idx], { axis }, [out]) => {
  const P = sizeOf(idx.shape);
  return [
    launch(b, 'scatter_add', out, [upd, idx], (coords, part) => {
      const p = unravelCoords('_p', idx.shape);
      const at = [...coords.slice(0, axis), ...p, ...coords.slice(axis + 1)];
      return {
        statements: ['let _acc = 0.0;', `for (let _p = 0; _p < ${P}; _p++) {`, `  if (${idx.read(p, 're')} == ${coords[axis]}) {`, `    _acc += ${upd.read(at, part)};`, '  }', '}'],
        value: '_acc',
      };
    }),
  ];
};

/** Reduction over several axes: one tree reduction per axis, the highest axis first. */
function treeReduction(op: 'sum' | 'max') {
  return (b: PlanBuilder, [x]: readonly Operand[], { axes }: { axes: readonly number[] }): Operand[] => {
    let cur = x;
    for (const axis of [...axes].sort((p, q) => q - p)) cur = treeReduce(b, { input: cur, axis, op });
    return [cur];
  };
}

/** A trailing-component view of a scan result with k components: operand `i` of the scan. */
function componentView(all: Operand, shape: readonly number[], dtype: Dtype, first: number): Operand {
  return {
    shape,
    dtype,
    bindings: all.bindings,
    read: (coords, part) => (dtype === 'f32' && part === 'im' ? '0.0' : all.read([...coords, String(part === 're' ? first : first + 1)], 're')),
  };
}

const treeAssocScan: KernelLowering<'assoc_scan'> = (b, xs, { axis, reverse, combine }, outs) => {
  const widths = xs.map((x) => (x.dtype === 'c64' ? 2 : 1));
  const firsts = widths.map((_, i) => widths.slice(0, i).reduce((s, w) => s + w, 0));
  const k = widths.reduce((s, w) => s + w, 0);
  const all = treeScan(b, {
    name: 'scan',
    shape: xs[0].shape,
    axis,
    reverse,
    components: k,
    bindings: bindingsOf('scan', xs),
    element: (coords) => xs.flatMap((x) => (x.dtype === 'c64' ? [x.read(coords, 're'), x.read(coords, 'im')] : [x.read(coords, 're')])),
    combine: (l, r) => combineExpressions(combine, widths, l, r),
    output: k === 1 ? { components: [0], dtype: 'f32' } : { components: Array.from({ length: k }, (_, i) => i), dtype: 'f32' },
  });
  if (k === 1) return [all];
  return outs.map((o, i) => componentView(all, xs[0].shape, storage(o), firsts[i]));
};

/** The lowering table used by the code generator (templates of kernels/). */
export const kernelCode: { [P in keyof PrimParams]?: KernelLowering<P> } = {
  reduce_sum: treeReduction('sum'),
  reduce_max: treeReduction('max'),
  argmax: (b, [x], { axis }) => [treeReduce(b, { input: x, axis, op: 'argmax' })],
  matmul: (b, [x, y], _p, _o, _i, ctx) => [tiledMatmul(b, { a: x, b: y, ...matmulStrategy(ctx.backend) })],
  cumsum: (b, [x], { axis, reverse }) => [cumulativeSum(b, { input: x, axis, reverse })],
  linrec: (b, [a, x], { axis, reverse }) => [linearRecurrence(b, { a, b: x, axis, reverse })],
  assoc_scan: treeAssocScan,
  fft: (b, [x], { inverse }) => [fftTemplate(b, { input: x, inverse })],
  rfft: (b, [x]) => [rfftTemplate(b, { input: x })],
  irfft: (b, [X], { n }) => [irfftTemplate(b, { input: X, n })],
  scatter_add: scatterAdd,
};

/** The direct forms: one loop per output element (O(n) per element for scans and DFTs). */
export const directKernelCode: { [P in keyof PrimParams]?: KernelLowering<P> } = {
  reduce_sum: reduce('sum'),
  reduce_max: reduce('max'),
  argmax,
  matmul,
  cumsum,
  linrec,
  assoc_scan: assocScan,
  fft,
  rfft,
  irfft,
  scatter_add: scatterAdd,
};
