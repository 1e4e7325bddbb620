/**
 * The gpu.js renderer of the kernel IR: scalar kernel IR -> the body of a gpu.js kernel
 * function (the JavaScript subset gpu.js translates to GLSL, WGSL or runs on the CPU).
 *
 * A gpu.js kernel computes one output float per thread, so a kernel rendered here covers one
 * work unit: the IR's `start` is the thread's unit (`this.thread.x`, or a flat index of
 * `this.thread.x/y/z` for a 2-D or 3-D output grid) and `end` is `start + 1`. The unit's
 * output is the kernel's store to the buffer `out` at `start`; every path through the body
 * ends in exactly one such store, which renders as `return value;`.
 *
 * Values: every number is a float in gpu.js (float32 on webasm, webgpu and headlessgl, float64
 * JavaScript numbers on cpu). f32 renders as is; i32 as integer-valued floats, exact to 2^24
 * where the backend is float32 (its descriptor's `exactIntegers` is false; see
 * docs/backends.md); bool as 1.0/0.0 where it is a value and as a comparison where it is a
 * condition. Comparisons of f32 operands round both sides to float32 (Math.fround, the
 * identity on the float32 backends): gpu.js's cpu backend computes a fused chain in float64
 * and rounds only when it stores, so `x == max(x)` must compare the rounded values.
 *
 * i32 semantics follow the kernel IR (kernels/ir/types.ts): division truncates and gives 0 for
 * a zero divisor; `rem` is the truncated remainder (0 for a zero divisor). Where the operands
 * are provably non-negative (index arithmetic: unit numbers, coordinates, constants) division
 * is one `Math.floor`. Wrap-around at 2^31 is not emulated (float arithmetic has no
 * fixed width); bit operations, bit reinterpretation and vectors have no gpu.js form and are
 * rejected with the operation named.
 */
import type { Expr, Kernel, Stmt } from '../ir/types';
import { isVector } from '../ir/types';
import type { Dims } from '../plan';
import { atom, literal } from '../source';

/** The buffer a gpu.js kernel writes (one element per unit; see the header). */
export const OUTPUT = 'out';

export interface GpuJsRenderOptions {
  /** The grid of each buffer the kernel reads, by name (1-D when absent). */
  readonly dims?: (buf: string) => Dims | undefined;
  /** The output grid (the thread grid); 1-D by default. */
  readonly output?: Dims;
  /**
   * Names of i32 variables known to be non-negative besides `start` (coordinates supplied by a
   * template): their divisions need no truncation toward zero.
   */
  readonly nonNegative?: ReadonlySet<string>;
}

function fail(what: string): never {
  throw new Error(`gpu.js render: ${what} has no gpu.js form`);
}

const SIMPLE = /^[\w.$]+$/;
/** An operand of a binary operator: names, numbers, calls and parenthesised sources as they are. */
const paren = atom;

/** An integer as a float literal (`12.0`): gpu.js index arithmetic is float-valued. */
const intLiteral = (n: number): string => (n < 0 ? `(${n}.0)` : `${n}.0`);

/**
 * Folds an index expression made only of numeric literals to one integer literal: gpu.js's
 * GLSL translation rejects constant arithmetic such as `a[(0 + 0)]` inside an index.
 */
export function foldConstantIndex(expr: string): string {
  if (!/^[\d\s.+\-*/()]+$/.test(expr) || !/[+\-*/]/.test(expr.replace(/^\s*-/, ''))) return expr;
  const value = Function(`"use strict"; return (${expr});`)() as number;
  return Number.isInteger(value) ? String(value) : expr;
}

const truncOf = (q: string): string => `(${q} >= 0.0 ? Math.floor(${q}) : -Math.floor(-${q}))`;

/**
 * The value of an f32 or bool expression made of constants only (undefined otherwise), rounded
 * to float32 after every operation. WGSL evaluates constant expressions when it compiles and
 * rejects one whose value is not finite (Smith's complex division by a constant 0), so such
 * subtrees are rendered as one literal.
 */
