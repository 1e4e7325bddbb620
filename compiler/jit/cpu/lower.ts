/**
 * Lowering for the CPU backend: an optimised IR becomes a kernel-IR program. The fusion
 * schedule (schedule.ts, shared with the GPU path) says which variables are materialised;
 * each materialised elementwise/view value becomes one vectorised map kernel, each kernel
 * primitive a CPU template instance (kernels/cpu/*) reading its operands as strided views,
 * so transposes, broadcasts and slices of buffers cost no copy. A reduction (sum, max, argmax)
 * of a fused elementwise value computes it in its reads (no map kernel, no buffer; a c64 sum
 * reduces its two parts in the same loops). Program outputs are buffer
 * views read back by the runtime (no packing kernel: the memory is shared with the host).
 */
import type { AVal, Eqn, IR, Var } from '../../ir';
import { Lit } from '../../ir';
import type { NDArray } from '../../ndarray';
import type { DType } from '../../dtype';
import type { PrimParams } from '../../primitives';
import { sizeOf } from '../../shape';
import { codegenKind } from '../codegen';
import { schedule, scheduleKind } from '../schedule';
import { Block, END, i32, iadd, idiv, imul, irem, isub, min, START } from '../../../kernels/ir/build';
import type { BufferDecl, Expr, Kernel, KernelProgram, KType, Storage } from '../../../kernels/ir/types';
import { isVector, LANES } from '../../../kernels/ir/types';
import type { Computed } from '../../../kernels/cpu/reduce';
import { type TemplateContext, type View, contiguousView, storageOfDType } from '../../../kernels/cpu/template';
import { wasmFeatures } from '../../../kernels/wasm/features';
import { Coords, ValueEmitter } from './emit';
import type { CValue } from './exprRules';
import { printExpr } from '../../../kernels/ir/printer';
import { equationLister, templateKernelName } from '../kernelNames';
import { addConst, affine, general, type Ix } from './indexing';
import { complexMatmul, mixedMatmul, reductionOf, templateRules } from './templates';

export type InputSource = { readonly kind: 'arg'; readonly index: number } | { readonly kind: 'host'; readonly v: Var };

export interface CpuInput {
  readonly buf: string;
  readonly dtype: DType;
  readonly source: InputSource;
}

export type CpuOutput = { readonly aval: AVal; readonly view: View } | { readonly aval: AVal; readonly literal: Lit };

export interface CpuLowered {
  readonly ir: IR;
  readonly program: KernelProgram;
  readonly hostEqns: readonly Eqn[];
  readonly inputs: readonly CpuInput[];
  readonly outputs: readonly CpuOutput[];
  /** The map kernels (materialised fusions) and the floats each writes; the others are template instances. */
  readonly maps: ReadonlyMap<Kernel, number>;
}

export interface CpuLowerOptions {
  readonly name?: string;
  /** Threads a launch may be split across (templates shape their work units by it). */
  readonly threads: number;
  /**
   * Whether `fma` renders as one instruction (templates then use wider register tiles); by
   * default the engine's answer, `wasmFeatures.relaxedSimd`.
   */
  readonly fusedMultiplyAdd?: boolean;
}

const floats = (a: AVal): number => sizeOf(a.shape) * (a.dtype === 'c64' ? 2 : 1);

