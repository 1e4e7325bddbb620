/**
 * Constructors of the kernel IR: expressions with their result types inferred (an ill-typed
 * combination throws at once, naming the operation and the types), and `Block`, a statement
 * builder with fresh local names, used by the templates and by fusion.
 */
import {
  type BinOp, type Expr, type KType, type ScalarType, type Stmt, type UnOp, type VectorType,
  elementOf, isCompare, isVector, LANES, vectorOf, withElement,
} from './types';

function fail(what: string, ...types: KType[]): never {
  throw new Error(`kernel IR: ${what} (${types.join(', ')})`);
}

export const f32 = (v: number): Expr => ({ k: 'const', t: 'f32', v: Math.fround(v) });
export const i32 = (v: number): Expr => ({ k: 'const', t: 'i32', v: v | 0 });
export const bool = (v: boolean): Expr => ({ k: 'const', t: 'bool', v: v ? 1 : 0 });
export const constant = (t: KType, v: number): Expr =>
  ({ k: 'const', t, v: elementOf(t) === 'f32' ? Math.fround(v) : elementOf(t) === 'bool' ? (v ? 1 : 0) : v | 0 });
export const get = (name: string, t: KType): Expr => ({ k: 'get', t, name });

export function load(buf: string, index: Expr, t: KType = 'f32', stride = 1): Expr {
  if (index.t !== 'i32') fail(`load from '${buf}' needs an i32 index`, index.t);
  return { k: 'load', t, buf, index, stride: isVector(t) ? stride : 1 };
}

const BIT_OPS = new Set<BinOp>(['and', 'or', 'xor', 'shl', 'shr', 'shru']);

export function un(op: UnOp, a: Expr): Expr {
  const e = elementOf(a.t);
  switch (op) {
    case 'not':
      if (e !== 'bool') fail(`'not' needs bool`, a.t);
      return { k: 'un', t: a.t, op, a };
    case 'bitsOf':
      if (e !== 'f32') fail(`'bitsOf' needs f32`, a.t);
      return { k: 'un', t: withElement(a.t, 'i32'), op, a };
    case 'fromBits':
      if (e !== 'i32') fail(`'fromBits' needs i32`, a.t);
      return { k: 'un', t: withElement(a.t, 'f32'), op, a };
    case 'neg':
    case 'abs':
      if (e === 'bool') fail(`'${op}' needs a number`, a.t);
      return { k: 'un', t: a.t, op, a };
    default:
      if (e !== 'f32') fail(`'${op}' needs f32`, a.t);
      return { k: 'un', t: a.t, op, a };
  }
}

export function bin(op: BinOp, a: Expr, b: Expr): Expr {
  if (a.t !== b.t) fail(`'${op}' needs operands of one type`, a.t, b.t);
  const e = elementOf(a.t);
  if (isCompare(op)) {
    if (e === 'bool' && op !== 'eq' && op !== 'ne') fail(`'${op}' on bool`, a.t);
    return { k: 'bin', t: withElement(a.t, 'bool'), op, a, b };
  }
  if (BIT_OPS.has(op)) {
    if (e === 'f32') fail(`'${op}' needs integers or bools`, a.t);
    if (e === 'bool' && op !== 'and' && op !== 'or' && op !== 'xor') fail(`'${op}' on bool`, a.t);
    return { k: 'bin', t: a.t, op, a, b };
  }
  if (e === 'bool') fail(`'${op}' needs numbers`, a.t);
  if (op === 'rem' && e !== 'i32') fail(`'rem' needs i32`, a.t);
  return { k: 'bin', t: a.t, op, a, b };
}

export const add = (a: Expr, b: Expr): Expr => bin('add', a, b);
export const sub = (a: Expr, b: Expr): Expr => bin('sub', a, b);
export const mul = (a: Expr, b: Expr): Expr => bin('mul', a, b);
export const div = (a: Expr, b: Expr): Expr => bin('div', a, b);
export const min = (a: Expr, b: Expr): Expr => bin('min', a, b);
export const max = (a: Expr, b: Expr): Expr => bin('max', a, b);
export const neg = (a: Expr): Expr => un('neg', a);

/**
 * a·b + c (f32 or f32x4) rounded once or twice, whichever the backend does fastest (see `Expr`):
 * for sums whose rounding is not specified bit for bit, such as a matmul's accumulation.
 */
export function fma(a: Expr, b: Expr, c: Expr): Expr {
  if (a.t !== b.t || a.t !== c.t) fail(`'fma' needs operands of one type`, a.t, b.t, c.t);
  if (elementOf(a.t) !== 'f32') fail(`'fma' needs f32`, a.t);
  return { k: 'fma', t: a.t, a, b, c };
}

export function select(c: Expr, a: Expr, b: Expr): Expr {
  if (a.t !== b.t) fail(`'select' needs arms of one type`, a.t, b.t);
  if (c.t !== withElement(a.t, 'bool')) fail(`'select' condition must be bool of the arms' shape`, c.t, a.t);
  return { k: 'select', t: a.t, c, a, b };
}

/** Converts between element types of the same shape (see `Expr` for the rules). */
export function cvt(a: Expr, e: ScalarType): Expr {
  if (elementOf(a.t) === e) return a;
  return { k: 'cvt', t: withElement(a.t, e), a };
}

export function splat(a: Expr): Expr {
  if (isVector(a.t)) fail(`'splat' of a vector`, a.t);
  return { k: 'splat', t: vectorOf(a.t), a };
}

export function vec(lanes: readonly Expr[]): Expr {
  if (lanes.length !== LANES) throw new Error(`kernel IR: vec needs ${LANES} lanes, got ${lanes.length}`);
  const t = lanes[0].t;
  if (isVector(t) || lanes.some((l) => l.t !== t)) fail(`'vec' needs ${LANES} scalars of one type`, ...lanes.map((l) => l.t));
  return { k: 'vec', t: vectorOf(t), lanes };
}

