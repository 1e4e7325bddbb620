/**
 * Lowering for the gpu.js backends: an optimised IR becomes one kernel plan. Inputs and
 * captured constants become plan buffers; host equations (random bits) become extra plan
 * inputs computed before launch; every materialised variable becomes one kernel (a fused map,
 * or a template instance); the program outputs are packed into one buffer so a call does one
 * upload and one readback, or, for outputs kept on the device (`separateOutputs`), each is
 * written to a buffer of its own that a later call takes as an input as it is.
 *
 * Fused maps and the packing kernels are kernel IR (built by the value emitter the wasm
 * lowering uses, in scalar form: one unit per GPU thread) rendered by kernels/gpujs/render.ts.
 * The kernel primitives are kernel IR too, their operands read through the value emitter (a
 * fused producer is computed where it is read): reductions (gpuReduce.ts), scatter-add
 * (gpuScatter.ts), the matrix product (gpuMatmul.ts), scans (gpuScan.ts), FFTs (gpuFft.ts).
 */
import type { GpuJsBackend } from '../../kernels/backends';
import { describeBackend } from '../../kernels/capabilities';
import { type Dtype, type Operand, operandOf } from '../../kernels/operand';
import { type Binding, type BufferRef, type Dims, type KernelPlan, PlanBuilder } from '../../kernels/plan';
import { Block, START, bin, constant, cvt, i32, idiv, irem, isub, load, select } from '../../kernels/ir/build';
import type { Expr, Kernel, Listing } from '../../kernels/ir/types';
import { OUTPUT, renderGpuJsKernel } from '../../kernels/gpujs/render';
import type { View } from '../../kernels/cpu/template';
import type { AVal, ClosedIR, Eqn, IR, Var } from '../ir';
import { Lit } from '../ir';
import { lanes, type NDArray } from '../ndarray';
import type { Prim } from '../primitives';
import { sizeOf } from '../shape';
import { codegenRules, type CodegenRule } from './codegen';
import { Coords, type CpuEmitEnv, ValueEmitter } from './cpu/emit';
import { affine, type Ix } from './cpu/indexing';
import { type ElementReader, treeReduce, type TreeReduceOp } from './gpuReduce';
import { scatterAddKernel } from './gpuScatter';
import { recurrenceCombine, SCAN_FANOUT, type ScanCombine, type ScanReader, sumCombine, treeScan } from './gpuScan';
import { combineIR } from './combineCode';
import { type FftSink, type LineReader, inverseRealTransform, realTransform, transform } from './gpuFft';
import { buffersOf } from '../../kernels/ir/walk';
import { equationLister, fusedKernelName, templateKernelName } from './kernelNames';
import { schedule } from './schedule';
import { matmulKernel } from './gpuMatmul';
import { bufferReader } from './gpuPlan';

/** Where an output lives in the packed result (or, with separate outputs, which plan result it is). */
export interface OutputSlot {
  readonly aval: AVal;
  readonly offset: number;
  /** Set when the output is a literal (no kernel computes it). */
  readonly literal?: Lit;
  /** Index in `plan.results` of the output's own buffer (separate outputs only). */
  readonly result?: number;
}

export interface LoweredProgram {
  readonly plan: KernelPlan;
  readonly ir: IR;
  /** Equations evaluated on the host before launch, in program order. */
  readonly hostEqns: readonly Eqn[];
  /** Plan inputs: program arguments by index, or host-computed variables. */
  readonly planInputs: readonly ({ kind: 'arg'; index: number } | { kind: 'host'; v: Var })[];
  readonly outputs: readonly OutputSlot[];
  readonly packedLength: number;
}

const storage = (a: AVal): Dtype => (a.dtype === 'c64' ? 'c64' : 'f32');
const floats = (a: AVal): number => sizeOf(a.shape) * lanes(a.dtype);
const viewShape = (a: AVal): number[] => (a.shape.length ? [...a.shape] : [1]);

/** Shapes of size 0 have no kernel form; callers evaluate such programs with the interpreter. */
export function hasEmptyValues(ir: IR): boolean {
  const empty = (a: AVal) => sizeOf(a.shape) === 0;
  return [...ir.inVars, ...ir.constVars].some((v) => empty(v.aval)) || ir.eqns.some((e) => e.outputs.some((v) => empty(v.aval)));
}