/** Free views: index remappings that a strided view expresses without a copy. */
function freeView(e: Eqn, src: View, out: AVal): View | undefined {
  switch (e.prim) {
    case 'transpose': {
      const { perm } = e.params as PrimParams['transpose'];
      return { ...src, shape: out.shape, strides: perm.map((p) => src.strides[p]) };
    }
    case 'broadcast_in_dim': {
      const { dims } = e.params as PrimParams['broadcast_in_dim'];
      const strides = out.shape.map(() => 0);
      dims.forEach((d, i) => (strides[d] = src.shape[i] === 1 ? 0 : src.strides[i]));
      return { ...src, shape: out.shape, strides };
    }
    case 'slice': {
      const { start } = e.params as PrimParams['slice'];
      return { ...src, shape: out.shape, offset: src.offset + start.reduce((s, st, i) => s + st * src.strides[i], 0) };
    }
    case 'reverse': {
      const { axes } = e.params as PrimParams['reverse'];
      const offset = src.offset + axes.reduce((s, a) => s + (src.shape[a] - 1) * src.strides[a], 0);
      return { ...src, shape: out.shape, offset, strides: src.strides.map((s, i) => (axes.includes(i) ? -s : s)) };
    }
    case 'reshape': {
      const contiguous = contiguousView(src.buf, src.shape, src.dtype);
      if (contiguous.strides.every((s, i) => src.shape[i] === 1 || s === src.strides[i])) {
        return { ...contiguousView(src.buf, out.shape, src.dtype), offset: src.offset };
      }
      const strides = reshapedStrides(src.shape, src.strides, out.shape);
      return strides && { ...src, shape: out.shape, strides };
    }
  }
  return undefined;
}

/**
 * Strides of a view of `shape`/`strides` reshaped to `to` without a copy, or undefined when the
 * layout does not allow it. Axes of size 1 are ignored; the remaining axes are matched in groups
 * of equal element counts; the axes of a source group must nest (stride of each = size × stride
 * of the next), and then the group's new axes get the nested strides from its innermost stride
 * (`[8, 1024, 64]` at strides `[131072, 128, 2]`, the real part of a c64 buffer, reshaped to
 * `[8192, 64]` has strides `[128, 2]`).
 */
export function reshapedStrides(shape: readonly number[], strides: readonly number[], to: readonly number[]): number[] | undefined {
  const out = to.map(() => 0);
  if (to.some((d) => d === 0)) return out;
  const from = shape.map((d, i) => ({ d, s: strides[i] })).filter((a) => a.d !== 1);
  const dims = to.map((d, i) => ({ d, i })).filter((a) => a.d !== 1);
  let i = 0;
  let j = 0;
  while (i < from.length && j < dims.length) {
    // One group: source axes [i, i2) and new axes [j, j2) of equal products.
    let [i2, j2, p, q] = [i + 1, j + 1, from[i].d, dims[j].d];
    while (p !== q) {
      if (p < q) {
        if (i2 >= from.length) return undefined;
        p *= from[i2++].d;
      } else {
        if (j2 >= dims.length) return undefined;
        q *= dims[j2++].d;
      }
    }
    for (let k = i; k < i2 - 1; k++) if (from[k].s !== from[k + 1].s * from[k + 1].d) return undefined;
    let stride = from[i2 - 1].s;
    for (let k = j2 - 1; k >= j; k--) {
      out[dims[k].i] = stride;
      stride *= dims[k].d;
    }
    [i, j] = [i2, j2];
  }
  return i === from.length && j === dims.length ? out : undefined;
}

/** The equations computed to produce `v` up to values with buffers (what its map kernel fuses). */
function fusedEqns(v: Var, producer: (v: Var) => Eqn | undefined, materialized: (v: Var) => boolean): Eqn[] {
  const out: Eqn[] = [];
  const seen = new Set<Var>();
  const visit = (x: Var): void => {
    if (seen.has(x) || materialized(x)) return;
    seen.add(x);
    const e = producer(x);
    if (!e) return;
    for (const a of e.inputs) if (!(a instanceof Lit)) visit(a);
    out.push(e);
  };
  visit(v);
  return out;
}

/** A short name saying what a fused kernel computes: its elementwise primitives in program order (the first three). */
function fusedName(eqns: readonly Eqn[]): string {
  const prims = [...new Set(eqns.filter((e) => codegenKind(e.prim) === 'elementwise').map((e) => e.prim))];
  return prims.length ? prims.slice(0, 3).join('_') : 'copy';
}

