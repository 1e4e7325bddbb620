/**
 * Lowering: an optimised IR becomes one kernel plan. Inputs and captured constants become
 * plan buffers; host equations (random bits) become extra plan inputs computed before launch;
 * every materialised variable becomes one kernel (a fused map, or a template instance); the
 * program outputs are packed into one buffer so a call does one upload and one readback.
 */
import type { GpuJsBackend } from '../../kernels/backends';
import { describeBackend } from '../../kernels/capabilities';
import { type Dtype, type Operand, operandOf } from '../../kernels/operand';
import { type Binding, type BufferRef, type KernelPlan, PlanBuilder } from '../../kernels/plan';
import { elementwise } from '../../kernels/templates/elementwise';
import type { AVal, Eqn, IR, Var } from '../ir';
import { Lit } from '../ir';
import { lanes, type NDArray } from '../ndarray';
import type { Prim } from '../primitives';
import { sizeOf } from '../shape';
import { codegenRules, type CodegenRule } from './codegen';
import { Emitter, type EmitEnv } from './emit';
import { indexLiteral, literal, unravel } from '../../kernels/source';
import { schedule } from './schedule';

/** Where an output lives in the packed result. */
export interface OutputSlot {
  readonly aval: AVal;
  readonly offset: number;
  /** Set when the output is a literal (no kernel computes it). */
  readonly literal?: Lit;
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
}

/** Buffers one kernel may read (the backend descriptor's limit; unlimited without a backend). */
const maxReadsOf = (backend: GpuJsBackend | undefined): number => (backend ? describeBackend(backend).maxReads : Infinity);

