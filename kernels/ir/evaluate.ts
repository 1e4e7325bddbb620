/**
 * A direct evaluator of the kernel IR in JavaScript: the semantics of every node written out
 * once, plainly (float32 rounding after every f32 operation, wrapping i32 arithmetic). It is
 * the reference the WebAssembly renderer is compared with bit for bit, and lets templates be
 * tested on small sizes without any backend. Vectors are arrays of four lane values. `fma`
 * has two admissible results; the caller picks which one (`fused` or `separate`, default
 * `separate`), and a comparison with a backend accepts the one that backend makes.
 */
import type { Expr, FmaMode, KFunction, Kernel, KType, Stmt } from './types';
import { elementOf, isVector, LANES } from './types';

type Value = number | number[];
export type Buffers = ReadonlyMap<string, Float32Array | Int32Array>;
export type Functions = ReadonlyMap<string, KFunction>;

const fr = Math.fround;

const roundTo = (e: string, x: number): number => (e === 'f32' ? fr(x) : e === 'i32' ? x | 0 : x ? 1 : 0);

function idiv(a: number, b: number): number {
  if (b === 0) return 0;
  return Math.trunc(a / b) | 0;
}
function irem(a: number, b: number): number {
  if (b === 0) return 0;
  return a % b | 0;
}
function nanMin(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  if (a === 0 && b === 0) return Object.is(a, -0) || Object.is(b, -0) ? -0 : 0;
  return Math.min(a, b);
}
function nanMax(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  if (a === 0 && b === 0) return Object.is(a, 0) || Object.is(b, 0) ? 0 : -0;
  return Math.max(a, b);
}
const f32view = new Float32Array(1);
const i32view = new Int32Array(f32view.buffer);
function bitsOf(x: number): number {
  f32view[0] = x;
  return i32view[0];
}
function fromBits(x: number): number {
  i32view[0] = x;
  return f32view[0];
}
/** Round half to even, as WebAssembly's `nearest`. */
function nearest(x: number): number {
  if (!Number.isFinite(x)) return x;
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r === 0 ? (x < 0 || Object.is(x, -0) ? -0 : 0) : r;
}
function truncSat(x: number): number {
  if (Number.isNaN(x)) return 0;
  if (x >= 2147483647) return 2147483647;
  if (x <= -2147483648) return -2147483648;
  return Math.trunc(x) | 0;
}

function unary(op: string, e: string, x: number): number {
  switch (op) {
    case 'neg':
      return e === 'f32' ? -x : -x | 0;
    case 'abs':
      return e === 'f32' ? Math.abs(x) : Math.abs(x) | 0;
    case 'sqrt':
      return fr(Math.sqrt(x));
    case 'floor':
      return Math.floor(x);
    case 'ceil':
      return Math.ceil(x);
    case 'trunc':
      return Math.trunc(x);
    case 'nearest':
      return nearest(x);
    case 'not':
      return x ? 0 : 1;
    case 'bitsOf':
      return bitsOf(x);
    case 'fromBits':
      return fromBits(x);
  }
  throw new Error(`kernel IR evaluator: unknown unary op '${op}'`);
}

function binary(op: string, e: string, a: number, b: number): number {
  const f = e === 'f32';
  switch (op) {
    case 'add':
      return f ? fr(a + b) : (a + b) | 0;
    case 'sub':
      return f ? fr(a - b) : (a - b) | 0;
    case 'mul':
      return f ? fr(a * b) : Math.imul(a, b);
    case 'div':
      return f ? fr(a / b) : idiv(a, b);
    case 'rem':
      return irem(a, b);
    case 'min':
      return f ? nanMin(a, b) : Math.min(a, b);
    case 'max':
      return f ? nanMax(a, b) : Math.max(a, b);
    case 'and':
      return a & b;
    case 'or':
      return a | b;
    case 'xor':
      return a ^ b;
    case 'shl':
      return a << b;
    case 'shr':
      return a >> b;
    case 'shru':
      return (a >>> b) | 0;
    case 'lt':
      return a < b ? 1 : 0;
    case 'le':
      return a <= b ? 1 : 0;
    case 'gt':
      return a > b ? 1 : 0;
    case 'ge':
      return a >= b ? 1 : 0;
    case 'eq':
      return a === b ? 1 : 0;
    case 'ne':
      return a !== b ? 1 : 0;
  }
  throw new Error(`kernel IR evaluator: unknown binary op '${op}'`);
}