export function lowerToKernels(ir: IR, consts: readonly NDArray[], opts: CpuLowerOptions): CpuLowered {
  // Integers are exact here, so random bits come from a kernel (Threefry), not from the host.
  const sched = schedule(ir, { randomOnDevice: true });
  const buffers: BufferDecl[] = [];
  const kernels: Kernel[] = [];
  const maps = new Map<Kernel, number>();
  const views = new Map<Var, View>();
  const inputs: CpuInput[] = [];
  let counter = 0;
  const names = new Map<string, number>();
  const uniqueName = (base: string): string => {
    const n = names.get(base) ?? 0;
    names.set(base, n + 1);
    return n ? `${base}_${n}` : base;
  };

  const list = equationLister(ir);
  /** `k` listing the equations it computes. */
  const described = (k: Kernel, eqns: Iterable<Eqn>): Kernel => ({ ...k, computes: list(eqns) });
  /** A template's kernel named after what it computes (`matmul 8192x64x64 tiles`), keeping its template name. */
  const templateKernel = (e: Eqn, ctx: TemplateContext) => (k: Kernel): Kernel => {
    const role = k.name.startsWith(`${ctx.name}_`) ? ` ${k.name.slice(ctx.name.length + 1)}` : '';
    return { ...described(k, [e]), name: `${templateKernelName(e)}${role}`, template: k.name };
  };

  const declare = (id: string, size: number, storage: Storage, kind: BufferDecl['kind'], data?: Float32Array | Int32Array): string => {
    buffers.push({ id, size: Math.max(size, 1), storage, kind, data });
    return id;
  };
  const temp = (a: AVal): View => contiguousView(declare(`b${counter++}`, floats(a), storageOfDType(a.dtype), 'temp'), a.shape, a.dtype);

  ir.inVars.forEach((v, i) => {
    const buf = declare(`in${i}`, floats(v.aval), storageOfDType(v.aval.dtype), 'input');
    views.set(v, contiguousView(buf, v.aval.shape, v.aval.dtype));
    inputs.push({ buf, dtype: v.aval.dtype, source: { kind: 'arg', index: i } });
  });
  ir.constVars.forEach((v, i) => {
    const storage = storageOfDType(v.aval.dtype);
    const data = storage === 'f32' ? Float32Array.from(consts[i].data) : Int32Array.from(consts[i].data);
    views.set(v, contiguousView(declare(`k${i}`, floats(v.aval), storage, 'constant', data), v.aval.shape, v.aval.dtype));
  });
  const hostEqns = ir.eqns.filter((e) => sched.hostEqns.has(e));
  for (const e of hostEqns) {
    for (const v of e.outputs) {
      const buf = declare(`h${inputs.length}`, floats(v.aval), storageOfDType(v.aval.dtype), 'input');
      views.set(v, contiguousView(buf, v.aval.shape, v.aval.dtype));
      inputs.push({ buf, dtype: v.aval.dtype, source: { kind: 'host', v } });
    }
  }

  const env = { viewOf: (v: Var) => views.get(v), producer: (v: Var) => sched.producer.get(v) };
  /** Complex values whose real and imaginary parts are both read (2), or one of them (1). */
  const partsRead = new Map<Var | Lit, number>();
  for (const e of ir.eqns) {
    if (e.prim !== 'real' && e.prim !== 'imag') continue;
    const seen = partsRead.get(e.inputs[0]) ?? 0;
    partsRead.set(e.inputs[0], seen | (e.prim === 'real' ? 1 : 2));
  }
  for (const [k, bits] of partsRead) partsRead.set(k, bits === 3 ? 2 : 1);
  const templateContext = (name: string): TemplateContext => {
    let scratchCount = 0;
    return {
      name,
      threads: opts.threads,
      fusedMultiplyAdd: opts.fusedMultiplyAdd ?? wasmFeatures.relaxedSimd,
      scratch: (size, storage) => declare(`${name}_s${scratchCount++}`, size, storage, 'temp'),
      constant: (data) => declare(`${name}_c${scratchCount++}`, data.length, data instanceof Int32Array ? 'i32' : 'f32', 'constant', data),
    };
  };

  /**
   * A concatenation gets a buffer of its own, each piece written into its slice by a map kernel
   * of its own: fused into a reader it would cost a select per element and compute every piece
   * at every element.
   */
  const materializeConcat = (e: Eqn): View => {
    const v = e.outputs[0];
    const out = temp(v.aval);
    const { axis } = e.params as PrimParams['concat'];
    let start = 0;
    for (const piece of e.inputs) {
      const slice: View = { ...out, shape: piece.aval.shape, offset: out.offset + start * out.strides[axis] };
      start += piece.aval.shape[axis];
      const base = piece instanceof Lit ? undefined : piece;
      if (!base) throw new Error('jit (cpu): a literal piece of a concatenation');
      const eqns = fusedEqns(base, env.producer, (x) => views.has(x));
      const k = described(mapKernel(`concat_${fusedName(eqns)}[${piece.aval.shape.join(',')}]`, base, slice, env, opts.threads, 'rows'), [e, ...eqns]);
      kernels.push(k);
      maps.set(k, floats(base.aval));
    }
    views.set(v, out);
    return out;
  };

  const materialize = (v: Var): View => {
    const producer = sched.producer.get(v);
    if (producer?.prim === 'concat') return materializeConcat(producer);
    const out = temp(v.aval);
    const eqns = fusedEqns(v, env.producer, (x) => views.has(x));
    const name = `${fusedName(eqns)}[${v.aval.shape.join(',')}]`;
    // The flat index first: no coordinates at all when every read is a same-order buffer
    // read; rows of the innermost axis when views need coordinates (no div/rem per element).
    const before = Coords.unravels;
    let k = mapKernel(name, v, out, env, opts.threads, 'flat');
    const rank = v.aval.shape.length;
    if (Coords.unravels !== before && rank >= 2 && v.aval.shape[rank - 1] >= 8) k = mapKernel(name, v, out, env, opts.threads, 'rows');
    k = described(k, eqns);
    kernels.push(k);
    maps.set(k, floats(v.aval));
    views.set(v, out);
    return out;
  };

  /**
   * A buffer view of `a` without computing anything: its own buffer, or a free view (a strided
   * remapping, or one part of a complex buffer) of a value that has a buffer or a view.
   */
  const viewOf = (a: Var): View | undefined => {
    const direct = views.get(a);
    if (direct) return direct;
    const e = sched.producer.get(a);
    if (!e || e.inputs.length !== 1 || e.inputs[0] instanceof Lit) return undefined;
    if ((e.prim === 'real' || e.prim === 'imag') && e.inputs[0].aval.dtype === 'c64') {
      // Re conj(x) = Re x.
      const inner = sched.producer.get(e.inputs[0]);
      const base = e.prim === 'real' && inner?.prim === 'conj' && !(inner.inputs[0] instanceof Lit) ? inner.inputs[0] : e.inputs[0];
      // Both parts of a fused complex value read: compute it once, into a buffer of its own.
      const src = viewOf(base) ?? (partsRead.get(base) === 2 && !(base instanceof Lit) ? materialize(base) : undefined);
      return src && { ...src, dtype: 'f32', offset: src.offset + (e.prim === 'imag' ? 1 : 0) };
    }
    if (codegenKind(e.prim) !== 'view') return undefined;
    const src = viewOf(e.inputs[0]);
    return src && freeView(e, src, a.aval);
  };

  /** The operand of a kernel primitive: a buffer view, through free views, else materialised. */
  const operandView = (a: Var | Lit): View => {
    if (a instanceof Lit) {
      const storage = storageOfDType(a.dtype);
      const data = storage === 'f32' ? Float32Array.from(a.dtype === 'c64' ? [a.re, a.im] : [a.re]) : Int32Array.from([a.re]);
      return contiguousView(declare(`l${counter++}`, data.length, storage, 'constant', data), [], a.dtype);
    }
    return viewOf(a) ?? materialize(a);
  };

  /**
   * A complex operand through views and conjugations of a buffer: conj commutes with every
   * view, so conj(x)ᵀ is xᵀ with a flag, and the matmul folds the flag into its signs.
   */
  const conjugatedView = (a: Var | Lit): { view: View; conj: boolean } => {
    const walk = (x: Var): { view: View; conj: boolean } | undefined => {
      const direct = viewOf(x);
      if (direct) return { view: direct, conj: false };
      const e = sched.producer.get(x);
      if (!e || e.inputs.length !== 1 || e.inputs[0] instanceof Lit) return undefined;
      if (e.prim === 'conj') {
        const inner = walk(e.inputs[0]) ?? { view: operandView(e.inputs[0]), conj: false };
        return { view: inner.view, conj: inner.view.dtype === 'c64' ? !inner.conj : false };
      }
      if (isRealToComplex(e)) return { view: viewOf(e.inputs[0] as Var) ?? operandView(e.inputs[0]), conj: false };
      if (codegenKind(e.prim) !== 'view') return undefined;
      const inner = walk(e.inputs[0]);
      const v = inner && freeView(e, inner.view, x.aval);
      return v && inner ? { view: v, conj: inner.conj } : undefined;
    };
    return (a instanceof Lit ? undefined : walk(a)) ?? { view: operandView(a), conj: false };
  };

  /**
   * The operand of a reduction as values computed in its reads, when it is a fused elementwise
   * value (no buffer, no free view): one f32/i32 operand, or the two parts of a c64 one (f32
   * operands whose reads at one index in one block share the value's computation).
   * Undefined for buffers and views, which the template reads directly.
   */
  const fusedOperand = (a: Var | Lit): { parts: Computed[]; eqns: Set<Eqn> } | undefined => {
    if (a instanceof Lit || views.has(a) || viewOf(a)) return undefined;
    const e = sched.producer.get(a);
    const kind = e && codegenKind(e.prim);
    if (!e || e.prim === 'concat' || (kind !== 'elementwise' && kind !== 'view')) return undefined;
    const eqns = new Set<Eqn>();
    const dtype = a.aval.dtype;
    if (dtype !== 'f32' && dtype !== 'i32' && dtype !== 'c64') return undefined;
    const shape = a.aval.shape;
    // The parts of a c64 value read at the same index in the same block share one computation.
    const computed = new WeakMap<Block, Map<string, CValue>>();
    // Coordinates of a base, bound once per block; an offset that keeps every lane inside the
    // base's aligned block of the innermost axis is added to that axis alone.
    const bases = new WeakMap<Block, Map<string, { flat: Expr; axes: readonly Ix[] }>>();
    const inner = shape.reduce((last, d, i) => (d > 1 ? i : last), -1);
    const coordsAt = (blk: Block, key: string, base: Expr, offset: number, step: number, align: number): Coords => {
      const lanes = step === 0 ? 1 : LANES;
      const rowAligned = inner >= 0 && shape[inner] % align === 0 && offset + (lanes - 1) * step < align;
      if (!rowAligned) {
        const flat = blk.bind(iadd(base, i32(offset)), 'fx');
        return Coords.fromFlat(shape, affine(flat, step, gcdOf(align, offset)));
      }
      const known = bases.get(blk) ?? new Map<string, { flat: Expr; axes: readonly Ix[] }>();
      bases.set(blk, known);
      let at = known.get(key);
      if (!at) {
        const flat = base.k === 'get' || base.k === 'const' ? base : blk.bind(base, 'fx');
        const axes = Coords.fromFlat(shape, affine(flat, step, align)).axes.map((x) => (x.kind === 'affine' ? affine(x.base.k === 'const' ? x.base : blk.bind(x.base, 'c'), x.step, x.align) : general(blk.bind(x.v, 'c'))));
        at = { flat, axes };
        known.set(key, at);
      }
      const axes = offset === 0 ? at.axes : at.axes.map((x, i) => (i === inner ? addConst(x, offset) : x));
      return Coords.of(shape, axes, affine(offset === 0 ? at.flat : iadd(at.flat, i32(offset)), step, gcdOf(align, offset)));
    };
    const part = (im: boolean): Computed => ({
      kind: 'computed',
      dtype: dtype === 'i32' ? 'i32' : 'f32',
      shape,
      at: (blk: Block, base: Expr, offset: number, t: KType, step: number, align: number): Expr => {
        const vector = isVector(t);
        const s = vector ? step : 0;
        const baseKey = `${printExpr(base)} ${s} ${align}`;
        const key = `${baseKey} ${offset} ${t}`;
        const known = computed.get(blk) ?? new Map<string, CValue>();
        computed.set(blk, known);
        let value = known.get(key);
        if (!value) {
          const emitter = new ValueEmitter(env, blk, vector);
          value = emitter.value(a, coordsAt(blk, baseKey, base, offset, s, align));
          emitter.eqns.forEach((q) => eqns.add(q));
          if (dtype === 'c64') known.set(key, value);
        }
        return im ? (value.im as Expr) : value.re;
      },
    });
    return { parts: dtype === 'c64' ? [part(false), part(true)] : [part(false)], eqns };
  };

  const folded = foldedIntoComplexMatmuls(ir);
  const intoReduction = readOnlyByOneReduction(ir);
  for (const e of ir.eqns) {
    if (sched.hostEqns.has(e)) continue;
    const kind = scheduleKind(e.prim, { randomOnDevice: true });
    if (e.prim === 'matmul' && e.inputs[0].aval.dtype === 'c64') {
      let [a, b] = e.inputs.map(conjugatedView);
      const [v] = e.outputs;
      const out = temp(v.aval);
      const ctx = templateContext(uniqueName('matmul'));
      const conj = { a: a.conj, b: b.conj };
      // One real operand (a cast read in place): half the products, where the layout allows.
      const mixed = a.view.dtype !== b.view.dtype ? mixedMatmul(ctx, a.view, b.view, out, conj) : undefined;
      if (mixed) kernels.push(...mixed.map(templateKernel(e, ctx)));
      else {
        if (a.view.dtype !== 'c64') a = { view: operandView(e.inputs[0]), conj: false };
        if (b.view.dtype !== 'c64') b = { view: operandView(e.inputs[1]), conj: false };
        kernels.push(...complexMatmul(ctx, a.view, b.view, out, { a: a.conj, b: b.conj }).map(templateKernel(e, ctx)));
      }
      views.set(v, out);
      continue;
    }
    if (kind === 'kernel' && isReduction(e.prim)) {
      const fused = fusedOperand(e.inputs[0]);
      if (fused) {
        const [v] = e.outputs;
        const out = temp(v.aval);
        const ctx = templateContext(uniqueName(e.prim));
        const first = kernels.length;
        // A c64 sum: the real parts into the even floats of the output, the imaginary into the odd.
        const outs = fused.parts.length === 1 ? [out] : fused.parts.map((_, i): View => ({ ...out, dtype: 'f32', offset: out.offset + i }));
        kernels.push(...reductionOf(ctx, e.prim, e.params as PrimParams['argmax'], fused.parts, outs).map(templateKernel(e, ctx)));
        for (let i = first; i < kernels.length; i++) kernels[i] = { ...kernels[i], computes: list([...fused.eqns, e]) };
        views.set(v, out);
        continue;
      }
    }
    if (kind === 'kernel') {
      const ins = e.inputs.map(operandView);
      const outs = e.outputs.map((v) => temp(v.aval));
      const ctx = templateContext(uniqueName(e.prim));
      const rule = templateRules[e.prim];
      if (!rule) throw new Error(`jit (cpu): no CPU template for '${e.prim}'`);
      kernels.push(...rule(ctx, ins, e.params as never, outs).map(templateKernel(e, ctx)));
      e.outputs.forEach((v, i) => views.set(v, outs[i]));
      continue;
    }
    const v = e.outputs[0];
    if (e.prim === 'concat' && !views.has(v)) {
      materializeConcat(e);
      continue;
    }
    if (sched.materialized.has(v) && !views.has(v) && !folded.has(v) && !intoReduction.has(v)) {
      const free = viewOf(v);
      if (free) views.set(v, free);
      else materialize(v);
    }
  }

  const outputs: CpuOutput[] = ir.outAtoms.map((a) => {
    if (a instanceof Lit) return { aval: a.aval, literal: a };
    return { aval: a.aval, view: operandView(a) };
  });
  return { ir, program: { name: opts.name ?? 'jit', buffers, kernels }, hostEqns, inputs, outputs, maps };
}