export interface LowerOptions {
  readonly name?: string;
  /** Clamp computed read coordinates into range (off for GLSL, whose texture reads are safe). */
  readonly clampReads?: boolean;
  /** The backend the kernels are for (templates pick their measured strategy by it). */
  readonly backend?: GpuJsBackend;
  /**
   * Write every non-literal output to a flat buffer of its own (`plan.results`) instead of
   * packing them: the outputs then stay on the device as separate values, each with the 1-D
   * layout a plan input has, so it is passed back in without a copy or a re-layout.
   */
  readonly separateOutputs?: boolean;
}

/** Buffers one kernel may read (the backend descriptor's limit; unlimited without a backend). */
const maxReadsOf = (backend: GpuJsBackend | undefined): number => (backend ? describeBackend(backend).maxReads : Infinity);

/** A block whose values are never bound to locals: one expression, for an inlined operand read. */
class InlineBlock extends Block {
  override bind(e: Expr): Expr {
    return e;
  }
}

/** The lowering's state: plan buffers by id, the views of materialised values, the schedule. */
interface Env extends CpuEmitEnv {
  readonly buffers: Map<string, BufferRef>;
  /** The equations given, in program order, printed with their source lines (when first asked). */
  readonly list: (eqns: Iterable<Eqn>) => Listing;
  readonly order: ReadonlyMap<Eqn, number>;
  /** Equations fused into the operand reads of the template being lowered. */
  readonly fusedIntoTemplate: Set<Eqn>;
  operandOf(v: Var): Operand | undefined;
  materialize(v: Var): void;
}

const newBlock = (): Block => new Block({ next: 0, prefix: '_v' });

export function lowerIR(ir: IR, consts: readonly NDArray[], opts: LowerOptions = {}): LoweredProgram {
  const name = opts.name ?? 'jit';
  const sched = schedule(ir);
  const b = new PlanBuilder(name);
  const operands = new Map<Var, Operand>();
  const buffers = new Map<string, BufferRef>();
  const planInputs: LoweredProgram['planInputs'][number][] = [];
  const setOperand = (v: Var, op: Operand): void => {
    operands.set(v, op);
    buffers.set(op.layout.buffer.id, op.layout.buffer);
  };
  const bindBuffer = (v: Var, buf: BufferRef): void => setOperand(v, operandOf(buf, viewShape(v.aval), storage(v.aval)));
  const hostEqns = ir.eqns.filter((e) => sched.hostEqns.has(e));
  // Values the device reads: operands of device equations, and outputs.
  const hostNeeded = new Set<Var>();
  for (const e of ir.eqns) if (!sched.hostEqns.has(e)) for (const a of e.inputs) if (!(a instanceof Lit)) hostNeeded.add(a);
  for (const a of ir.outAtoms) if (!(a instanceof Lit)) hostNeeded.add(a);
  // An argument only the host equations read (a PRNG key for random bits) or nothing reads is
  // not copied to the device.
  ir.inVars.forEach((v, i) => {
    if (!hostNeeded.has(v)) return;
    bindBuffer(v, b.input(`in${i}`, Math.max(floats(v.aval), 1)));
    planInputs.push({ kind: 'arg', index: i });
  });
  ir.constVars.forEach((v, i) => bindBuffer(v, b.constant(`k${i}`, Float32Array.from(consts[i].data))));
  for (const e of hostEqns) {
    for (const v of e.outputs) {
      if (!hostNeeded.has(v)) continue;
      bindBuffer(v, b.input(`h${planInputs.length}`, floats(v.aval)));
      planInputs.push({ kind: 'host', v });
    }
  }

  const maxReads = maxReadsOf(opts.backend);
  const env: Env = {
    buffers,
    list: equationLister(ir),
    order: new Map(ir.eqns.map((e, i) => [e, i])),
    fusedIntoTemplate: new Set(),
    clampReads: opts.clampReads ?? true,
    operandOf: (v: Var) => operands.get(v),
    viewOf: (v: Var) => viewOf(v, operands.get(v)),
    producer: (v: Var) => sched.producer.get(v),
    materialize: (v: Var) => setOperand(v, mapKernel(b, env, v)),
  };
  for (const e of ir.eqns) {
    if (sched.hostEqns.has(e)) continue;
    const rule = codegenRules[e.prim] as CodegenRule<Prim>;
    if (rule.kind === 'kernel') {
      env.fusedIntoTemplate.clear();
      const first = b.stepCount;
      const outs = kernelOutputs(b, env, e, maxReads, opts.backend ?? 'cpu') ??
        rule.lower(b, [], e.params as never, e.outputs.map((v) => v.aval), e.inputs.map((a) => a.aval), { backend: opts.backend ?? 'cpu' });
      const what = templateKernelName(e);
      const computes = env.list([e, ...env.fusedIntoTemplate]);
      b.describe(first, (k, i, n) => {
        // Kernels of a multi-kernel template keep their role: `sum[8,64]->[8] up1`.
        const role = n > 1 && k.name.includes('_') ? ` ${k.name.slice(k.name.indexOf('_') + 1)}` : '';
        return { name: `${what}${role}`, template: k.name, computes };
      });
      e.outputs.forEach((v, i) => setOperand(v, outs[i]));
      continue;
    }
    const v = e.outputs[0];
    if (!sched.materialized.has(v)) continue;
    splitReads(env, v, maxReads);
    env.materialize(v);
  }

  // Pack the outputs into one buffer.
  const slots: OutputSlot[] = [];
  let offset = 0;
  for (const a of ir.outAtoms) {
    slots.push({ aval: a.aval, offset, literal: a instanceof Lit ? a : undefined });
    offset += floats(a.aval);
  }
  // A fused output is computed by a pack kernel, which also reads the previous pack buffer.
  for (const a of ir.outAtoms) if (!(a instanceof Lit) && !operands.get(a)) splitReads(env, a, maxReads - 1);
  if (opts.separateOutputs) {
    const results: BufferRef[] = [];
    const separate = slots.map((s, i) => {
      if (s.literal) return s;
      const n = floats(s.aval);
      results.push(packOutputs(b, env, [{ ...s, offset: 0, v: ir.outAtoms[i] as Var }], n, maxReads, `out${i}[${n}]`));
      return { ...s, result: results.length - 1 };
    });
    // A program of literal outputs only still needs a kernel: its plan writes one zero.
    const output = results.at(-1) ?? packOutputs(b, env, [], 1, maxReads);
    return { plan: b.build(output, results), ir, hostEqns, planInputs, outputs: separate, packedLength: offset };
  }
  const packed = packOutputs(b, env, slots.map((s, i) => ({ ...s, v: s.literal ? undefined : (ir.outAtoms[i] as Var) })), Math.max(offset, 1), maxReads);
  return { plan: b.build(packed), ir, hostEqns, planInputs, outputs: slots, packedLength: offset };
}