function convert(from: string, to: string, x: number): number {
  if (to === 'bool') return x !== 0 ? 1 : 0; // NaN is true, as in numpy
  if (from === 'bool') return x;
  if (to === 'i32') return from === 'f32' ? truncSat(x) : x | 0;
  return fr(x);
}

const f64 = new Float64Array(1);
const f64words = new Uint32Array(f64.buffer);
/** Which 32-bit word of a float64 holds the low bits of its significand. */
const LOW = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;

/**
 * a·b + c of float32 values rounded once to float32. The product is exact in float64 (24 + 24
 * significand bits); the sum is made exact as hi + lo (Knuth's TwoSum), hi is rounded to odd
 * (the float64 neighbour on lo's side when lo ≠ 0 and hi's last bit is even), and a value
 * rounded to odd with 53 ≥ 24 + 2 bits rounds to float32 as the exact sum would (Boldo and
 * Melquiond, "Emulation of FMA and correctly rounded sums: proved algorithms using rounding
 * to odd", 2008).
 */
export function fusedMultiplyAdd(a: number, b: number, c: number): number {
  const p = a * b;
  const hi = p + c;
  if (!Number.isFinite(hi)) return fr(hi);
  const bb = hi - p;
  const lo = p - (hi - bb) + (c - bb);
  if (lo === 0) return fr(hi);
  f64[0] = hi;
  if ((f64words[LOW] & 1) === 0) {
    const away = lo > 0 === hi > 0;
    if (away) f64words[LOW] |= 1;
    else if (f64words[LOW] === 0) {
      f64words[LOW] = 0xffffffff;
      f64words[1 - LOW] -= 1;
    } else f64words[LOW] -= 1;
  }
  return fr(f64[0]);
}

const lanesOf = (v: Value): number[] => v as number[];
const map1 = (t: KType, a: Value, f: (x: number) => number): Value => (isVector(t) ? lanesOf(a).map(f) : f(a as number));
const map2 = (t: KType, a: Value, b: Value, f: (x: number, y: number) => number): Value =>
  isVector(t) ? lanesOf(a).map((x, l) => f(x, lanesOf(b)[l])) : f(a as number, b as number);

class Frame {
  readonly locals = new Map<string, Value>();
  constructor(readonly buffers: Buffers, readonly functions: Functions, readonly fma: FmaMode) {}

  buffer(id: string): Float32Array | Int32Array {
    const b = this.buffers.get(id);
    if (!b) throw new Error(`kernel IR evaluator: no buffer '${id}'`);
    return b;
  }

  at(id: string, index: number): number {
    const b = this.buffer(id);
    if (index < 0 || index >= b.length) throw new Error(`kernel IR evaluator: read of '${id}'[${index}] out of range (${b.length})`);
    return b[index];
  }

  put(id: string, index: number, x: number): void {
    const b = this.buffer(id);
    if (index < 0 || index >= b.length) throw new Error(`kernel IR evaluator: write of '${id}'[${index}] out of range (${b.length})`);
    b[index] = x;
  }