const gcdOf = (a: number, b: number): number => (b === 0 ? Math.abs(a) : gcdOf(b, a % b));

const isReduction = (p: string): p is 'reduce_sum' | 'reduce_max' | 'argmax' => p === 'reduce_sum' || p === 'reduce_max' || p === 'argmax';

/**
 * Elementwise values whose one reader is a reduction (sum, max, argmax) and that are no program
 * output: the reduction computes them in its reads, however expensive (it reads each element
 * once, so nothing is computed twice), and they get no map kernel. The shared schedule
 * materialises an expensive operand of a template kernel for the GPU path's sake.
 */
function readOnlyByOneReduction(ir: IR): Set<Var> {
  const readers = new Map<Var, Eqn[]>();
  for (const e of ir.eqns) for (const a of e.inputs) if (!(a instanceof Lit)) readers.set(a, [...(readers.get(a) ?? []), e]);
  const outputs = new Set(ir.outAtoms.filter((a): a is Var => !(a instanceof Lit)));
  const out = new Set<Var>();
  for (const e of ir.eqns) {
    if (e.outputs.length !== 1 || e.prim === 'concat' || codegenKind(e.prim) !== 'elementwise') continue;
    const v = e.outputs[0];
    const r = readers.get(v) ?? [];
    if (!outputs.has(v) && r.length === 1 && isReduction(r[0].prim) && r[0].inputs[0] === v) out.add(v);
  }
  return out;
}