/** A scalar expression broadcast to the shape of `like` (vector or scalar). */
export const like = (likeT: KType, a: Expr): Expr => (isVector(likeT) && !isVector(a.t) ? splat(a) : a);

export function lane(a: Expr, l: number): Expr {
  if (!isVector(a.t)) fail(`'lane' of a scalar`, a.t);
  if (l < 0 || l >= LANES) throw new Error(`kernel IR: lane ${l} out of range`);
  return { k: 'lane', t: elementOf(a.t), a, lane: l };
}

export const call = (fn: string, t: KType, ...args: Expr[]): Expr => ({ k: 'call', t, fn, args });

/** Simplifying integer helpers for index arithmetic (constants folded, 0 and 1 absorbed). */
export const iadd = (a: Expr, b: Expr): Expr => {
  if (a.k === 'const' && b.k === 'const') return i32(a.v + b.v);
  if (a.k === 'const' && a.v === 0) return b;
  if (b.k === 'const' && b.v === 0) return a;
  return add(a, b);
};
export const imul = (a: Expr, b: Expr): Expr => {
  if (a.k === 'const' && b.k === 'const') return i32(Math.imul(a.v, b.v));
  if ((a.k === 'const' && a.v === 0) || (b.k === 'const' && b.v === 0)) return i32(0);
  if (a.k === 'const' && a.v === 1) return b;
  if (b.k === 'const' && b.v === 1) return a;
  return mul(a, b);
};
export const isub = (a: Expr, b: Expr): Expr => (b.k === 'const' ? iadd(a, i32(-b.v)) : sub(a, b));
export const idiv = (a: Expr, d: number): Expr => (d === 1 ? a : a.k === 'const' ? i32(Math.trunc(a.v / d)) : div(a, i32(d)));
export const irem = (a: Expr, d: number): Expr => (d === 1 ? i32(0) : a.k === 'const' ? i32(a.v % d) : bin('rem', a, i32(d)));

/** A statement list under construction. Fresh names come from a counter shared by nested blocks. */
export class Block {
  readonly stmts: Stmt[] = [];

  constructor(private readonly names: { next: number; prefix: string } = { next: 0, prefix: 't' }) {}

  fresh(hint = ''): string {
    return `${this.names.prefix}${hint}${this.names.next++}`;
  }

  /** Declares a local initialised to `init`; returns an expression reading it. */
  let(init: Expr, hint = ''): Expr {
    const name = this.fresh(hint);
    this.stmts.push({ k: 'let', name, t: init.t, init });
    return get(name, init.t);
  }

  /** Binds `e` to a local unless it is already a constant or a variable. */
  bind(e: Expr, hint = ''): Expr {
    return e.k === 'const' || e.k === 'get' ? e : this.let(e, hint);
  }

  set(target: Expr, value: Expr): void {
    if (target.k !== 'get') throw new Error('kernel IR: set needs a variable');
    if (target.t !== value.t) fail(`set of '${target.name}'`, target.t, value.t);
    this.stmts.push({ k: 'set', name: target.name, value });
  }

  store(buf: string, index: Expr, value: Expr, stride = 1): void {
    if (index.t !== 'i32') fail(`store to '${buf}' needs an i32 index`, index.t);
    this.stmts.push({ k: 'store', buf, index, value, stride: isVector(value.t) ? stride : 1 });
  }

  storePair(buf: string, index: Expr, a: Expr, b: Expr): void {
    if (a.t !== b.t || !isVector(a.t)) fail(`storePair to '${buf}' needs two vectors of one type`, a.t, b.t);
    this.stmts.push({ k: 'storePair', buf, index, a, b });
  }

  /** `for (v = from; v < to; v += step) body(v)`. */
  for(from: Expr, to: Expr, body: (v: Expr, inner: Block) => void, step = 1, hint = 'i'): void {
    const v = this.fresh(hint);
    const inner = new Block(this.names);
    body(get(v, 'i32'), inner);
    this.stmts.push({ k: 'for', v, from, to, step, body: inner.stmts });
  }

  if(cond: Expr, then: (b: Block) => void, otherwise?: (b: Block) => void): void {
    if (cond.t !== 'bool') fail(`'if' needs a bool condition`, cond.t);
    const t = new Block(this.names);
    then(t);
    const e = new Block(this.names);
    otherwise?.(e);
    this.stmts.push({ k: 'if', cond, then: t.stmts, else: e.stmts });
  }

  /** A nested block sharing the name counter (for bodies built before they are placed). */
  child(): Block {
    return new Block(this.names);
  }

  push(...stmts: Stmt[]): void {
    this.stmts.push(...stmts);
  }
}

/** The unit-range variables every kernel body reads. */
export const START = get('start', 'i32');
export const END = get('end', 'i32');

export type { Expr, KType, ScalarType, Stmt, VectorType };

/** Functions of the math library (kernels/ir/math.ts), each for f32 and f32x4. */
export type MathFn = 'exp' | 'log' | 'sin' | 'cos' | 'tanh' | 'logistic' | 'erf' | 'atan2' | 'pow';
export const mathName = (fn: MathFn, t: KType): string => `${fn}_${t}`;
/** A call of a math function on f32 or f32x4 arguments (all of one type). */
export function math(fn: MathFn, ...args: Expr[]): Expr {
  const t = args[0].t;
  if (elementOf(t) !== 'f32') fail(`'${fn}' needs f32 arguments`, ...args.map((a) => a.t));
  return call(mathName(fn, t), t, ...args);
}