/** The buffer view of a materialised value (every template result is one). */
function viewOf(v: Var, op: Operand | undefined): View | undefined {
  if (!op) return undefined;
  const layout = op.layout;
  const rank = v.aval.shape.length;
  return { buf: layout.buffer.id, dtype: v.aval.dtype, shape: v.aval.shape, strides: rank ? layout.strides : [], offset: layout.offset };
}

function bindingsOf(env: Env, reads: Iterable<string>): Binding[] {
  return [...reads].map((id) => {
    const buffer = env.buffers.get(id);
    if (!buffer) throw new Error(`jit: kernel reads unknown buffer '${id}'`);
    return { param: id, buffer };
  });
}

/** The buffers the (fused or materialised) value `v` reads. */
function readSet(env: Env, v: Var): ReadonlySet<string> {
  const probe = new ValueEmitter(env, new InlineBlock(), false);
  probe.value(v, Coords.of(v.aval.shape, v.aval.shape.map(() => affine(i32(0)))));
  return probe.reads;
}

const readsOf = (env: Env, v: Var): number => readSet(env, v).size;

/**
 * Splits the operands of one kernel until together they read at most `maxReads` buffers (a
 * buffer two operands share counts once): each alone first, then the fused operand reading the
 * most is materialised (one read) until the union fits.
 */
function splitTogether(env: Env, atoms: readonly (Var | Lit)[], maxReads: number, prim: Prim): void {
  const vars = atoms.filter((a): a is Var => !(a instanceof Lit));
  for (const v of vars) if (!env.operandOf(v)) splitReads(env, v, maxReads);
  for (;;) {
    const sets = vars.map((v) => readSet(env, v));
    const union = new Set(sets.flatMap((r) => [...r]));
    if (union.size <= maxReads) return;
    let widest = -1;
    vars.forEach((v, i) => {
      if (!env.operandOf(v) && sets[i].size > 1 && (widest < 0 || sets[i].size > sets[widest].size)) widest = i;
    });
    if (widest < 0) throw new Error(`jit: the operands of '${prim}' read ${union.size} buffers, more than the backend's limit of ${maxReads}`);
    env.materialize(vars[widest]);
  }
}