/** cast of a real value to c64 (its imaginary part is zero). */
const isRealToComplex = (e: Eqn): boolean =>
  e.prim === 'cast' && (e.params as PrimParams['cast']).dtype === 'c64' && e.inputs[0].aval.dtype === 'f32';

/**
 * Values that complex matmuls read through conjugations and views of a buffer, and that
 * nothing else reads: they get no buffer of their own (see conjugatedView).
 */
function foldedIntoComplexMatmuls(ir: IR): Set<Var> {
  const consumers = new Map<Var, Eqn[]>();
  for (const e of ir.eqns) for (const a of e.inputs) if (!(a instanceof Lit)) consumers.set(a, [...(consumers.get(a) ?? []), e]);
  const outputs = new Set(ir.outAtoms.filter((a): a is Var => !(a instanceof Lit)));
  const folded = new Set<Var>();
  for (let i = ir.eqns.length - 1; i >= 0; i--) {
    const e = ir.eqns[i];
    if (e.outputs.length !== 1 || (e.prim !== 'conj' && !isRealToComplex(e) && codegenKind(e.prim) !== 'view') || e.inputs.length !== 1) continue;
    const v = e.outputs[0];
    if (v.aval.dtype !== 'c64' || outputs.has(v)) continue;
    const uses = consumers.get(v) ?? [];
    const ok = uses.length > 0 && uses.every((u) => (u.prim === 'matmul' && u.inputs[0].aval.dtype === 'c64') || folded.has(u.outputs[0]));
    if (ok) folded.add(v);
  }
  return folded;
}

