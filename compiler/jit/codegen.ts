/**
 * The codegen rule table: one entry per primitive, saying how it becomes kernels.
 *  - elementwise: a value from input values (fused anywhere; its kernel-IR rule is in
 *    cpu/exprRules.ts, shared by every backend);
 *  - view: an index mapping from output to input coordinates (fused anywhere; cpu/emit.ts);
 *  - kernel: a template instance writing a buffer (matmul, reductions, scans, FFTs, scatter);
 *  - host: evaluated by the interpreter before launch (random bits, from a concrete key).
 */
import type { Operand } from '../../kernels/operand';
import type { PlanBuilder } from '../../kernels/plan';
import type { GpuJsBackend } from '../../kernels/backends';
import type { AVal } from '../ir';
import type { Prim, PrimParams, PrimTable } from '../primitives';
import { exprRules } from './cpu/exprRules';

export interface LowerContext {
  readonly backend: GpuJsBackend;
}

export type KernelLowering<P extends Prim> = (
  b: PlanBuilder,
  inputs: readonly Operand[],
  params: PrimParams[P],
  outAvals: readonly AVal[],
  inAvals: readonly AVal[],
  ctx: LowerContext,
) => Operand[];

export type CodegenRule<P extends Prim> =
  | { readonly kind: 'elementwise' }
  | { readonly kind: 'view' }
  | { readonly kind: 'kernel'; readonly lower: KernelLowering<P> }
  | { readonly kind: 'host' };

function ew<P extends Prim>(p: P): CodegenRule<P> {
  if (!exprRules[p]) throw new Error(`codegen: no elementwise rule for '${p}'`);
  return { kind: 'elementwise' };
}
const view = <P extends Prim>(_p: P): CodegenRule<P> => ({ kind: 'view' });
/** A kernel primitive that lower.ts builds as kernel IR itself (reductions: gpuReduce.ts; scatter-add: gpuScatter.ts; matmul: gpuMatmul.ts; scans: gpuScan.ts; FFTs: gpuFft.ts). */
const irKernel = <P extends Prim>(p: P): CodegenRule<P> => ({
  kind: 'kernel',
  lower: () => {
    throw new Error(`codegen: '${p}' is lowered as kernel IR by compiler/jit/lower.ts`);
  },
});

/** Calls have no code of their own: lowering one means the pipeline did not inline it. */
function inlinedBeforeLowering<P extends Prim>(p: P): CodegenRule<P> {
  return {
    kind: 'kernel',
    lower: () => {
      throw new Error(`codegen: '${p}' equations are inlined by the pass pipeline before lowering; lowering one means the pipeline was skipped`);
    },
  };
}

export const codegenRules: PrimTable<{ [P in Prim]: CodegenRule<P> }> = {
  neg: ew('neg'),
  exp: ew('exp'),
  log: ew('log'),
  sin: ew('sin'),
  cos: ew('cos'),
  tanh: ew('tanh'),
  logistic: ew('logistic'),
  sqrt: ew('sqrt'),
  erf: ew('erf'),
  abs: ew('abs'),
  sign: ew('sign'),
  floor: ew('floor'),
  not: ew('not'),
  add: ew('add'),
  sub: ew('sub'),
  mul: ew('mul'),
  div: ew('div'),
  pow: ew('pow'),
  max: ew('max'),
  min: ew('min'),
  atan2: ew('atan2'),
  and: ew('and'),
  or: ew('or'),
  lt: ew('lt'),
  le: ew('le'),
  gt: ew('gt'),
  ge: ew('ge'),
  eq: ew('eq'),
  ne: ew('ne'),
  select: ew('select'),
  cast: ew('cast'),
  complex: ew('complex'),
  real: ew('real'),
  imag: ew('imag'),
  conj: ew('conj'),
  broadcast_in_dim: view('broadcast_in_dim'),
  reshape: view('reshape'),
  transpose: view('transpose'),
  slice: view('slice'),
  pad: view('pad'),
  concat: view('concat'),
  reverse: view('reverse'),
  gather: view('gather'),
  iota: view('iota'),
  scatter_add: irKernel('scatter_add'),
  reduce_sum: irKernel('reduce_sum'),
  reduce_max: irKernel('reduce_max'),
  argmax: irKernel('argmax'),
  matmul: irKernel('matmul'),
  cumsum: irKernel('cumsum'),
  linrec: irKernel('linrec'),
  assoc_scan: irKernel('assoc_scan'),
  fft: irKernel('fft'),
  rfft: irKernel('rfft'),
  irfft: irKernel('irfft'),
  random_bits: { kind: 'host' },
  // Removed by simplify before lowering; the identity should one reach codegen.
  stop_gradient: ew('stop_gradient'),
  // Calls are inlined by the pass pipeline (passes/inline.ts): none reaches lowering.
  custom_vjp: inlinedBeforeLowering('custom_vjp'),
  custom_jvp: inlinedBeforeLowering('custom_jvp'),
  checkpoint: inlinedBeforeLowering('checkpoint'),
};

export const codegenKind = (p: Prim): CodegenRule<Prim>['kind'] => codegenRules[p].kind;