/**
 * Materialises fused inputs of `v` (largest first) until `v` reads at most `maxReads` buffers,
 * so no kernel exceeds the backend's limit.
 */
function splitReads(env: Env, v: Var, maxReads: number): void {
  while (readsOf(env, v) > maxReads) {
    const e = env.producer(v);
    const fused = (e?.inputs ?? []).filter((a): a is Var => !(a instanceof Lit) && !env.operandOf(a));
    if (fused.length === 0) throw new Error(`jit: '${e?.prim}' reads more than ${maxReads} buffers, the backend's limit`);
    const reads = fused.map((x) => readsOf(env, x));
    const widest = fused[reads.indexOf(Math.max(...reads))];
    splitReads(env, widest, maxReads);
    env.materialize(widest);
  }
}

/** The f32 (storage) value of component `part` (an i32 0/1 expression, or absent for real values) of `a` at flat element `element`. */
/**
 * The f32 (storage) components of `a` at flat element `element` of its shape, or, given `perm`,
 * of its axis permutation (output axis i is axis perm[i] of `a`).
 */
function emitValue(env: Env, block: Block, a: Var, element: Expr, reads: Set<string>, eqns?: Set<Eqn>, perm?: readonly number[]): { re: Expr; im?: Expr } {
  const em = new ValueEmitter(env, block, false);
  const shape = a.aval.shape;
  let coords = shape.length ? Coords.fromFlat(shape, affine(element)) : Coords.of([], []);
  if (perm) {
    const out = Coords.fromFlat(perm.map((p) => shape[p]), affine(element)).axes;
    const src = new Array<(typeof out)[number]>(shape.length);
    perm.forEach((p, i) => (src[p] = out[i]));
    coords = Coords.of(shape, src);
  }
  const v = em.value(a, coords);
  for (const r of em.reads) reads.add(r);
  for (const e of em.eqns) eqns?.add(e);
  return { re: cvt(v.re, 'f32'), im: v.im };
}

function gpuKernel(b: PlanBuilder, env: Env, kind: 'map' | 'pack' | 'template', kernel: Kernel, reads: ReadonlySet<string>, nonNegative: ReadonlySet<string> = new Set(), output: Dims = [kernel.units]): BufferRef {
  const source = renderGpuJsKernel(kernel, { dims: (id) => env.buffers.get(id)?.dims, nonNegative, output });
  return b.launch(kernel.name, bindingsOf(env, reads), source, output, { kind, ir: kernel, computes: kernel.computes });
}

/** A fused map: one unit per output float (two per c64 element, the part chosen by the unit's parity). */
function mapKernel(b: PlanBuilder, env: Env, v: Var): Operand {
  return valueKernel(b, env, v, 'map');
}

/**
 * A kernel writing the value of `v` (or its axis permutation `perm`) into a buffer of its own:
 * one unit per float, two per c64 element with the unit's parity choosing the part.
 */
function valueKernel(b: PlanBuilder, env: Env, v: Var, kind: 'map' | 'template', perm?: readonly number[], name?: string): Operand {
  const units = Math.max(floats(v.aval), 1);
  const block = newBlock();
  const reads = new Set<string>();
  const eqns = new Set<Eqn>();
  if (v.aval.dtype === 'c64') {
    const element = block.let(idiv(START, 2), '_e');
    const part = block.let(irem(START, 2), '_part');
    block.if(
      bin('eq', part, i32(0)),
      (t) => t.store(OUTPUT, START, emitValue(env, t, v, element, reads, eqns, perm).re),
      (f) => f.store(OUTPUT, START, emitValue(env, f, v, element, reads, eqns, perm).im as Expr),
    );
  } else {
    block.store(OUTPUT, START, emitValue(env, block, v, START, reads, eqns, perm).re);
  }
  const shape = perm ? perm.map((p) => v.aval.shape[p]) : v.aval.shape;
  const kernel: Kernel = { name: name ?? fusedKernelName(eqns, shape, env.order), units, unitCost: 1, body: block.stmts, computes: env.list(eqns) };
  const out = gpuKernel(b, env, kind, kernel, reads);
  env.buffers.set(out.id, out);
  if (kind === 'template') for (const e of eqns) env.fusedIntoTemplate.add(e);
  return operandOf(out, shape.length ? shape : [1], storage(v.aval));
}

