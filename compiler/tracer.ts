/**
 * The tracer: turns a function over tensors into an IR. While a trace is active every bound
 * primitive appends an equation; values from outside it (concrete tensors, or tracers of an
 * enclosing trace) become constVars, scalars become literals. With no trace active, bind
 * evaluates through the reference interpreter: eager mode.
 */
import { concreteTensor, Tensor, type TraceRef } from './tensor';
import { RuleError, ShapeDtypeError, userCallSite } from './errors';
import { evalIR, interpRules, type InterpRule } from './interpreter/index';
import { type Atom, type AVal, type Eqn, type IR, Lit, Var } from './ir';
import type { NDArray } from './ndarray';
import type { Prim, PrimParams } from './primitives';
import { shapeRules, type ShapeRule } from './rules/shape';
import { captureSite } from './site';

export class Trace implements TraceRef {
  readonly eqns: Eqn[] = [];
  readonly constVars: Var[] = [];
  readonly consts: Tensor[] = [];
  private readonly constOf = new Map<Tensor | NDArray, Var>();
  active = true;
  constructor(readonly level: number) {}

  /** The atom standing for `t` in this trace. */
  atomOf(t: Tensor): Atom {
    if (t.impl.kind === 'tracer' && t.impl.trace === this) return t.impl.v;
    if (t.impl.kind === 'tracer' && !t.impl.trace.active) {
      throw new Error(
        `a traced value (${t.dtype}[${t.shape.join(',')}]) escaped the function that was being transformed and was used afterwards`,
      );
    }
    if (t.impl.kind !== 'tracer' && t.size === 1 && t.ndim === 0) {
      const d = t.value().data;
      return new Lit(t.dtype, d[0], t.dtype === 'c64' ? d[1] : 0);
    }
    const key = t.impl.kind === 'concrete' ? t.impl.value : t;
    let v = this.constOf.get(key);
    if (!v) {
      v = new Var(t.aval);
      this.constOf.set(key, v);
      this.constVars.push(v);
      this.consts.push(t);
    }
    return v;
  }
}

const stack: Trace[] = [];

export const currentTrace = (): Trace | undefined => stack[stack.length - 1];

function inferAvals<P extends Prim>(prim: P, avals: readonly AVal[], params: PrimParams[P]): AVal[] {
  try {
    return (shapeRules[prim] as ShapeRule<P>)(avals, params);
  } catch (e) {
    if (e instanceof RuleError) throw new ShapeDtypeError(prim, avals, e.message, userCallSite());
    throw e;
  }
}

/** Applies a primitive: records it in the innermost trace, or evaluates it eagerly. */
export function bind<P extends Prim>(prim: P, inputs: readonly Tensor[], params: PrimParams[P]): Tensor[] {
  const outAvals = inferAvals(prim, inputs.map((t) => t.aval), params);
  const trace = currentTrace();
  if (!trace) {
    const outs = (interpRules[prim] as InterpRule<P>)(inputs.map((t) => t.value()), params);
    return outs.map((o) => concreteTensor(o));
  }
  const outVars = outAvals.map((a) => new Var(a));
  trace.eqns.push({ prim, inputs: inputs.map((t) => trace.atomOf(t)), outputs: outVars, params, site: captureSite() });
  return outVars.map((v) => new Tensor({ kind: 'tracer', trace, v }, v.aval));
}

export const bind1 = <P extends Prim>(prim: P, inputs: readonly Tensor[], params: PrimParams[P]): Tensor => bind(prim, inputs, params)[0];

/** An IR with the outer values its constVars stand for. */
export interface TracedIR {
  readonly ir: IR;
  readonly consts: readonly Tensor[];
}

/** Traces f on arguments of the given abstract values. */
export function traceFlat(f: (...args: Tensor[]) => readonly Tensor[], avals: readonly AVal[]): TracedIR {
  const trace = new Trace(stack.length);
  stack.push(trace);
  try {
    const inVars = avals.map((a) => new Var({ shape: [...a.shape], dtype: a.dtype }));
    const args = inVars.map((v) => new Tensor({ kind: 'tracer', trace, v }, v.aval));
    const outs = f(...args);
    const outAtoms = outs.map((t) => {
      if (!(t instanceof Tensor)) throw new TypeError(`a traced function must return tensors, got ${typeof t}`);
      return trace.atomOf(t);
    });
    return { ir: { constVars: trace.constVars, inVars, eqns: trace.eqns, outAtoms }, consts: trace.consts };
  } finally {
    trace.active = false;
    stack.pop();
  }
}

/**
 * Runs an IR on tensors: re-binds its equations in the current trace (so transformations
 * compose), or evaluates it with the interpreter when nothing is being traced.
 */
export function applyIR(ir: IR, consts: readonly Tensor[], args: readonly Tensor[]): Tensor[] {
  const all = [...consts, ...args];
  if (!currentTrace() && all.every((t) => !t.isTracer)) {
    return evalIR(ir, consts.map((t) => t.value()), args.map((t) => t.value())).map((v) => concreteTensor(v));
  }
  const env = new Map<Var, Tensor>();
  ir.constVars.forEach((v, i) => env.set(v, consts[i]));
  ir.inVars.forEach((v, i) => env.set(v, args[i]));
  const read = (a: Atom): Tensor => (a instanceof Lit ? litTensor(a) : (env.get(a) ?? missing(a)));
  for (const e of ir.eqns) {
    const outs = bind(e.prim, e.inputs.map(read), e.params);
    e.outputs.forEach((v, i) => env.set(v, outs[i]));
  }
  return ir.outAtoms.map(read);
}

function missing(v: Var): never {
  throw new Error(`applyIR: variable ${v.id} used before it is defined`);
}

export function litTensor(l: Lit): Tensor {
  return concreteTensor({ dtype: l.dtype, shape: [], data: Float64Array.from(l.dtype === 'c64' ? [l.re, l.im] : [l.re]) });
}