function constantValue(e: Expr): number | undefined {
  switch (e.k) {
    case 'const':
      return e.v;
    case 'un': {
      const a = constantValue(e.a);
      if (a === undefined) return undefined;
      const r = ({ neg: -a, abs: Math.abs(a), sqrt: Math.sqrt(a), floor: Math.floor(a), ceil: Math.ceil(a), trunc: Math.trunc(a), not: a ? 0 : 1 } as Record<string, number>)[e.op];
      return r === undefined ? undefined : Math.fround(r);
    }
    case 'bin': {
      if (e.a.t !== 'f32' && e.a.t !== 'bool') return undefined;
      const x = constantValue(e.a);
      const y = x === undefined ? undefined : constantValue(e.b);
      if (x === undefined || y === undefined) return undefined;
      const r = ({
        add: x + y, sub: x - y, mul: x * y, div: x / y, min: Math.min(x, y), max: Math.max(x, y),
        lt: +(x < y), le: +(x <= y), gt: +(x > y), ge: +(x >= y), eq: +(x === y), ne: +(x !== y),
        and: +(!!x && !!y), or: +(!!x || !!y),
      } as Record<string, number>)[e.op];
      return r === undefined ? undefined : Math.fround(r);
    }
    case 'select': {
      const c = constantValue(e.c);
      return c === undefined ? undefined : constantValue(c ? e.a : e.b);
    }
    default:
      return undefined;
  }
}

/** Renders kernel-IR expressions and statements of one kernel. */
class Renderer {
  private readonly nonNegative = new Set<string>(['start']);
  private readonly mutable = new Set<string>();

  constructor(private readonly opts: GpuJsRenderOptions) {
    for (const n of opts.nonNegative ?? []) this.nonNegative.add(n);
  }

  /** Whether an i32 expression is provably >= 0. */
  private nonNeg(e: Expr): boolean {
    switch (e.k) {
      case 'const':
        return e.v >= 0;
      case 'get':
        return this.nonNegative.has(e.name);
      case 'cvt':
        return e.a.t === 'bool';
      case 'bin':
        if (e.op === 'max') return this.nonNeg(e.a) || this.nonNeg(e.b);
        if (e.op === 'add' || e.op === 'mul' || e.op === 'div' || e.op === 'rem' || e.op === 'min') return this.nonNeg(e.a) && this.nonNeg(e.b);
        return false;
      case 'select':
        return this.nonNeg(e.a) && this.nonNeg(e.b);
      default:
        return false;
    }
  }

  private name(n: string): string {
    return n === 'start' ? '_start' : n === 'end' ? '(_start + 1.0)' : SIMPLE.test(n) ? n : paren(n);
  }

  /** A value expression: numbers as floats, bools as 1.0/0.0. */
  value(e: Expr): string {
    if (isVector(e.t)) fail(`a ${e.t} value`);
    if (e.t === 'bool') {
      if (e.k === 'const') return e.v ? '1.0' : '0.0';
      if (e.k === 'get' || e.k === 'load' || (e.k === 'select')) return this.number(e);
      return `(${this.cond(e)} ? 1.0 : 0.0)`;
    }
    return this.number(e);
  }

  /** A condition (a JavaScript boolean) from a bool expression. */
  cond(e: Expr): string {
    if (e.t !== 'bool') fail(`a condition of type ${e.t}`);
    switch (e.k) {
      case 'const':
        return e.v ? '(1.0 > 0.0)' : '(1.0 < 0.0)';
      case 'get':
      case 'load':
      case 'select':
        return `${paren(this.number(e))} != 0.0`;
      case 'un':
        if (e.op === 'not') return `${paren(this.value(e.a))} == 0.0`;
        return fail(`'${e.op}' on bool`);
      case 'cvt':
        return `${paren(this.value(e.a))} != 0.0`;
      case 'bin': {
        const { op, a, b } = e;
        if (a.t === 'bool') {
          if (op === 'and') return `(${this.cond(a)} && ${this.cond(b)})`;
          if (op === 'or') return `(${this.cond(a)} || ${this.cond(b)})`;
          if (op === 'xor' || op === 'ne') return `${paren(this.value(a))} != ${paren(this.value(b))}`;
          if (op === 'eq') return `${paren(this.value(a))} == ${paren(this.value(b))}`;
          return fail(`'${op}' on bool`);
        }
        const sym = { lt: '<', le: '<=', gt: '>', ge: '>=', eq: '==', ne: '!=' }[op as string];
        if (!sym) return fail(`'${op}' giving bool`);
        const side = (x: Expr) => (x.t === 'f32' && x.k !== 'const' ? `Math.fround(${this.value(x)})` : paren(this.value(x)));
        return `(${side(a)} ${sym} ${side(b)})`;
      }
      default:
        return fail(`a bool '${e.k}'`);
    }
  }

  private load(buf: string, index: Expr): string {
    const dims = this.opts.dims?.(buf);
    if (index.k === 'const') {
      if (!dims || dims.length === 1) return `${buf}[${index.v}]`;
    }
    const flat = foldConstantIndex(this.value(index));
    if (!dims || dims.length === 1) return `${buf}[${flat}]`;
    // A grid buffer is indexed p[z][y][x] (x fastest).
    const f = paren(flat);
    const [X, Y] = dims;
    const q1 = `Math.floor(${f} / ${intLiteral(X)})`;
    const x = `(${f} - ${q1} * ${intLiteral(X)})`;
    if (dims.length === 2) return `${buf}[${q1}][${x}]`;
    const q2 = `Math.floor(${f} / ${intLiteral(X * Y)})`;
    const y = `(${q1} - ${q2} * ${intLiteral(Y)})`;
    return `${buf}[${q2}][${y}][${x}]`;
  }