/**
 * The kernels of a kernel primitive, each built as kernel IR; undefined for a primitive with no
 * kernel here (its codegen rule then says why: calls are inlined before lowering).
 */
function kernelOutputs(b: PlanBuilder, env: Env, e: Eqn, maxReads: number, backend: GpuJsBackend): Operand[] | undefined {
  const reduction = REDUCTIONS[e.prim];
  if (reduction) return [irReduction(b, env, e, reduction, maxReads)];
  if (e.prim === 'scatter_add') return [irScatterAdd(b, env, e as Eqn<'scatter_add'>, maxReads)];
  if (e.prim === 'matmul') return [irMatmul(b, env, e, maxReads, backend)];
  if (SCANS.has(e.prim)) return irScan(b, env, e, maxReads);
  if (FFTS.has(e.prim)) return [irFft(b, env, e, maxReads)];
  return undefined;
}

/**
 * `a` at `axes`, computed in `block` through the value emitter (a fused producer is computed
 * in place): the buffers it reads join `reads`, and the equations it computes are marked as
 * fused into the template, so no kernel of their own is made for them.
 */
function emitFused(env: Env, block: Block, a: Var | Lit, axes: readonly Ix[], reads?: Set<string>): { re: Expr; im?: Expr } {
  const em = new ValueEmitter(env, block, false);
  const v = em.value(a, Coords.of(a.aval.shape, axes));
  if (reads) for (const r of em.reads) reads.add(r);
  for (const q of em.eqns) env.fusedIntoTemplate.add(q);
  return v;
}

/** The reductions built as kernel IR (compiler/jit/gpuReduce.ts). */
const REDUCTIONS: Partial<Record<Prim, TreeReduceOp>> = { reduce_sum: 'sum', reduce_max: 'max', argmax: 'argmax' };

/**
 * A reduction over one or more axes (the highest first), each a tree of kernel-IR kernels; the
 * first pass reads the input through the value emitter, so a fused producer is computed there.
 */
function irReduction(b: PlanBuilder, env: Env, e: Eqn, op: TreeReduceOp, maxReads: number): Operand {
  const x = e.inputs[0];
  if (x instanceof Lit) throw new Error(`jit: '${e.prim}' of a literal`);
  if (!env.operandOf(x)) splitReads(env, x, maxReads - 1);
  const params = e.params as { axes?: readonly number[]; axis?: number };
  const axes = params.axes ? [...params.axes].sort((p, q) => q - p) : [params.axis as number];
  const complex = x.aval.dtype === 'c64';
  const name = op === 'sum' ? 'sum' : op;
  let shape = [...x.aval.shape];
  let reads = new Set<string>();
  let read: ElementReader = (block, ax) => {
    const v = emitFused(env, block, x, ax, reads);
    return { re: cvt(v.re, 'f32'), im: v.im };
  };
  let out = '';
  for (const axis of axes) {
    out = treeReduce({ name, shape, axis, op, complex, read }, (kernel, level) => {
      if (level) reads.add(level);
      const buf = gpuKernel(b, env, 'template', kernel, reads);
      env.buffers.set(buf.id, buf);
      reads = new Set();
      return buf.id;
    });
    shape = shape.filter((_, i) => i !== axis);
    read = bufferReader(out, shape, complex, () => reads);
  }
  const outAval = e.outputs[0].aval;
  return operandOf(env.buffers.get(out) as BufferRef, viewShape(outAval), storage(outAval));
}

/** scatter-add as one kernel-IR kernel (compiler/jit/gpuScatter.ts), its operands fused. */
function irScatterAdd(b: PlanBuilder, env: Env, e: Eqn<'scatter_add'>, maxReads: number): Operand {
  const [upd, idx] = e.inputs;
  splitTogether(env, e.inputs, maxReads, e.prim);
  const reads = new Set<string>();
  const out = e.outputs[0].aval;
  const kernel = scatterAddKernel({
    name: 'scatter_add',
    outShape: out.shape,
    idxShape: idx.aval.shape,
    axis: e.params.axis,
    complex: out.dtype === 'c64',
    read: (block, i, axes) => emitFused(env, block, i === 0 ? upd : idx, axes, reads),
  });
  const buf = gpuKernel(b, env, 'template', kernel, reads);
  env.buffers.set(buf.id, buf);
  return operandOf(buf, viewShape(out), storage(out));
}