export function lowerIR(ir: IR, consts: readonly NDArray[], opts: LowerOptions = {}): LoweredProgram {
  const name = opts.name ?? 'jit';
  const sched = schedule(ir);
  const b = new PlanBuilder(name);
  const operands = new Map<Var, Operand>();
  const planInputs: LoweredProgram['planInputs'][number][] = [];
  const bindBuffer = (v: Var, buf: BufferRef): void => {
    operands.set(v, v.aval.shape.length ? operandOf(buf, v.aval.shape, storage(v.aval)) : scalarOperand(buf, storage(v.aval)));
  };
  ir.inVars.forEach((v, i) => {
    bindBuffer(v, b.input(`in${i}`, Math.max(floats(v.aval), 1)));
    planInputs.push({ kind: 'arg', index: i });
  });
  ir.constVars.forEach((v, i) => bindBuffer(v, b.constant(`k${i}`, Float32Array.from(consts[i].data))));
  const hostEqns = ir.eqns.filter((e) => sched.hostEqns.has(e));
  const hostNeeded = new Set<Var>();
  for (const e of ir.eqns) if (!sched.hostEqns.has(e)) for (const a of e.inputs) if (!(a instanceof Lit)) hostNeeded.add(a);
  for (const a of ir.outAtoms) if (!(a instanceof Lit)) hostNeeded.add(a);
  for (const e of hostEqns) {
    for (const v of e.outputs) {
      if (!hostNeeded.has(v)) continue;
      bindBuffer(v, b.input(`h${planInputs.length}`, floats(v.aval)));
      planInputs.push({ kind: 'host', v });
    }
  }

  const maxReads = maxReadsOf(opts.backend);
  const env = {
    clampReads: opts.clampReads ?? true,
    operandOf: (v: Var) => operands.get(v),
    producer: (v: Var) => sched.producer.get(v),
    materialize: (v: Var) => operands.set(v, reshapeOperand(mapKernel(b, env, v), v.aval)),
  };
  const expressionOperand = (a: Var | Lit): Operand => {
    if (!(a instanceof Lit)) {
      const op = operands.get(a);
      if (op) return op;
    }
    if (!(a instanceof Lit) && readsOf(env, a) > maxReads - 1) {
      splitReads(b, env, a, maxReads - 1);
      if (readsOf(env, a) > maxReads - 1) env.materialize(a);
      const op = operands.get(a);
      if (op) return op;
    }
    const probe = new Emitter(env, false);
    probe.value(a, a.aval.shape.map((_, i) => `_p${i}`));
    return {
      shape: viewShape(a.aval),
      dtype: storage(a.aval),
      bindings: probe.bindings,
      read: (coords, part) => {
        const v = new Emitter(env, false).value(a, a.aval.shape.length ? coords : []);
        return part === 're' ? v.re : v.im;
      },
    };
  };

  for (const e of ir.eqns) {
    if (sched.hostEqns.has(e)) continue;
    const rule = codegenRules[e.prim] as CodegenRule<Prim>;
    if (rule.kind === 'kernel') {
      const outs = rule.lower(b, e.inputs.map(expressionOperand), e.params as never, e.outputs.map((v) => v.aval), e.inputs.map((a) => a.aval), { backend: opts.backend ?? 'cpu' });
      e.outputs.forEach((v, i) => operands.set(v, reshapeOperand(outs[i], v.aval)));
      continue;
    }
    const v = e.outputs[0];
    if (!sched.materialized.has(v)) continue;
    splitReads(b, env, v, maxReads);
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
  for (const a of ir.outAtoms) if (!(a instanceof Lit) && !operands.get(a)) splitReads(b, env, a, maxReads - 1);
  const packed = packOutputs(b, env, ir, slots, Math.max(offset, 1), maxReads);
  return { plan: b.build(packed), ir, hostEqns, planInputs, outputs: slots, packedLength: offset };
}

function scalarOperand(buf: BufferRef, dtype: Dtype): Operand {
  const op = operandOf(buf, [1], dtype);
  return { ...op, shape: [1], read: (_c, part) => op.read(['0'], part) };
}

/** Operands of rank-0 values read with no coordinates. */
function reshapeOperand(op: Operand, aval: AVal): Operand {
  return aval.shape.length ? op : { ...op, read: (_c, part) => op.read(op.shape.map(() => '0'), part) };
}

/** Buffers the fused value `v` reads. */
function readsOf(env: EmitEnv, v: Var): number {
  const probe = new Emitter(env, true);
  probe.value(v, v.aval.shape.map((_, i) => `_p${i}`));
  return probe.bindings.length;
}

/**
 * Materialises fused inputs of `v` (largest first) until `v` reads at most `maxReads` buffers,
 * so no kernel exceeds the backend's limit.
 */
function splitReads(b: PlanBuilder, env: EmitEnv & { materialize(v: Var): void }, v: Var, maxReads: number): void {
  while (readsOf(env, v) > maxReads) {
    const e = env.producer(v);
    const fused = (e?.inputs ?? []).filter((a): a is Var => !(a instanceof Lit) && !env.operandOf(a));
    if (fused.length === 0) throw new Error(`jit: '${e?.prim}' reads more than ${maxReads} buffers, the backend's limit`);
    const reads = fused.map((x) => readsOf(env, x));
    const widest = fused[reads.indexOf(Math.max(...reads))];
    splitReads(b, env, widest, maxReads);
    env.materialize(widest);
  }
}

function mapKernel(b: PlanBuilder, env: EmitEnv, v: Var): Operand {
  const probe = new Emitter(env, true);
  probe.value(v, v.aval.shape.map((_, i) => `_p${i}`));
  return elementwise(b, {
    name: 'fused',
    shape: viewShape(v.aval),
    dtype: storage(v.aval),
    bindings: probe.bindings,
    body: (coords, part) => {
      const em = new Emitter(env, true);
      const val = em.value(v, v.aval.shape.length ? coords : []);
      return { statements: em.statements, value: part === 're' ? val.re : val.im };
    },
  });
}

/**
 * The pack kernels: write every output into one flat buffer. Materialised outputs are read
 * through their operands (which may be views of a larger buffer, e.g. one component of a scan);
 * fused ones are computed here, so they never get a buffer of their own. Where a backend limits
 * the buffers one kernel reads, the outputs are packed by a chain of kernels, each copying the
 * previous one's buffer and adding its own outputs.
 */
function packOutputs(b: PlanBuilder, env: EmitEnv, ir: IR, slots: readonly OutputSlot[], length: number, maxReads: number): BufferRef {
  type Piece = { start: number; end: number; bindings: readonly Binding[]; emit: (local: string) => { statements: string[]; value: string } };
  const pieces: Piece[] = [];
  slots.forEach((s, i) => {
    const n = floats(s.aval);
    if (n === 0) return;
    const complex = s.aval.dtype === 'c64';
    const partOf = (local: string) => `(${local} - Math.floor(${local} / 2.0) * 2.0)`;
    const range = { start: s.offset, end: s.offset + n };
    if (s.literal) {
      const { re, im } = s.literal;
      pieces.push({ ...range, bindings: [], emit: (local) => ({ statements: [], value: complex ? `(${partOf(local)} < 0.5 ? ${literal(re)} : ${literal(im)})` : literal(re) }) });
      return;
    }
    const v = ir.outAtoms[i] as Var;
    const probe = new Emitter(env, true);
    probe.value(v, v.aval.shape.map((_, k) => `_p${k}`));
    pieces.push({
      ...range,
      bindings: probe.bindings,
      emit: (local) => {
        const em = new Emitter(env, true, `_o${i}_`);
        const element = complex ? `Math.floor(${local} / 2.0)` : local;
        const val = em.value(v, unravel(element, v.aval.shape));
        return { statements: em.statements, value: complex ? `(${partOf(local)} < 0.5 ? ${val.re} : ${val.im})` : val.re };
      },
    });
  });
  // Group pieces so that each kernel stays within the read limit (one read is the previous pack).
  const groups: Piece[][] = [];
  let current: Piece[] = [];
  const params = (ps: readonly Piece[]) => new Set(ps.flatMap((p) => p.bindings.map((x) => x.param)));
  for (const p of pieces) {
    const limit = groups.length === 0 ? maxReads : maxReads - 1;
    if (current.length && params([...current, p]).size > limit) {
      groups.push(current);
      current = [];
    }
    current.push(p);
  }
  groups.push(current);
  let prev: BufferRef | undefined;
  for (const group of groups) {
    const bindings: Binding[] = [];
    for (const p of group) for (const x of p.bindings) if (!bindings.some((y) => y.param === x.param)) bindings.push(x);
    const previous = prev ? operandOf(prev, [length], 'f32', 'packed') : undefined;
    if (previous) bindings.push(...previous.bindings);
    const body = (coords: readonly string[]) => {
      const cell = coords[0];
      const lines: string[] = [];
      for (const p of group) {
        const local = p.start ? `(${cell} - ${indexLiteral(p.start)})` : cell;
        const { statements, value } = p.emit(local);
        lines.push(`if (${cell} >= ${indexLiteral(p.start)} && ${cell} < ${indexLiteral(p.end)}) {`, ...statements.map((l) => `  ${l}`), `  return ${value};`, '}');
      }
      return { statements: lines, value: previous ? previous.read([cell], 're') : '0.0' };
    };
    const out = elementwise(b, { name: 'pack', shape: [length], dtype: 'f32', bindings, body: (c) => body(c) });
    prev = out.bindings[0].buffer;
  }
  return prev as BufferRef;
}