/** Elements per work unit of a map kernel, at least (so a launch is not split too finely). */
const MIN_UNIT = 1024;

/**
 * A map kernel writing `v` into `out`, over the flat index or over rows of the innermost axis;
 * four elements per iteration, then a scalar tail. The units
 * are rows or blocks of rows/flat ranges, enough to split across the threads.
 */
function mapKernel(name: string, v: Var, out: View, env: ConstructorParameters<typeof ValueEmitter>[0], threads: number, mode: 'flat' | 'rows'): Kernel {
  const shape = v.aval.shape;
  const n = sizeOf(shape);
  const lanes = v.aval.dtype === 'c64' ? 2 : 1;
  const rank = shape.length;
  const inner = mode === 'rows' ? shape[rank - 1] : n;
  const rows = n / inner;
  const wantUnits = 4 * threads;
  const perRow = rows >= wantUnits ? 1 : Math.max(1, Math.min(Math.ceil(inner / MIN_UNIT), Math.ceil(wantUnits / rows)));
  const blockLen = Math.ceil(Math.ceil(inner / perRow) / LANES) * LANES;
  const blocks = Math.ceil(inner / blockLen);
  const units = rows * blocks;
  const names = { next: 0, prefix: 't' };
  const body = new Block(names);

  // `at` is the storage index of the (first) element; elements of a row are `lanes` apart.
  const store = (b: Block, at: Expr, value: { re: Expr; im?: Expr }, vector: boolean): void => {
    if (lanes === 1) b.store(out.buf, at, value.re);
    else if (vector) b.storePair(out.buf, at, value.re, value.im as Expr);
    else {
      const i = b.bind(at);
      b.store(out.buf, i, value.re);
      b.store(out.buf, iadd(i, i32(1)), value.im as Expr);
    }
  };
  const contiguousOut = out.offset === 0 && out.strides.every((st, i) => shape[i] === 1 || st === lanes * sizeOf(shape.slice(i + 1)));
  if (!contiguousOut && (mode === 'flat' || out.strides[rank - 1] !== lanes)) throw new Error(`jit (cpu): map kernel '${name}' cannot write a strided output in ${mode} mode`);

  body.for(START, END, (u, b) => {
    const row = blocks === 1 ? u : b.bind(idiv(u, blocks));
    const j0 = blocks === 1 ? i32(0) : b.bind(imul(irem(u, blocks), i32(blockLen)));
    const j1 = blocks === 1 ? i32(inner) : b.bind(min(iadd(j0, i32(blockLen)), i32(inner)));
    const rowStart = inner === n ? i32(0) : b.bind(imul(row, i32(inner)));
    const outerShape = inner === n ? [] : shape.slice(0, rank - 1);
    const outerCoords = Coords.fromFlat(outerShape, affine(row)).axes;
    const outRow = contiguousOut
      ? imul(rowStart, i32(lanes))
      : b.bind(outerCoords.reduce<Expr>((acc, c, i) => iadd(acc, imul((c as Ix & { kind: 'affine' }).base, i32(out.strides[i]))), i32(out.offset)));
    const coordsAt = (j: Expr, vector: boolean, bb: Block): { coords: Coords; flat: Expr } => {
      const flat = bb.bind(iadd(rowStart, j));
      const align = vector ? (inner % LANES === 0 || inner === n ? LANES : 1) : 1;
      const step = vector ? 1 : 0;
      if (inner === n) return { coords: Coords.fromFlat(shape, affine(flat, step, align)), flat };
      return { coords: Coords.of(shape, [...outerCoords, affine(j, step, LANES)], affine(flat, step, align)), flat };
    };
    // Vector loop: j + 4 <= j1.
    const outAt = (flat: Expr, j: Expr): Expr => (contiguousOut ? imul(flat, i32(lanes)) : iadd(outRow, imul(j, i32(lanes))));
    // Blocks are whole vectors except the row's last, so the loops that cannot run are left out.
    if (inner >= LANES) {
      b.for(j0, isub(j1, i32(LANES - 1)), (j, vb) => {
        const { coords, flat } = coordsAt(j, true, vb);
        store(vb, outAt(flat, j), new ValueEmitter(env, vb, true).value(v, coords), true);
      }, LANES, 'j');
    }
    if (inner % LANES !== 0) {
      const tail = b.bind(iadd(j0, imul(idiv(isub(j1, j0), LANES), i32(LANES))));
      b.for(tail, j1, (j, sb) => {
        const { coords, flat } = coordsAt(j, false, sb);
        store(sb, outAt(flat, j), new ValueEmitter(env, sb, false).value(v, coords), false);
      }, 1, 'k');
    }
  });
  return { name, units, unitCost: Math.ceil(n / units) * 4, body: body.stmts };
}
