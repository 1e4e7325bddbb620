/**
 * Emission of fused values: the value of a variable at given coordinates, as gpu.js source.
 * Materialised variables are read from their buffers; fused ones are computed from their
 * producers' inputs, recursively. In statement mode (the body of a map kernel) every
 * intermediate is bound to a local once per coordinate tuple, so shared subexpressions are
 * computed once; in expression mode (an operand read inside another template) the value is
 * one expression.
 */
import type { Operand } from '../../kernels/operand';
import type { Binding } from '../../kernels/plan';
import type { Atom, Eqn, Var } from '../ir';
import { Lit } from '../ir';
import type { Prim } from '../primitives';
import { codegenRules, type CodegenRule } from './codegen';
import { literal } from '../../kernels/source';
import type { ValueExpr } from './scalarCode';
import { clampCoord } from './viewCode';

export interface EmitEnv {
  /** Whether reads at computed coordinates are clamped into range (see viewCode). */
  readonly clampReads: boolean;
  /** The operand of a materialised variable (undefined while it is fused). */
  operandOf(v: Var): Operand | undefined;
  producer(v: Var): Eqn | undefined;
}

export class Emitter {
  readonly statements: string[] = [];
  readonly bindings: Binding[] = [];
  private readonly memo = new Map<string, ValueExpr>();
  private counter = 0;

  constructor(
    private readonly env: EmitEnv,
    private readonly statementMode: boolean,
    private readonly prefix = '_v',
  ) {}

  bind = (expr: string): string => {
    if (!this.statementMode || /^[\w.]+$/.test(expr)) return expr;
    const name = `${this.prefix}${this.counter++}`;
    this.statements.push(`const ${name} = ${expr};`);
    return name;
  };

  value(a: Atom, rawCoords: readonly string[]): ValueExpr {
    if (a instanceof Lit) return { re: literal(a.re), im: literal(a.im) };
    // Templates pass coordinates such as `_k + 1`; views compose them into larger expressions.
    const coords = rawCoords.map((c) => (/^[\w.]+$/.test(c) ? c : `(${c})`));
    const key = `${a.id}@${coords.join(',')}`;
    const hit = this.memo.get(key);
    if (hit) return hit;
    const v = this.compute(a, coords);
    const complex = a.aval.dtype === 'c64';
    const bound = { re: this.bind(v.re), im: complex ? this.bind(v.im) : '0.0' };
    this.memo.set(key, bound);
    return bound;
  }

  private compute(v: Var, coords: readonly string[]): ValueExpr {
    const op = this.env.operandOf(v);
    if (op) {
      for (const b of op.bindings) if (!this.bindings.some((x) => x.param === b.param)) this.bindings.push(b);
      return { re: op.read(coords, 're'), im: op.dtype === 'c64' ? op.read(coords, 'im') : '0.0' };
    }
    const e = this.env.producer(v);
    if (!e) throw new Error(`jit: variable ${v.id} has neither a buffer nor a producer`);
    const rule = codegenRules[e.prim] as CodegenRule<Prim>;
    const dtypes = e.inputs.map((x) => x.aval.dtype);
    if (rule.kind === 'elementwise') {
      return rule.code(e.inputs.map((x) => this.value(x, coords)), dtypes, e.params as never);
    }
    if (rule.kind === 'view') {
      return rule.code(
        {
          coords,
          inAvals: e.inputs.map((x) => x.aval),
          outAval: v.aval,
          read: (i, c) => this.value(e.inputs[i], c),
          bind: this.bind,
          clamp: (c, size) => (this.env.clampReads ? clampCoord(c, size) : size === 1 ? '0.0' : c),
        },
        e.params as never,
      );
    }
    throw new Error(`jit: '${e.prim}' cannot be fused; its output should have been materialised`);
  }
}
