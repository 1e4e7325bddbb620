/**
 * The WebAssembly renderer of the kernel IR: one module per program, one exported function
 * `(start, end)` per kernel, the math library's functions as internal functions, every buffer
 * at a fixed byte address of the one imported memory. Scalars map to i32/f32, vectors to
 * v128 (f32x4, i32x4, and boolx4 as lane masks); bool values are 0/1 in scalars and in
 * memory. Operations without a SIMD instruction (i32x4 division, variable shifts) run lane by
 * lane. The semantics are those of kernels/ir/evaluate.ts, bit for bit. `fma` is
 * `f32x4.relaxed_madd` where the engine has relaxed SIMD (`relaxedSimd`; a scalar one runs in
 * lane 0 of a vector so that every `fma` of a module rounds the same way), else a multiply and
 * an add: the evaluator's `fused` or `separate` result, as the engine's relaxed_madd chooses.
 */
import { type FunctionBuilder, type MemoryImport, ModuleBuilder, type OpName, type ValType } from './assembler';
import type { Expr, KFunction, Kernel, KType, Stmt } from '../ir/types';
import { elementOf, isVector, LANES } from '../ir/types';
import { calledFunctions, forEachExpr, functionStmts } from '../ir/walk';

export interface RenderOptions {
  readonly memory: MemoryImport;
  /** Byte address of each buffer. */
  readonly address: (buf: string) => number;
  /** Functions the kernels may call (the math library), by name. */
  readonly functions: ReadonlyMap<string, KFunction>;
  /**
   * Where the vector constants live in memory (see vectorConstants): a load from there is one
   * instruction, where V8 builds an immediate v128 with three. Inline constants without it.
   */
  readonly constantPool?: { readonly base: number; readonly slots: ReadonlyMap<string, number> };
  /** Render `fma` as `f32x4.relaxed_madd` (the engine must validate it: wasmFeatures.relaxedSimd). */
  readonly relaxedSimd?: boolean;
}

/** The 16 bytes of a vector constant of type `t` with every lane `v`. */
export function vectorConstantBytes(t: KType, v: number): Uint8Array {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  for (let l = 0; l < LANES; l++) {
    if (t === 'f32x4') view.setFloat32(4 * l, v, true);
    else view.setInt32(4 * l, t === 'boolx4' ? (v ? -1 : 0) : v | 0, true);
  }
  return bytes;
}

const constantKey = (bytes: Uint8Array): string => Array.from(bytes.subarray(0, 4)).join(',') + (bytes.subarray(4).every((b, i) => b === bytes[i % 4]) ? '' : `|${Array.from(bytes).join(',')}`);

/**
 * The distinct non-zero vector constants of kernels and the functions they call: their pool
 * (16 bytes each) and each one's byte offset in it.
 */
export function vectorConstants(kernels: readonly Kernel[], functions: ReadonlyMap<string, KFunction>): { bytes: Uint8Array; slots: Map<string, number> } {
  const slots = new Map<string, number>();
  const chunks: Uint8Array[] = [];
  const visit = (e: Expr): void => {
    const c = e.k === 'const' && isVector(e.t) ? vectorConstantBytes(e.t, e.v) : e.k === 'splat' && e.a.k === 'const' ? vectorConstantBytes(e.t, e.a.v) : undefined;
    if (!c || c.every((b) => b === 0)) return;
    const key = constantKey(c);
    if (slots.has(key)) return;
    slots.set(key, 16 * chunks.length);
    chunks.push(c);
  };
  const fns = calledFunctions(kernels.map((k) => k.body), functions);
  for (const k of kernels) forEachExpr(k.body, visit);
  for (const fn of fns) forEachExpr(functionStmts(fn), visit);
  const bytes = new Uint8Array(16 * chunks.length);
  chunks.forEach((c, i) => bytes.set(c, 16 * i));
  return { bytes, slots };
}

