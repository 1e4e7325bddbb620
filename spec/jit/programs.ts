/**
 * Random well-typed programs for the compiled-vs-interpreted property. A program is drawn as
 * raw choices (input types, then one record of small integers per step) and built into a
 * typed DAG deterministically: step k applies the operation its choice names (or the next one
 * in the table that applies) to earlier values its choices select, so every prefix and every
 * shrunk choice list is again a well-typed program of the same number of steps. Programs are
 * plain data: a failing one prints as JSON and is replayed by `programFunction`.
 */
import fc from 'fast-check';
import type { Tensor } from '../../src/index';
import { type ArgSpec, randomArgs } from './inputs';
import { broadcastShape, PROGRAM_OPS, type ValueType } from './programOps';

/** One step's choices: the operation, its operands (indices into earlier values), a parameter. */
export interface StepChoice {
  readonly op: number;
  readonly a: number;
  readonly b: number;
  readonly p: number;
}

export interface RawProgram {
  readonly inputs: readonly ValueType[];
  readonly steps: readonly StepChoice[];
  /** Seed of the argument values. */
  readonly seed: number;
}

export interface BuiltStep {
  readonly op: string;
  readonly args: readonly number[];
  readonly p: number;
  readonly type: ValueType;
}

export interface Program {
  readonly inputs: readonly ValueType[];
  readonly steps: readonly BuiltStep[];
  /** Value indices returned (inputs come first in the numbering, then steps). */
  readonly outputs: readonly number[];
}

const opByName = new Map(PROGRAM_OPS.map((o) => [o.name, o]));

/** How far back the first operand of a step may reach: programs are mostly chains, with skips. */
const REACH = 3;
/** At most this many values are returned: the last step's and the latest other unread ones. */
const MAX_OUTPUTS = 3;

/**
 * Builds the typed program a list of choices describes. Step k's first operand is one of the
 * REACH latest values, its second any earlier value whose shape broadcasts with the first's;
 * the operation is chosen among those that apply to them. The program returns the values no
 * later step reads (the last step's, and up to MAX_OUTPUTS − 1 others), so few steps are dead.
 */
export function buildProgram(raw: RawProgram): Program {
  const types: ValueType[] = [...raw.inputs];
  const steps: BuiltStep[] = [];
  const read = new Set<number>();
  for (const s of raw.steps) {
    const a = types.length - 1 - (s.a % Math.min(types.length, REACH));
    const ta = types[a];
    const partners = types.flatMap((t, i) => (broadcastShape(ta.shape, t.shape) ? [i] : []));
    const b = partners[s.b % partners.length];
    const usable = PROGRAM_OPS.filter((o) => o.applies(ta, o.arity === 2 ? types[b] : undefined));
    const op = usable[s.op % usable.length];
    const args = op.arity === 2 ? [a, b] : [a];
    args.forEach((i) => read.add(i));
    const type = op.type(s.p, ta, op.arity === 2 ? types[b] : undefined);
    steps.push({ op: op.name, args, p: s.p, type });
    types.push(type);
  }
  const first = raw.inputs.length;
  const last = types.length - 1;
  const unread = steps.map((_, k) => first + k).filter((i) => i !== last && !read.has(i));
  return { inputs: raw.inputs, steps, outputs: [...unread.slice(-(MAX_OUTPUTS - 1)), last] };
}

/** The program as a function of its inputs (eager on concrete tensors, traced under jit). */
export function programFunction(prog: Program): (...xs: Tensor[]) => Tensor[] {
  return (...xs) => {
    const values: Tensor[] = [...xs];
    for (const s of prog.steps) {
      const op = opByName.get(s.op);
      if (!op) throw new Error(`program: unknown operation '${s.op}'`);
      const v = op.apply(s.p, values[s.args[0]], s.args.length > 1 ? values[s.args[1]] : undefined);
      if (v.dtype !== s.type.dtype || v.shape.join() !== s.type.shape.join()) {
        throw new Error(`program generator: '${s.op}' gave ${v.dtype}[${v.shape}], its type rule says ${s.type.dtype}[${s.type.shape}]`);
      }
      values.push(v);
    }
    return prog.outputs.map((i) => values[i]);
  };
}

/** The largest |value| of any element of any input or intermediate (evaluated eagerly). */
export function largestValue(prog: Program, xs: readonly Tensor[]): number {
  const all: Program = { ...prog, outputs: Array.from({ length: prog.inputs.length + prog.steps.length }, (_, i) => i) };
  let m = 0;
  for (const v of programFunction(all)(...xs)) for (const x of v.data64()) if (Number.isFinite(x)) m = Math.max(m, Math.abs(x));
  return m;
}

/** Float32 argument values for a program. */
export const programArgs = (prog: Program, seed: number): Tensor[] =>
  randomArgs(seed, prog.inputs.map((t): ArgSpec => ({ shape: t.shape, dtype: t.dtype })));

/** A readable listing: one line per step, `v5 = mul(v1, v3) : c64[2,3]`. */
export function showProgram(prog: Program): string {
  const name = (i: number) => `v${i}`;
  const ty = (t: ValueType) => `${t.dtype}[${t.shape.join(',')}]`;
  const lines = prog.inputs.map((t, i) => `${name(i)} : ${ty(t)} (input)`);
  prog.steps.forEach((s, k) => lines.push(`${name(prog.inputs.length + k)} = ${s.op}(${s.args.map(name).join(', ')}; p=${s.p}) : ${ty(s.type)}`));
  lines.push(`return ${prog.outputs.map(name).join(', ')}`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// fast-check arbitraries

/** Axis lengths: size 1, small primes, powers of two. */
const DIMS = [1, 2, 3, 4, 5, 7, 8];

const shapeArb: fc.Arbitrary<number[]> = fc
  .array(fc.constantFrom(...DIMS), { minLength: 0, maxLength: 3 })
  .filter((s) => s.reduce((a, b) => a * b, 1) <= 48);

const inputArb: fc.Arbitrary<ValueType> = fc.record({ shape: shapeArb, dtype: fc.constantFrom<'f32' | 'c64'>('f32', 'f32', 'c64') });

const stepArb: fc.Arbitrary<StepChoice> = fc.record({ op: fc.nat(1000), a: fc.nat(1000), b: fc.nat(1000), p: fc.nat(63) });

export interface ProgramSize {
  readonly minSteps: number;
  readonly maxSteps: number;
}

export const rawProgramArb = ({ minSteps, maxSteps }: ProgramSize): fc.Arbitrary<RawProgram> =>
  fc.record({
    // Inputs of related shapes broadcast with each other: the second input often reuses the first's trailing axes.
    inputs: fc.tuple(inputArb, fc.array(inputArb, { minLength: 0, maxLength: 3 }), fc.boolean()).map(([first, rest, related]) =>
      related && first.shape.length ? [first, { shape: first.shape.slice(1), dtype: 'f32' as const }, ...rest] : [first, ...rest],
    ),
    steps: fc.array(stepArb, { minLength: minSteps, maxLength: maxSteps }),
    seed: fc.nat(1_000_000),
  });