  expr(x: Expr): Value {
    switch (x.k) {
      case 'const':
        return isVector(x.t) ? new Array<number>(LANES).fill(x.v) : x.v;
      case 'get': {
        const v = this.locals.get(x.name);
        if (v === undefined) throw new Error(`kernel IR evaluator: '${x.name}' is not defined`);
        return v;
      }
      case 'load': {
        const i = this.expr(x.index) as number;
        if (!isVector(x.t)) return this.loadScalar(x.buf, i, elementOf(x.t));
        return Array.from({ length: LANES }, (_, l) => this.loadScalar(x.buf, i + l * x.stride, elementOf(x.t)));
      }
      case 'un': {
        const e = elementOf(x.a.t);
        return map1(x.t, this.expr(x.a), (v) => unary(x.op, e, v));
      }
      case 'bin': {
        const e = elementOf(x.a.t);
        return map2(x.t, this.expr(x.a), this.expr(x.b), (a, b) => binary(x.op, e, a, b));
      }
      case 'select': {
        const c = this.expr(x.c);
        const a = this.expr(x.a);
        const b = this.expr(x.b);
        return isVector(x.t) ? lanesOf(c).map((m, l) => (m ? lanesOf(a)[l] : lanesOf(b)[l])) : (c as number) ? a : b;
      }
      case 'cvt': {
        const from = elementOf(x.a.t);
        const to = elementOf(x.t);
        return map1(x.t, this.expr(x.a), (v) => convert(from, to, v));
      }
      case 'splat':
        return new Array<number>(LANES).fill(this.expr(x.a) as number);
      case 'vec':
        return x.lanes.map((l) => this.expr(l) as number);
      case 'lane':
        return lanesOf(this.expr(x.a))[x.lane];
      case 'call': {
        const fn = this.functions.get(x.fn);
        if (!fn) throw new Error(`kernel IR evaluator: no function '${x.fn}'`);
        return callFunction(fn, x.args.map((a) => this.expr(a)), this.buffers, this.functions, this.fma);
      }
      case 'fma': {
        const [a, b, c] = [this.expr(x.a), this.expr(x.b), this.expr(x.c)];
        const one = this.fma === 'fused' ? fusedMultiplyAdd : (p: number, q: number, r: number) => fr(fr(p * q) + r);
        return isVector(x.t) ? lanesOf(a).map((p, l) => one(p, lanesOf(b)[l], lanesOf(c)[l])) : one(a as number, b as number, c as number);
      }
    }
  }

  private loadScalar(buf: string, i: number, e: string): number {
    const v = this.at(buf, i);
    return e === 'bool' ? (v ? 1 : 0) : v;
  }

  stmts(list: readonly Stmt[]): void {
    for (const s of list) this.stmt(s);
  }

  stmt(s: Stmt): void {
    switch (s.k) {
      case 'let':
        this.locals.set(s.name, this.expr(s.init));
        return;
      case 'set':
        if (!this.locals.has(s.name)) throw new Error(`kernel IR evaluator: set of undeclared '${s.name}'`);
        this.locals.set(s.name, this.expr(s.value));
        return;
      case 'store': {
        const i = this.expr(s.index) as number;
        const v = this.expr(s.value);
        const e = elementOf(s.value.t);
        if (isVector(s.value.t)) lanesOf(v).forEach((x, l) => this.put(s.buf, i + l * s.stride, roundTo(e, x)));
        else this.put(s.buf, i, roundTo(e, v as number));
        return;
      }
      case 'storePair': {
        const i = this.expr(s.index) as number;
        const a = lanesOf(this.expr(s.a));
        const b = lanesOf(this.expr(s.b));
        for (let l = 0; l < LANES; l++) {
          this.put(s.buf, i + 2 * l, a[l]);
          this.put(s.buf, i + 2 * l + 1, b[l]);
        }
        return;
      }
      case 'for': {
        const from = this.expr(s.from) as number;
        for (let v = from; v < (this.expr(s.to) as number); v += s.step) {
          this.locals.set(s.v, v);
          this.stmts(s.body);
        }
        return;
      }
      case 'if':
        this.stmts((this.expr(s.cond) as number) ? s.then : s.else);
        return;
    }
  }
}

function callFunction(fn: KFunction, args: Value[], buffers: Buffers, functions: Functions, fma: FmaMode): Value {
  const frame = new Frame(buffers, functions, fma);
  fn.params.forEach((p, i) => frame.locals.set(p.name, args[i]));
  frame.stmts(fn.body);
  return frame.expr(fn.ret);
}

/** Runs `kernel` over units [start, end) on `buffers` (mutated in place); `fma` rounds as `fma` says. */
export function evaluateKernel(kernel: Kernel, buffers: Buffers, functions: Functions = new Map(), start = 0, end = kernel.units, fma: FmaMode = 'separate'): void {
  const frame = new Frame(buffers, functions, fma);
  frame.locals.set('start', start);
  frame.locals.set('end', end);
  frame.stmts(kernel.body);
}

/** Evaluates one function on scalar or vector arguments (for tests of the math library). */
export function evaluateFunction(fn: KFunction, args: readonly (number | number[])[], functions: Functions = new Map(), fma: FmaMode = 'separate'): number | number[] {
  return callFunction(fn, [...args], new Map(), functions, fma);
}