export interface RenderedModule {
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** Export name of each kernel, in order. */
  readonly exports: readonly string[];
}

const valType = (t: KType): ValType => (isVector(t) ? 'v128' : t === 'f32' ? 'f32' : 'i32');


const F32_UN: Record<string, OpName> = { neg: 'f32.neg', abs: 'f32.abs', sqrt: 'f32.sqrt', floor: 'f32.floor', ceil: 'f32.ceil', trunc: 'f32.trunc', nearest: 'f32.nearest', bitsOf: 'i32.reinterpret_f32' };
const F32X4_UN: Record<string, OpName> = { neg: 'f32x4.neg', abs: 'f32x4.abs', sqrt: 'f32x4.sqrt', floor: 'f32x4.floor', ceil: 'f32x4.ceil', trunc: 'f32x4.trunc', nearest: 'f32x4.nearest' };
const F32_BIN: Record<string, OpName> = {
  add: 'f32.add', sub: 'f32.sub', mul: 'f32.mul', div: 'f32.div', min: 'f32.min', max: 'f32.max',
  lt: 'f32.lt', le: 'f32.le', gt: 'f32.gt', ge: 'f32.ge', eq: 'f32.eq', ne: 'f32.ne',
};
const F32X4_BIN: Record<string, OpName> = {
  add: 'f32x4.add', sub: 'f32x4.sub', mul: 'f32x4.mul', div: 'f32x4.div', min: 'f32x4.min', max: 'f32x4.max',
  lt: 'f32x4.lt', le: 'f32x4.le', gt: 'f32x4.gt', ge: 'f32x4.ge', eq: 'f32x4.eq', ne: 'f32x4.ne',
};
const I32_BIN: Record<string, OpName> = {
  add: 'i32.add', sub: 'i32.sub', mul: 'i32.mul', and: 'i32.and', or: 'i32.or', xor: 'i32.xor', shl: 'i32.shl', shr: 'i32.shr_s', shru: 'i32.shr_u',
  lt: 'i32.lt_s', le: 'i32.le_s', gt: 'i32.gt_s', ge: 'i32.ge_s', eq: 'i32.eq', ne: 'i32.ne',
};
const I32X4_BIN: Record<string, OpName> = {
  add: 'i32x4.add', sub: 'i32x4.sub', mul: 'i32x4.mul', min: 'i32x4.min_s', max: 'i32x4.max_s', and: 'v128.and', or: 'v128.or', xor: 'v128.xor',
  lt: 'i32x4.lt_s', le: 'i32x4.le_s', gt: 'i32x4.gt_s', ge: 'i32x4.ge_s', eq: 'i32x4.eq', ne: 'i32x4.ne',
};
const I32X4_SHIFT: Record<string, OpName> = { shl: 'i32x4.shl', shr: 'i32x4.shr_s', shru: 'i32x4.shr_u' };

/** Shuffle byte patterns. */
const range4 = (from: number): number[] => [from, from + 1, from + 2, from + 3];
const EVEN_LANES = new Uint8Array([...range4(0), ...range4(8), ...range4(16), ...range4(24)]);
const INTERLEAVE_LO = new Uint8Array([...range4(0), ...range4(16), ...range4(4), ...range4(20)]);
const INTERLEAVE_HI = new Uint8Array([...range4(8), ...range4(24), ...range4(12), ...range4(28)]);

class FunctionRenderer {
  private readonly locals = new Map<string, number>();
  /** Locals known to hold non-negative values (never reassigned), for address folding. */
  private readonly nonNegative = new Set<string>();
  private readonly reassigned = new Set<string>();

  constructor(
    private readonly f: FunctionBuilder,
    private readonly opts: RenderOptions,
    private readonly functionIndex: ReadonlyMap<string, number>,
  ) {}

  bindLocal(name: string, t: KType, index?: number): number {
    const i = index ?? this.f.local(valType(t));
    this.locals.set(name, i);
    return i;
  }