/** The FFTs built as kernel IR (compiler/jit/gpuFft.ts). */
const FFTS: ReadonlySet<Prim> = new Set<Prim>(['fft', 'rfft', 'irfft']);

/**
 * fft, rfft and irfft along the last axis as kernel-IR kernels (compiler/jit/gpuFft.ts): Stockham
 * stages for powers of two, Bluestein otherwise, the real transforms through a half-length
 * complex one. The input is read through the value emitter, so a fused producer is computed in
 * the first stage.
 */
function irFft(b: PlanBuilder, env: Env, e: Eqn, maxReads: number): Operand {
  const x = e.inputs[0];
  if (x instanceof Lit) throw new Error(`jit: '${e.prim}' of a literal`);
  if (!env.operandOf(x)) splitReads(env, x, maxReads - 1);
  const shape = x.aval.shape;
  const batchShape = shape.slice(0, -1);
  const n = shape[shape.length - 1];
  const input: LineReader = (block, batch, k) => {
    const v = emitFused(env, block, x, [...batch, affine(k)]);
    return { re: cvt(v.re, 'f32'), im: v.im ?? constant('f32', 0) };
  };
  const sink: FftSink = {
    launch: (kernel) => {
      const reads = buffersOf(kernel.body);
      reads.delete(OUTPUT);
      const buf = gpuKernel(b, env, 'template', kernel, reads);
      env.buffers.set(buf.id, buf);
      return buf.id;
    },
    table: (id, data) => {
      const ref = b.constant(id, data);
      env.buffers.set(ref.id, ref);
      return ref.id;
    },
  };
  const out =
    e.prim === 'fft'
      ? transform({ name: (e.params as { inverse: boolean }).inverse ? 'ifft' : 'fft', batchShape, n, inverse: (e.params as { inverse: boolean }).inverse, input }, sink)
      : e.prim === 'rfft'
        ? realTransform('rfft', batchShape, n, input, sink)
        : inverseRealTransform('irfft', batchShape, (e.params as { n: number }).n, input, sink);
  const aval = e.outputs[0].aval;
  return operandOf(env.buffers.get(out) as BufferRef, viewShape(aval), storage(aval));
}

/** The scans built as kernel IR (compiler/jit/gpuScan.ts). */
const SCANS: ReadonlySet<Prim> = new Set<Prim>(['cumsum', 'linrec', 'assoc_scan']);

/** A trailing-component view of a scan result with k components: component `first` on. */
function componentView(all: Operand, shape: readonly number[], dtype: Dtype, first: number): Operand {
  const layout = all.layout;
  return { shape, dtype, layout: { buffer: layout.buffer, offset: layout.offset + first * layout.strides[shape.length], strides: layout.strides.slice(0, shape.length) } };
}

/**
 * cumsum, linrec and assoc_scan as tree scans of kernel-IR kernels (compiler/jit/gpuScan.ts).
 * Elements are tuples of f32 components read through the value emitter (a fused producer is
 * computed in the first and the last kernel): cumsum's value (re, im for c64); linrec's
 * (A, B) pairs, composed as (A1, B1) ∘ (A2, B2) = (A2 A1, A2 B1 + B2), four components
 * (A.re, A.im, B.re, B.im) for c64; assoc_scan's operands with their combine.
 */