  private number(e: Expr): string {
    if (e.t === 'f32' && e.k !== 'const') {
      const v = constantValue(e);
      if (v !== undefined && !Number.isNaN(v)) return literal(v);
    }
    switch (e.k) {
      case 'const':
        return e.t === 'f32' ? literal(e.v) : e.t === 'bool' ? (e.v ? '1.0' : '0.0') : intLiteral(e.v);
      case 'get':
        return this.name(e.name);
      case 'load':
        return this.load(e.buf, e.index);
      case 'select':
        return `(${this.cond(e.c)} ? ${this.value(e.a)} : ${this.value(e.b)})`;
      case 'cvt': {
        const from = e.a.t;
        if (e.t === 'bool') return `(${this.cond(e)} ? 1.0 : 0.0)`;
        if (from === 'f32' && e.t === 'i32') return truncOf(paren(this.value(e.a)));
        return this.value(e.a);
      }
      case 'un': {
        const a = this.value(e.a);
        switch (e.op) {
          case 'neg':
            return `(-${paren(a)})`;
          case 'abs':
            return `Math.abs(${a})`;
          case 'sqrt':
            return `Math.sqrt(${a})`;
          case 'floor':
            return `Math.floor(${a})`;
          case 'ceil':
            return `Math.ceil(${a})`;
          case 'trunc':
            return truncOf(paren(a));
          case 'nearest':
            return `Math.round(${a})`;
          default:
            return fail(`'${e.op}'`);
        }
      }
      case 'bin':
        return this.binary(e as Extract<Expr, { k: 'bin' }>);
      case 'fma':
        // A multiply and an add, one of fma's two admissible results (f32x4 ones are refused by value()).
        return `(${paren(this.value(e.a))} * ${paren(this.value(e.b))} + ${paren(this.value(e.c))})`;
      case 'call':
        return this.call(e.fn, e.args.map((x) => this.value(x)));
      default:
        return fail(`'${e.k}'`);
    }
  }

  private binary(e: Extract<Expr, { k: 'bin' }>): string {
    const { op, a, b } = e;
    if (e.t === 'bool') return `(${this.cond(e)} ? 1.0 : 0.0)`;
    const [x, y] = [paren(this.value(a)), paren(this.value(b))];
    switch (op) {
      case 'add':
        return `(${x} + ${y})`;
      case 'sub':
        return `(${x} - ${y})`;
      case 'mul':
        return `(${x} * ${y})`;
      case 'min':
        return e.t === 'i32' ? `Math.min(${x} * 1.0, ${y})` : `Math.min(${x}, ${y})`;
      case 'max':
        return e.t === 'i32' ? `Math.max(${x} * 1.0, ${y})` : `Math.max(${x}, ${y})`;
      case 'div': {
        if (e.t === 'f32') return `(${x} / ${y})`;
        const known = b.k === 'const' && b.v !== 0;
        const q = `(${x} / ${y})`;
        const t = this.nonNeg(a) && (known ? b.v > 0 : this.nonNeg(b)) ? `Math.floor${q}` : truncOf(q);
        return known ? t : `(${y} == 0.0 ? 0.0 : ${t})`;
      }
      case 'rem': {
        const known = b.k === 'const' && b.v !== 0;
        const q = `(${x} / ${y})`;
        const t = this.nonNeg(a) && (known ? b.v > 0 : this.nonNeg(b)) ? `Math.floor${q}` : truncOf(q);
        const r = `(${x} - ${t} * ${y})`;
        return known ? r : `(${y} == 0.0 ? 0.0 : ${r})`;
      }
      default:
        return fail(`'${op}' on ${e.t}`);
    }
  }