  markNonNegative(name: string): void {
    this.nonNegative.add(name);
  }

  /** Collects the locals that are assigned after their declaration. */
  scanSets(stmts: readonly Stmt[]): void {
    for (const s of stmts) {
      if (s.k === 'set') this.reassigned.add(s.name);
      else if (s.k === 'for') this.scanSets(s.body);
      else if (s.k === 'if') {
        this.scanSets(s.then);
        this.scanSets(s.else);
      }
    }
  }

  private local(name: string): number {
    const i = this.locals.get(name);
    if (i === undefined) throw new Error(`wasm render: '${name}' is not declared`);
    return i;
  }

  private temp(t: ValType): number {
    return this.f.local(t);
  }

  private isNonNegative(e: Expr): boolean {
    switch (e.k) {
      case 'const':
        return e.v >= 0;
      case 'get':
        return this.nonNegative.has(e.name) && !this.reassigned.has(e.name);
      case 'bin':
        if (e.op === 'add' || e.op === 'mul' || e.op === 'min') return this.isNonNegative(e.a) && this.isNonNegative(e.b);
        if (e.op === 'max') return this.isNonNegative(e.a) || this.isNonNegative(e.b);
        if (e.op === 'div' || e.op === 'rem') return this.isNonNegative(e.a) && e.b.k === 'const' && e.b.v > 0;
        if (e.op === 'shru') return true;
        if (e.op === 'and') return this.isNonNegative(e.a) || this.isNonNegative(e.b);
        return false;
      default:
        return false;
    }
  }

  /**
   * Pushes the byte address of element `index` of `buf` (plus `extra` elements) and returns the
   * static offset to use: constant parts of the index fold into the offset when the rest is
   * known to be non-negative (WebAssembly adds the offset without wrapping).
   */
  private address(buf: string, index: Expr, extra = 0): number {
    const base = this.opts.address(buf) + 4 * extra;
    let dynamic: Expr | undefined = index;
    let c = 0;
    if (index.k === 'const') {
      dynamic = undefined;
      c = index.v;
    } else if (index.k === 'bin' && index.op === 'add' && index.b.k === 'const' && this.isNonNegative(index.a)) {
      dynamic = index.a;
      c = index.b.v;
    } else if (index.k === 'bin' && index.op === 'add' && index.a.k === 'const' && this.isNonNegative(index.b)) {
      dynamic = index.b;
      c = index.a.v;
    }
    if (base + 4 * c < 0 || base + 4 * c >= 2 ** 32) {
      dynamic = index;
      c = 0;
    }
    if (dynamic === undefined) this.f.i32Const(0);
    else {
      this.expr(dynamic);
      this.f.i32Const(2).op('i32.shl');
    }
    return base + 4 * c;
  }

  expr(e: Expr): void {
    const f = this.f;
    switch (e.k) {
      case 'const':
        return this.constant(e.t, e.v);
      case 'get':
        f.localGet(this.local(e.name));
        return;
      case 'load':
        return this.load(e);
      case 'un':
        return this.unary(e);
      case 'bin':
        return this.binary(e);
      case 'select':
        if (isVector(e.t)) {
          this.expr(e.a);
          this.expr(e.b);
          this.expr(e.c);
          f.op('v128.bitselect');
        } else {
          this.expr(e.a);
          this.expr(e.b);
          this.expr(e.c);
          f.op('select');
        }
        return;
      case 'cvt':
        return this.convert(e.a, e.t);
      case 'splat':
        if (e.a.k === 'const') return this.constant(e.t, e.a.v);
        this.expr(e.a);
        if (e.t === 'f32x4') f.op('f32x4.splat');
        else if (e.t === 'i32x4') f.op('i32x4.splat');
        else f.op('i32x4.splat').op('i32x4.neg');
        return;
      case 'vec': {
        const e0 = elementOf(e.t);
        this.expr(e.lanes[0]);
        f.op(e0 === 'f32' ? 'f32x4.splat' : 'i32x4.splat');
        for (let l = 1; l < LANES; l++) {
          this.expr(e.lanes[l]);
          f.op(e0 === 'f32' ? 'f32x4.replace_lane' : 'i32x4.replace_lane', l);
        }
        if (e0 === 'bool') f.op('i32x4.neg');
        return;
      }
      case 'lane':
        this.expr(e.a);
        if (e.t === 'f32') f.op('f32x4.extract_lane', e.lane);
        else f.op('i32x4.extract_lane', e.lane);
        if (e.t === 'bool') f.i32Const(1).op('i32.and');
        return;
      case 'fma':
        return this.fma(e);
      case 'call': {
        const index = this.functionIndex.get(e.fn);
        if (index === undefined) throw new Error(`wasm render: call of unknown function '${e.fn}'`);
        e.args.forEach((a) => this.expr(a));
        f.call(index);
        return;
      }
    }
  }