function irScan(b: PlanBuilder, env: Env, e: Eqn, maxReads: number): Operand[] {
  const { axis, reverse } = e.params as { axis: number; reverse: boolean };
  const shape = e.inputs[e.prim === 'linrec' ? 1 : 0].aval.shape;
  // a line longer than one tree node gets levels, and the kernel writing the output reads the
  // inputs again with one level buffer
  splitTogether(env, e.inputs, shape[axis] > SCAN_FANOUT ? maxReads - 1 : maxReads, e.prim);
  const complex = e.outputs.some((v) => v.aval.dtype === 'c64');
  /** Each scan component: an operand and its part. */
  let layout: { atom: Var | Lit; part: 're' | 'im' }[];
  let combine: ScanCombine;
  let output: { components: number[]; complex: boolean };
  let name: string;
  if (e.prim === 'cumsum') {
    const [x] = e.inputs;
    name = 'cumsum';
    layout = complex ? [{ atom: x, part: 're' }, { atom: x, part: 'im' }] : [{ atom: x, part: 're' }];
    combine = sumCombine;
    output = { components: complex ? [0, 1] : [0], complex };
  } else if (e.prim === 'linrec') {
    const [a, x] = e.inputs;
    name = 'recurrence';
    layout = complex ? [{ atom: a, part: 're' }, { atom: a, part: 'im' }, { atom: x, part: 're' }, { atom: x, part: 'im' }] : [{ atom: a, part: 're' }, { atom: x, part: 're' }];
    combine = recurrenceCombine(complex);
    output = complex ? { components: [2, 3], complex: true } : { components: [1], complex: false };
  } else {
    const { combine: fn } = e.params as { combine: ClosedIR };
    const widths = e.inputs.map((x) => (x.aval.dtype === 'c64' ? 2 : 1));
    name = 'scan';
    layout = e.inputs.flatMap((x) => (x.aval.dtype === 'c64' ? [{ atom: x, part: 're' as const }, { atom: x, part: 'im' as const }] : [{ atom: x, part: 're' as const }]));
    combine = (l, r) => combineIR(fn, widths, l, r);
    output = { components: layout.map((_, i) => i), complex: false };
  }
  let reads = new Set<string>();
  const read: ScanReader = (block, axes) => {
    const values = new Map<Var | Lit, { re: Expr; im?: Expr }>();
    return (c) => {
      const { atom, part } = layout[c];
      let v = values.get(atom);
      if (!v) {
        v = emitFused(env, block, atom, axes, reads);
        values.set(atom, v);
      }
      return part === 're' ? cvt(v.re, 'f32') : (v.im ?? constant('f32', 0));
    };
  };
  const out = treeScan({ name, shape, axis, reverse, components: layout.length, combine, read, output }, (kernel, levels) => {
    for (const l of levels) reads.add(l);
    const buf = gpuKernel(b, env, 'template', kernel, reads);
    env.buffers.set(buf.id, buf);
    reads = new Set();
    return buf.id;
  });
  const buf = env.buffers.get(out) as BufferRef;
  const k = output.components.length;
  if (e.prim !== 'assoc_scan' || k === 1) return [operandOf(buf, viewShape(e.outputs[0].aval), storage(e.outputs[0].aval))];
  const all = operandOf(buf, [...shape, k], 'f32');
  const widths = e.inputs.map((x) => (x.aval.dtype === 'c64' ? 2 : 1));
  const firsts = widths.map((_, i) => widths.slice(0, i).reduce((s, w) => s + w, 0));
  return e.outputs.map((o, i) => componentView(all, shape, storage(o.aval), firsts[i]));
}

/**
 * The matrix product as one kernel-IR kernel (compiler/jit/gpuMatmul.ts) with the backend's
 * measured strategy. Each operand is read where it is fused (split first, as any template
 * operand, so the kernel stays within the backend's read limit); on a backend whose strategy
 * packs B, B (computed where it is fused) is first written transposed to [..., N, K] by a
 * kernel-IR kernel, so the product reads both operands along k.
 */