  /** The math library's functions, written with Math.* (tanh, the logistic and erf by exp). */
  private call(fn: string, args: readonly string[]): string {
    const [x, y] = args.map(paren);
    switch (fn) {
      case 'exp_f32':
        return `Math.exp(${x})`;
      case 'log_f32':
        return `Math.log(${x})`;
      case 'sin_f32':
        return `Math.sin(${x})`;
      case 'cos_f32':
        return `Math.cos(${x})`;
      case 'tanh_f32':
        return `(1.0 - 2.0 / (Math.exp(2.0 * Math.min(${x}, 40.0)) + 1.0))`;
      case 'logistic_f32':
        return `(1.0 / (1.0 + Math.exp(-Math.max(${x}, -80.0))))`;
      case 'atan2_f32':
        return `Math.atan2(${x}, ${y})`;
      case 'pow_f32':
        return `Math.pow(${x}, ${y})`;
      case 'erf_f32': {
        // Abramowitz–Stegun 7.1.26, |error| < 1.5e-7 (below float32 resolution).
        const t = `(1.0 / (1.0 + 0.3275911 * Math.abs(${x})))`;
        return `(Math.sign(${x}) * (1.0 - (((((1.061405429 * ${t} - 1.453152027) * ${t} + 1.421413741) * ${t} - 0.284496736) * ${t} + 0.254829592) * ${t}) * Math.exp(-${x} * ${x})))`;
      }
      default:
        return fail(`a call of '${fn}'`);
    }
  }

  stmts(list: readonly Stmt[], depth: number): string[] {
    return list.flatMap((s) => this.stmt(s, depth));
  }

  private stmt(s: Stmt, depth: number): string[] {
    const pad = '  '.repeat(depth);
    switch (s.k) {
      case 'let': {
        if (isVector(s.t)) fail(`a ${s.t} local`);
        if (s.t === 'i32' && !this.mutable.has(s.name) && this.nonNeg(s.init)) this.nonNegative.add(s.name);
        return [`${pad}${this.mutable.has(s.name) ? 'let' : 'const'} ${s.name} = ${this.value(s.init)};`];
      }
      case 'set':
        return [`${pad}${s.name} = ${this.value(s.value)};`];
      case 'store':
        if (s.buf !== OUTPUT) fail(`a store to '${s.buf}' (a gpu.js kernel writes only its output)`);
        if (!(s.index.k === 'get' && s.index.name === 'start')) fail(`a store at an index other than the unit`);
        return [`${pad}return ${this.value(s.value)};`];
      case 'storePair':
        return fail('storePair');
      case 'for':
        if (s.body.length === 0) return [];
        this.nonNegative.add(s.v);
        return [
          `${pad}for (let ${s.v} = ${this.loopBound(s.from)}; ${s.v} < ${this.loopBound(s.to)}; ${s.step === 1 ? `${s.v}++` : `${s.v} += ${s.step}`}) {`,
          ...this.stmts(s.body, depth + 1),
          `${pad}}`,
        ];
      case 'if': {
        const out = [`${pad}if (${this.cond(s.cond)}) {`, ...this.stmts(s.then, depth + 1)];
        // A then-branch that ends in the unit's store returns: its else-branch needs no nesting.
        if (s.then[s.then.length - 1]?.k === 'store') return [...out, `${pad}}`, ...this.stmts(s.else, depth)];
        if (s.else.length) out.push(`${pad}} else {`, ...this.stmts(s.else, depth + 1));
        out.push(`${pad}}`);
        return out;
      }
    }
  }

  /** A loop bound: constants as integer literals (GLSL loops want constant integer bounds). */
  private loopBound(e: Expr): string {
    return e.k === 'const' ? String(e.v) : this.value(e);
  }

  noteMutable(list: readonly Stmt[]): void {
    for (const s of list) {
      if (s.k === 'set') this.mutable.add(s.name);
      else if (s.k === 'for') this.noteMutable(s.body);
      else if (s.k === 'if') {
        this.noteMutable(s.then);
        this.noteMutable(s.else);
      }
    }
  }
}

/** Whether every path through `list` ends in a store (a return). */
function endsInStore(list: readonly Stmt[]): boolean {
  const last = list[list.length - 1];
  return !!last && (last.k === 'store' || (last.k === 'if' && endsInStore(last.then) && endsInStore(last.else)));
}

/** The thread's unit: its flat index in the output grid. */
function unitOf(output: Dims): string {
  if (output.length === 1) return 'this.thread.x';
  if (output.length === 2) return `this.thread.y * ${intLiteral(output[0])} + this.thread.x`;
  return `(this.thread.z * ${intLiteral(output[1])} + this.thread.y) * ${intLiteral(output[0])} + this.thread.x`;
}

/** The gpu.js function body of a kernel (see the header for the contract). */
export function renderGpuJsKernel(kernel: Kernel, opts: GpuJsRenderOptions = {}): string {
  const r = new Renderer(opts);
  r.noteMutable(kernel.body);
  const lines = [`const _start = ${unitOf(opts.output ?? [kernel.units])};`, ...r.stmts(kernel.body, 0)];
  if (!endsInStore(kernel.body)) lines.push('return 0.0;');
  return lines.join('\n');
}