  private fma(e: Extract<Expr, { k: 'fma' }>): void {
    const f = this.f;
    const vector = isVector(e.t);
    if (!this.opts.relaxedSimd) {
      // c + a·b: the addend first, as the templates wrote accumulations before fma existed.
      this.expr(e.c);
      this.expr(e.a);
      this.expr(e.b);
      f.op(vector ? 'f32x4.mul' : 'f32.mul');
      f.op(vector ? 'f32x4.add' : 'f32.add');
      return;
    }
    for (const x of [e.a, e.b, e.c]) {
      this.expr(x);
      if (!vector) f.op('f32x4.splat');
    }
    f.op('f32x4.relaxed_madd');
    if (!vector) f.op('f32x4.extract_lane', 0);
  }

  private constant(t: KType, v: number): void {
    const f = this.f;
    if (t === 'f32') f.f32Const(v);
    else if (t === 'i32' || t === 'bool') f.i32Const(v);
    else {
      const bytes = vectorConstantBytes(t, v);
      const slot = this.opts.constantPool?.slots.get(constantKey(bytes));
      if (slot !== undefined) f.i32Const(0).op('v128.load', { offset: (this.opts.constantPool as { base: number }).base + slot });
      else f.v128Const(bytes);
    }
  }

  private load(e: Extract<Expr, { k: 'load' }>): void {
    const f = this.f;
    const el = elementOf(e.t);
    const scalarLoad: OpName = el === 'f32' ? 'f32.load' : 'i32.load';
    if (!isVector(e.t)) {
      const offset = this.address(e.buf, e.index);
      f.op(scalarLoad, { offset });
      return;
    }
    if (e.stride === 1) {
      f.op('v128.load', { offset: this.address(e.buf, e.index) });
    } else if (e.stride === 0) {
      f.op('v128.load32_splat', { offset: this.address(e.buf, e.index) });
    } else if (e.stride === 2) {
      const a = this.temp('i32');
      const offset = this.address(e.buf, e.index);
      f.localTee(a).op('v128.load', { offset });
      f.localGet(a).op('v128.load', { offset: offset + 16 });
      f.op('i8x16.shuffle', EVEN_LANES);
    } else {
      const a = this.temp('i32');
      const offset = this.address(e.buf, e.index);
      if (offset !== 0 || e.stride < 0) {
        f.i32Const(offset).op('i32.add');
      }
      f.localSet(a);
      const lanes = el === 'f32' ? (['f32x4.splat', 'f32x4.replace_lane'] as const) : (['i32x4.splat', 'i32x4.replace_lane'] as const);
      for (let l = 0; l < LANES; l++) {
        f.localGet(a);
        if (l) f.i32Const(4 * l * e.stride).op('i32.add');
        f.op(scalarLoad);
        if (l === 0) f.op(lanes[0]);
        else f.op(lanes[1], l);
      }
    }
    if (el === 'bool') f.i32Const(0).op('i32x4.splat').op('i32x4.ne');
  }

