/**
 * The IR: typed variables, literals, primitive applications (equations) and programs.
 * An IR is immutable: passes build new ones. Variables are identified by object identity; the
 * printer gives them short names.
 */
import type { Site } from './site';
import type { DType } from './dtype';
import type { NDArray } from './ndarray';
import type { Prim, PrimParams } from './primitives';
import type { Shape } from './shape';

/** Abstract value: what is known of a variable at trace time. */
export interface AVal {
  readonly shape: Shape;
  readonly dtype: DType;
}

let nextVarId = 0;

export class Var {
  readonly id = nextVarId++;
  constructor(readonly aval: AVal) {}
}

/** A scalar constant written inline in an equation (shape [] always). */
export class Lit {
  readonly aval: AVal;
  constructor(
    readonly dtype: DType,
    readonly re: number,
    readonly im = 0,
  ) {
    this.aval = { shape: [], dtype };
  }
}

export type Atom = Var | Lit;

export interface Eqn<P extends Prim = Prim> {
  readonly prim: P;
  readonly inputs: readonly Atom[];
  readonly outputs: readonly Var[];
  readonly params: PrimParams[P];
  /** Where the user's code applied it (set by the tracer; see compiler/site.ts). */
  readonly site?: Site;
}

/**
 * A program: `constVars` are bound to captured arrays (or, while tracing inside another trace,
 * to the outer trace's values), `inVars` to the arguments.
 */
export interface IR {
  readonly constVars: readonly Var[];
  readonly inVars: readonly Var[];
  readonly eqns: readonly Eqn[];
  readonly outAtoms: readonly Atom[];
}

/** An IR together with concrete values for its constVars. */
export interface ClosedIR {
  readonly ir: IR;
  readonly consts: readonly NDArray[];
}

export function eqn<P extends Prim>(prim: P, inputs: readonly Atom[], outputs: readonly Var[], params: PrimParams[P]): Eqn<P> {
  return { prim, inputs, outputs, params };
}

export const isVar = (a: Atom): a is Var => a instanceof Var;
export const isLit = (a: Atom): a is Lit => a instanceof Lit;