function irMatmul(b: PlanBuilder, env: Env, e: Eqn, maxReads: number, backend: GpuJsBackend): Operand {
  const [x, y] = e.inputs;
  const strategy = describeBackend(backend).matmul;
  const prepare = (a: Var | Lit, limit: number): void => {
    if (!(a instanceof Lit) && !env.operandOf(a)) splitReads(env, a, limit);
  };
  const reads = new Set<string>();
  const emit = (block: Block, a: Var | Lit, axes: readonly Ix[]): { re: Expr; im?: Expr } => emitFused(env, block, a, axes, reads);
  prepare(x, maxReads - 1);
  let readB: (block: Block, axes: readonly Ix[]) => { re: Expr; im?: Expr } = (block, axes) => emit(block, y, axes);
  let bShape = y.aval.shape;
  if (strategy.packB) {
    if (y instanceof Lit) throw new Error(`jit: 'matmul' of a literal`);
    prepare(y, maxReads);
    const rank = y.aval.shape.length;
    const perm = [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
    const packed = valueKernel(b, env, y, 'template', perm, 'matmul_packB');
    const buf = packed.layout.buffer.id;
    bShape = perm.map((p) => y.aval.shape[p]);
    readB = bufferReader(buf, bShape, y.aval.dtype === 'c64', () => reads);
  } else {
    // both operands are read by the product itself
    splitTogether(env, [x, y], maxReads, e.prim);
  }
  const { kernel, dims, shape } = matmulKernel({
    name: 'matmul',
    aShape: x.aval.shape,
    bShape,
    transposeB: strategy.packB,
    complexA: x.aval.dtype === 'c64',
    complexB: y.aval.dtype === 'c64',
    unroll: strategy.unroll,
    read: (block, i, axes) => (i === 0 ? emit(block, x, axes) : readB(block, axes)),
  });
  const buf = gpuKernel(b, env, 'template', kernel, reads, new Set(), dims);
  env.buffers.set(buf.id, buf);
  return operandOf(buf, shape, x.aval.dtype === 'c64' || y.aval.dtype === 'c64' ? 'c64' : 'f32');
}

/**
 * The pack kernels: write every output into one flat buffer. Materialised outputs are read
 * through their views (which may be views of a larger buffer, e.g. one component of a scan);
 * fused ones are computed here, so they never get a buffer of their own. Where a backend limits
 * the buffers one kernel reads, the outputs are packed by a chain of kernels, each copying the
 * previous one's buffer and adding its own outputs.
 */
function packOutputs(
  b: PlanBuilder,
  env: Env,
  slots: readonly (OutputSlot & { readonly v: Var | undefined })[],
  length: number,
  maxReads: number,
  label = `outputs[${length}]`,
): BufferRef {
  /** One output's range of the packed buffer, and its value at local float `local` of it. */
  type Piece = { start: number; end: number; reads: ReadonlySet<string>; emit: (block: Block, local: Expr, reads: Set<string>, eqns: Set<Eqn>) => Expr };
  const pieces: Piece[] = [];
  slots.forEach((s) => {
    const n = floats(s.aval);
    if (n === 0) return;
    const complex = s.aval.dtype === 'c64';
    const range = { start: s.offset, end: s.offset + n };
    const choose = (block: Block, local: Expr, re: Expr, im: Expr): Expr => select(bin('eq', block.bind(irem(local, 2)), i32(0)), re, im);
    if (s.literal) {
      const { re, im } = s.literal;
      pieces.push({ ...range, reads: new Set(), emit: (block, local) => (complex ? choose(block, local, constant('f32', re), constant('f32', im)) : constant('f32', re)) });
      return;
    }
    const v = s.v as Var;
    const reads = new Set<string>();
    emitValue(env, new InlineBlock(), v, i32(0), reads);
    pieces.push({
      ...range,
      reads,
      emit: (block, local, into, eqns) => {
        const element = complex ? block.bind(idiv(local, 2)) : local;
        const val = emitValue(env, block, v, element, into, eqns);
        return complex ? choose(block, local, val.re, val.im as Expr) : val.re;
      },
    });
  });
  // Group pieces so that each kernel stays within the read limit (one read is the previous pack).
  const groups: Piece[][] = [];
  let current: Piece[] = [];
  const readsOfGroup = (ps: readonly Piece[]) => new Set(ps.flatMap((p) => [...p.reads]));
  for (const p of pieces) {
    const limit = groups.length === 0 ? maxReads : maxReads - 1;
    if (current.length && readsOfGroup([...current, p]).size > limit) {
      groups.push(current);
      current = [];
    }
    current.push(p);
  }
  groups.push(current);
  let prev: BufferRef | undefined;
  for (const group of groups) {
    const block = newBlock();
    const reads = new Set<string>();
    const eqns = new Set<Eqn>();
    const nonNegative = new Set<string>();
    const emitFrom = (blk: Block, k: number): void => {
      if (k === group.length) {
        if (prev) reads.add(prev.id);
        blk.store(OUTPUT, START, prev ? load(prev.id, START) : constant('f32', 0));
        return;
      }
      const p = group[k];
      const inside = bin('and', bin('ge', START, i32(p.start)), bin('lt', START, i32(p.end)));
      blk.if(
        inside,
        (t) => {
          const local = p.start ? t.let(isub(START, i32(p.start)), '_local') : START;
          if (local.k === 'get') nonNegative.add(local.name);
          t.store(OUTPUT, START, p.emit(t, local, reads, eqns));
        },
        (f) => emitFrom(f, k + 1),
      );
    };
    emitFrom(block, 0);
    // Named after the outputs it computes (the pack's own equations), or `outputs[n]` for copies.
    const name = eqns.size ? `${fusedKernelName(eqns, [], env.order).slice(0, -2)}->${label}` : label;
    const kernel: Kernel = { name, units: length, unitCost: 1, body: block.stmts, computes: env.list(eqns) };
    prev = gpuKernel(b, env, 'pack', kernel, reads, nonNegative);
    env.buffers.set(prev.id, prev);
  }
  return prev as BufferRef;
}