  private unary(e: Extract<Expr, { k: 'un' }>): void {
    const f = this.f;
    const el = elementOf(e.a.t);
    const vector = isVector(e.t);
    if (e.op === 'not') {
      this.expr(e.a);
      f.op(vector ? 'v128.not' : 'i32.eqz');
      return;
    }
    if (e.op === 'fromBits') {
      this.expr(e.a);
      if (!vector) f.op('f32.reinterpret_i32');
      return;
    }
    if (el === 'f32') {
      this.expr(e.a);
      if (vector) {
        if (e.op !== 'bitsOf') f.op(F32X4_UN[e.op]);
      } else f.op(F32_UN[e.op]);
      return;
    }
    // i32
    if (vector) {
      this.expr(e.a);
      f.op(e.op === 'neg' ? 'i32x4.neg' : 'i32x4.abs');
      return;
    }
    if (e.op === 'neg') {
      f.i32Const(0);
      this.expr(e.a);
      f.op('i32.sub');
      return;
    }
    // abs: (x ^ (x >> 31)) - (x >> 31)
    const x = this.temp('i32');
    const s = this.temp('i32');
    this.expr(e.a);
    f.localTee(x).i32Const(31).op('i32.shr_s').localSet(s);
    f.localGet(x).localGet(s).op('i32.xor').localGet(s).op('i32.sub');
  }

  private binary(e: Extract<Expr, { k: 'bin' }>): void {
    const f = this.f;
    const el = elementOf(e.a.t);
    const vector = isVector(e.a.t);
    if (el === 'f32') {
      this.expr(e.a);
      this.expr(e.b);
      f.op((vector ? F32X4_BIN : F32_BIN)[e.op]);
      return;
    }
    if (el === 'bool') {
      this.expr(e.a);
      this.expr(e.b);
      const op = e.op === 'eq' ? 'eq' : e.op === 'ne' ? 'ne' : e.op;
      f.op(vector ? I32X4_BIN[op] : I32_BIN[op]);
      return;
    }
    if (!vector) return this.binaryI32(e.op, e.a, e.b);
    const native = I32X4_BIN[e.op];
    if (native) {
      this.expr(e.a);
      this.expr(e.b);
      f.op(native);
      return;
    }
    const shift = I32X4_SHIFT[e.op];
    if (shift && e.b.k === 'splat') {
      this.expr(e.a);
      this.expr(e.b.a);
      f.op(shift);
      return;
    }
    if (shift && e.b.k === 'const') {
      this.expr(e.a);
      f.i32Const(e.b.v);
      f.op(shift);
      return;
    }
    // Lane by lane (division, remainder, variable shifts).
    const a = this.temp('v128');
    const b = this.temp('v128');
    const acc = this.temp('v128');
    this.expr(e.a);
    f.localSet(a);
    this.expr(e.b);
    f.localSet(b);
    const la = this.temp('i32');
    const lb = this.temp('i32');
    const lane = { k: 'get', t: 'i32', name: '' } as const;
    for (let l = 0; l < LANES; l++) {
      f.localGet(a).op('i32x4.extract_lane', l).localSet(la);
      f.localGet(b).op('i32x4.extract_lane', l).localSet(lb);
      if (l === 0) {
        this.binaryI32(e.op, lane, lane, la, lb);
        f.op('i32x4.splat').localSet(acc);
      } else {
        f.localGet(acc);
        this.binaryI32(e.op, lane, lane, la, lb);
        f.op('i32x4.replace_lane', l).localSet(acc);
      }
    }
    f.localGet(acc);
  }

  /** Scalar i32 operations; `la`/`lb` give operands already in locals. */
  private binaryI32(op: string, a: Expr, b: Expr, la?: number, lb?: number): void {
    const f = this.f;
    const pushA = () => (la !== undefined ? f.localGet(la) : this.expr(a));
    const pushB = () => (lb !== undefined ? f.localGet(lb) : this.expr(b));
    const simple = I32_BIN[op];
    if (simple && op !== 'min' && op !== 'max') {
      pushA();
      pushB();
      f.op(simple);
      return;
    }
    /** An operand in a local: the given one, or a new local holding the expression. */
    const inLocal = (given: number | undefined, e: Expr): number => {
      if (given !== undefined) return given;
      const l = this.temp('i32');
      this.expr(e);
      f.localSet(l);
      return l;
    };
    if (op === 'min' || op === 'max') {
      const x = inLocal(la, a);
      const y = inLocal(lb, b);
      f.localGet(x).localGet(y).localGet(x).localGet(y).op(op === 'min' ? 'i32.lt_s' : 'i32.gt_s').op('select');
      return;
    }
    // div / rem: a zero divisor gives 0; -2^31 / -1 wraps (as the interpreter's `| 0`).
    const divOp: OpName = op === 'div' ? 'i32.div_s' : 'i32.rem_s';
    if (lb === undefined && b.k === 'const' && b.v !== 0 && b.v !== -1) {
      pushA();
      f.i32Const(b.v).op(divOp);
      return;
    }
    const x = inLocal(la, a);
    const y = inLocal(lb, b);
    // safe divisor: 1 when y == 0 or (x == INT_MIN and y == -1)
    const d = this.temp('i32');
    f.i32Const(1).localGet(y);
    f.localGet(y).op('i32.eqz');
    f.localGet(x).i32Const(-2147483648).op('i32.eq').localGet(y).i32Const(-1).op('i32.eq').op('i32.and');
    f.op('i32.or').op('select').localSet(d);
    // result; for the INT_MIN / -1 case, x / 1 = x (= the wrapped quotient) and x % 1 = 0
    f.i32Const(0);
    f.localGet(x).localGet(d).op(divOp);
    f.localGet(y).op('i32.eqz').op('select');
  }

  private convert(a: Expr, to: KType): void {
    const f = this.f;
    const from = elementOf(a.t);
    const t = elementOf(to);
    const vector = isVector(to);
    this.expr(a);
    if (from === t) return;
    if (!vector) {
      if (t === 'bool') {
        if (from === 'f32') f.f32Const(0).op('f32.ne');
        else f.i32Const(0).op('i32.ne');
      } else if (t === 'f32') f.op('f32.convert_i32_s');
      else if (from === 'f32') f.op('i32.trunc_sat_f32_s');
      // bool -> i32: already 0/1
      return;
    }
    if (t === 'bool') {
      if (from === 'f32') f.f32x4Const(0, 0, 0, 0).op('f32x4.ne');
      else f.i32Const(0).op('i32x4.splat').op('i32x4.ne');
    } else if (from === 'bool') {
      // mask -> 0/1
      f.i32Const(31).op('i32x4.shr_u');
      if (t === 'f32') f.op('f32x4.convert_i32x4_s');
    } else if (t === 'f32') f.op('f32x4.convert_i32x4_s');
    else f.op('i32x4.trunc_sat_f32x4_s');
  }

  /** A boolx4 mask as 0/1 lanes (the memory form of bool). */
  private maskToInts(): void {
    this.f.i32Const(31).op('i32x4.shr_u');
  }

  stmts(list: readonly Stmt[]): void {
    for (const s of list) this.stmt(s);
  }

  private stmt(s: Stmt): void {
    const f = this.f;
    switch (s.k) {
      case 'let': {
        const i = this.bindLocal(s.name, s.t);
        if (s.t === 'i32' && this.isNonNegative(s.init)) this.markNonNegative(s.name);
        this.expr(s.init);
        f.localSet(i);
        return;
      }
      case 'set':
        this.expr(s.value);
        f.localSet(this.local(s.name));
        return;
      case 'store':
        return this.store(s);
      case 'storePair': {
        const a = this.temp('v128');
        const b = this.temp('v128');
        const addr = this.temp('i32');
        const offset = this.address(s.buf, s.index);
        f.localSet(addr);
        this.expr(s.a);
        f.localSet(a);
        this.expr(s.b);
        f.localSet(b);
        f.localGet(addr).localGet(a).localGet(b).op('i8x16.shuffle', INTERLEAVE_LO).op('v128.store', { offset });
        f.localGet(addr).localGet(a).localGet(b).op('i8x16.shuffle', INTERLEAVE_HI).op('v128.store', { offset: offset + 16 });
        return;
      }
      case 'for': {
        const v = this.bindLocal(s.v, 'i32');
        if (this.isNonNegative(s.from)) this.markNonNegative(s.v);
        this.expr(s.from);
        f.localSet(v);
        f.block().loop();
        f.localGet(v);
        this.expr(s.to);
        f.op('i32.ge_s').brIf(1);
        this.stmts(s.body);
        f.localGet(v).i32Const(s.step).op('i32.add').localSet(v);
        f.br(0).end().end();
        return;
      }
      case 'if':
        this.expr(s.cond);
        f.if_();
        this.stmts(s.then);
        if (s.else.length) {
          f.else_();
          this.stmts(s.else);
        }
        f.end();
        return;
    }
  }

  private store(s: Extract<Stmt, { k: 'store' }>): void {
    const f = this.f;
    const t = s.value.t;
    const el = elementOf(t);
    if (!isVector(t)) {
      const offset = this.address(s.buf, s.index);
      this.expr(s.value);
      f.op(el === 'f32' ? 'f32.store' : 'i32.store', { offset });
      return;
    }
    if (s.stride === 1) {
      const offset = this.address(s.buf, s.index);
      this.expr(s.value);
      if (el === 'bool') this.maskToInts();
      f.op('v128.store', { offset });
      return;
    }
    const v = this.temp('v128');
    const addr = this.temp('i32');
    const offset = this.address(s.buf, s.index);
    if (offset !== 0) f.i32Const(offset).op('i32.add');
    f.localSet(addr);
    this.expr(s.value);
    if (el === 'bool') this.maskToInts();
    f.localSet(v);
    for (let l = 0; l < LANES; l++) {
      f.localGet(addr);
      if (l) f.i32Const(4 * l * s.stride).op('i32.add');
      f.localGet(v);
      if (el === 'f32') f.op('f32x4.extract_lane', l).op('f32.store');
      else f.op('i32x4.extract_lane', l).op('i32.store');
    }
  }
}

/** Renders kernels (and the functions they call) into one module. */
export function renderModule(kernels: readonly Kernel[], opts: RenderOptions): RenderedModule {
  const m = new ModuleBuilder(opts.memory);
  const fns = calledFunctions(kernels.map((k) => k.body), opts.functions);
  const functionIndex = new Map<string, number>();
  const declared = fns.map((fn) => {
    const b = m.declareFunction(fn.params.map((p) => valType(p.t)), [valType(fn.result)]);
    functionIndex.set(fn.name, b.index);
    return { fn, b };
  });
  for (const { fn, b } of declared) {
    const r = new FunctionRenderer(b, opts, functionIndex);
    fn.params.forEach((p, i) => r.bindLocal(p.name, p.t, b.param(i)));
    r.scanSets(fn.body);
    r.stmts(fn.body);
    r.expr(fn.ret);
    b.finish();
  }
  const exports = kernels.map((_, i) => `k${i}`);
  kernels.forEach((k, i) => {
    const b = m.declareFunction(['i32', 'i32'], [], exports[i]);
    const r = new FunctionRenderer(b, opts, functionIndex);
    r.bindLocal('start', 'i32', b.param(0));
    r.bindLocal('end', 'i32', b.param(1));
    r.markNonNegative('start');
    r.markNonNegative('end');
    r.scanSets(k.body);
    r.stmts(k.body);
    b.finish();
  });
  return { bytes: m.toBytes(), exports };
}
