/**
 * A small WebAssembly binary assembler.
 *
 * What this module owns: turning functions written instruction by instruction (by their
 * text-format names, see `opcodes.ts`) into a module's bytes — the type section (with
 * deduplicated signatures), function imports and one optional imported memory (index 0,
 * shared or not), the function, export and code sections, LEB128 and IEEE-754 encoding of
 * immediates. It checks what it can see cheaply — immediates (kind, range, lane index,
 * alignment), block nesting, branch depths, local and callee indices, finished bodies — and
 * throws an Error saying which function and instruction is wrong. It does not type-check
 * the operand stack: `WebAssembly.validate` / `compile` does that.
 *
 * Dependency-free and browser-safe (no Node imports). Built for speed: each function body
 * is written straight into a growing byte buffer, and `toBytes` only concatenates.
 */

import { type ImmKind, OPCODES, type OpName, type OpSpec } from './opcodes';

export type { OpName } from './opcodes';

export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128';

/** `align` is log2 of the byte alignment; by default the op's natural alignment. */
export interface MemArg {
  readonly offset?: number;
  readonly align?: number;
}

export interface MemoryImport {
  readonly module: string;
  readonly name: string;
  /** Pages of 64 KiB. */
  readonly initial: number;
  readonly maximum: number;
  readonly shared: boolean;
}

export type Immediate = number | bigint | MemArg | Uint8Array;

const VALTYPE: Record<ValType, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };
const BLOCK_VOID = 0x40;
const OP_END = 0x0b;

// ---- byte buffer ------------------------------------------------------------------------

const scratch = new DataView(new ArrayBuffer(8));
const utf8 = new TextEncoder();

/** A growable byte buffer with the encoders the binary format needs. */
class Bytes {
  buf: Uint8Array<ArrayBuffer>;
  len = 0;

  constructor(capacity = 64) {
    this.buf = new Uint8Array(capacity);
  }

  private grow(extra: number): void {
    let cap = this.buf.length * 2;
    while (cap < this.len + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  byte(b: number): void {
    if (this.len === this.buf.length) this.grow(1);
    this.buf[this.len++] = b;
  }

  /** Unsigned LEB128 of a u32 (the caller has range-checked it). */
  u32(n: number): void {
    if (this.len + 5 > this.buf.length) this.grow(5);
    const buf = this.buf;
    n >>>= 0;
    while (n >= 0x80) {
      buf[this.len++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    buf[this.len++] = n;
  }

  /** Signed LEB128 of a 32-bit integer (`n | 0` is what gets encoded). */
  s32(n: number): void {
    if (this.len + 5 > this.buf.length) this.grow(5);
    const buf = this.buf;
    n |= 0;
    for (;;) {
      const b = n & 0x7f;
      n >>= 7;
      if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
        buf[this.len++] = b;
        return;
      }
      buf[this.len++] = b | 0x80;
    }
  }

  /** Signed LEB128 of a 64-bit integer given as a signed bigint in range. */
  s64(n: bigint): void {
    if (n >= -0x80000000n && n <= 0x7fffffffn) {
      this.s32(Number(n));
      return;
    }
    if (this.len + 10 > this.buf.length) this.grow(10);
    for (;;) {
      const b = Number(n & 0x7fn);
      n >>= 7n;
      if ((n === 0n && (b & 0x40) === 0) || (n === -1n && (b & 0x40) !== 0)) {
        this.buf[this.len++] = b;
        return;
      }
      this.buf[this.len++] = b | 0x80;
    }
  }

  f32(x: number): void {
    scratch.setFloat32(0, x, true);
    this.scratch(4);
  }

  f64(x: number): void {
    scratch.setFloat64(0, x, true);
    this.scratch(8);
  }

  private scratch(n: number): void {
    if (this.len + n > this.buf.length) this.grow(n);
    for (let i = 0; i < n; i++) this.buf[this.len++] = scratch.getUint8(i);
  }

  raw(bytes: Uint8Array): void {
    if (this.len + bytes.length > this.buf.length) this.grow(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  name(s: string): void {
    const b = utf8.encode(s);
    this.u32(b.length);
    this.raw(b);
  }

  /** Appends `section` as a section with this id (id, u32 size, contents). */
  section(id: number, section: Bytes): void {
    this.byte(id);
    this.u32(section.len);
    this.raw(section.buf.subarray(0, section.len));
  }
}

// ---- opcode lookup ----------------------------------------------------------------------

interface CompiledOp {
  readonly spec: OpSpec;
  /** The opcode's bytes: one byte, or the prefix and the LEB128 code. */
  readonly head: Uint8Array;
  /** Immediates `op` takes: a count, or -1 any (br_table), -2 an optional memarg, -3 [memarg,] lane. */
  readonly arity: number;
}

const ARITY: Record<ImmKind, number> = {
  none: 0, block: 0, memidx: 0, memidx2: 0, fence: 0,
  label: 1, func: 1, local: 1, i32: 1, i64: 1, f32: 1, f64: 1, v128: 1, shuffle: 1, lane: 1,
  labels: -1, memarg: -2, memargLane: -3,
};

const OPS = new Map<string, CompiledOp>();
for (const [name, spec] of Object.entries(OPCODES) as [string, OpSpec][]) {
  const b = new Bytes(4);
  if (spec.prefix === 0) b.byte(spec.code);
  else {
    b.byte(spec.prefix);
    b.u32(spec.code);
  }
  OPS.set(name, { spec, head: b.buf.slice(0, b.len), arity: ARITY[spec.imm] });
}

// ---- immediate checks -------------------------------------------------------------------

function isMemArg(x: Immediate | undefined): x is MemArg {
  return typeof x === 'object' && x !== null && !(x instanceof Uint8Array);
}

function describe(x: Immediate | undefined): string {
  if (x === undefined) return 'nothing';
  if (typeof x === 'bigint') return `${x}n`;
  if (x instanceof Uint8Array) return `a Uint8Array of ${x.length} bytes`;
  if (typeof x === 'object') return JSON.stringify(x);
  return String(x);
}

function checkValType(t: ValType, where: string): number {
  const code = Object.hasOwn(VALTYPE, t) ? VALTYPE[t] : undefined;
  if (code === undefined) throw new Error(`${where}: "${String(t)}" is not a value type (i32, i64, f32, f64, v128)`);
  return code;
}

const FRAME_BLOCK = 0;
const FRAME_LOOP = 1;
const FRAME_IF = 2;
const FRAME_ELSE = 3;

// ---- functions --------------------------------------------------------------------------

export class FunctionBuilder {
  /** Function index in the module (imports come first). */
  readonly index: number;
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
  readonly exportName: string | undefined;
  /** Index into the module's type section. */
  readonly typeIndex: number;

  private readonly locals: ValType[] = [];
  private readonly body = new Bytes(256);
  private readonly frames: number[] = [];
  private finished = false;
  private maxCalleeIndex = -1;

  /** @internal Use ModuleBuilder.declareFunction. */
  constructor(index: number, typeIndex: number, params: readonly ValType[], results: readonly ValType[], exportName?: string) {
    this.index = index;
    this.typeIndex = typeIndex;
    this.params = params;
    this.results = results;
    this.exportName = exportName;
  }

  /** True once finish() has been called. */
  get isFinished(): boolean {
    return this.finished;
  }

  /** Largest function index this body calls, -1 if none (checked against the module in toBytes). */
  get maxCallee(): number {
    return this.maxCalleeIndex;
  }

  /** Number of locals, parameters included. */
  get localCount(): number {
    return this.params.length + this.locals.length;
  }

  /** Local index of parameter i. */
  param(i: number): number {
    if (!Number.isInteger(i) || i < 0 || i >= this.params.length) {
      throw new Error(`${this.where()}: no parameter ${i} (it has ${this.params.length})`);
    }
    return i;
  }

  /** A new local of this type; returns its index. */
  local(type: ValType): number {
    checkValType(type, `${this.where()} local`);
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  /** Emits one instruction by its WebAssembly text-format name, with its immediates. */
  op(name: OpName, ...imm: Immediate[]): this {
    const op = OPS.get(name);
    if (op === undefined) throw new Error(`${this.where()}: unknown instruction "${String(name)}"`);
    this.open(name);
    const spec = op.spec;
    const kind = spec.imm;
    // Arity first: a fixed number of immediates, except br_table (any), memarg (0 or 1)
    // and memargLane (lane, or memarg and lane).
    let arity = op.arity;
    if (arity === -2) arity = imm.length === 0 ? 0 : 1;
    else if (arity === -3) arity = imm.length === 1 ? 1 : 2;
    if (arity >= 0 && imm.length !== arity) {
      throw new Error(
        `${this.where()}: ${name} takes ${arity === 0 ? 'no immediate' : `${arity} immediate${arity > 1 ? 's' : ''}`}, got ${imm.length}` +
          (imm.length > 0 ? ` (${imm.map(describe).join(', ')})` : ''),
      );
    }
    const b = this.body;
    switch (kind) {
      case 'none':
        if (spec.prefix === 0) {
          if (spec.code === OP_END) this.popFrame(name);
          else if (spec.code === 0x05) this.elseFrame(name);
        }
        b.raw(op.head);
        return this;
      case 'block':
        b.raw(op.head);
        b.byte(BLOCK_VOID);
        this.frames.push(spec.code === 0x02 ? FRAME_BLOCK : spec.code === 0x03 ? FRAME_LOOP : FRAME_IF);
        return this;
      case 'label':
        b.raw(op.head);
        b.u32(this.depth(name, imm[0]));
        return this;
      case 'labels': {
        if (imm.length === 0) throw new Error(`${this.where()}: br_table needs at least the default depth`);
        b.raw(op.head);
        b.u32(imm.length - 1);
        for (const d of imm) b.u32(this.depth(name, d));
        return this;
      }
      case 'func':
        b.raw(op.head);
        b.u32(this.callee(imm[0]));
        return this;
      case 'local':
        b.raw(op.head);
        b.u32(this.localIndex(name, imm[0]));
        return this;
      case 'memarg':
        b.raw(op.head);
        this.memarg(name, spec, imm[0]);
        return this;
      case 'memargLane': {
        // (memarg, lane) or just (lane)
        const [m, lane] = imm.length === 1 ? [undefined, imm[0]] : [imm[0], imm[1]];
        b.raw(op.head);
        this.memarg(name, spec, m);
        b.byte(this.lane(name, spec, lane));
        return this;
      }
      case 'memidx':
      case 'fence':
        b.raw(op.head);
        b.byte(0);
        return this;
      case 'memidx2':
        b.raw(op.head);
        b.byte(0);
        b.byte(0);
        return this;
      case 'lane':
        b.raw(op.head);
        b.byte(this.lane(name, spec, imm[0]));
        return this;
      case 'i32':
        return this.i32Const(this.number(name, imm[0]));
      case 'i64': {
        const x = imm[0];
        if (typeof x === 'number' && Number.isSafeInteger(x)) return this.i64Const(BigInt(x));
        if (typeof x !== 'bigint') throw this.bad(name, x, 'a bigint (or a safe integer)');
        return this.i64Const(x);
      }
      case 'f32':
        return this.f32Const(this.number(name, imm[0]));
      case 'f64':
        return this.f64Const(this.number(name, imm[0]));
      case 'v128':
        return this.v128Const(this.bytes16(name, imm[0]));
      case 'shuffle': {
        const lanes = this.bytes16(name, imm[0]);
        for (let i = 0; i < 16; i++) {
          if (lanes[i]! >= 32) throw new Error(`${this.where()}: i8x16.shuffle lane index ${lanes[i]} at position ${i} is not below 32`);
        }
        b.raw(op.head);
        b.raw(lanes);
        return this;
      }
    }
  }

  // ---- constants ------------------------------------------------------------------------

  /** Any integer in [-2^31, 2^32 - 1]; values above 2^31 - 1 are taken as unsigned (0xffffffff is -1). */
  i32Const(n: number): this {
    this.open('i32.const');
    if (!Number.isInteger(n) || n < -0x80000000 || n > 0xffffffff) {
      throw new Error(`${this.where()}: i32.const ${n} is not a 32-bit integer`);
    }
    this.body.byte(0x41);
    this.body.s32(n);
    return this;
  }

  /** Any integer in [-2^63, 2^64 - 1]; values above 2^63 - 1 are taken as unsigned. */
  i64Const(n: bigint): this {
    this.open('i64.const');
    if (typeof n !== 'bigint' || n < -0x8000000000000000n || n > 0xffffffffffffffffn) {
      throw new Error(`${this.where()}: i64.const ${describe(n)} is not a 64-bit integer (give a bigint)`);
    }
    this.body.byte(0x42);
    this.body.s64(BigInt.asIntN(64, n));
    return this;
  }

  f32Const(x: number): this {
    this.open('f32.const');
    this.body.byte(0x43);
    this.body.f32(x);
    return this;
  }

  f64Const(x: number): this {
    this.open('f64.const');
    this.body.byte(0x44);
    this.body.f64(x);
    return this;
  }

  /** 16 raw bytes (lane 0 first, little-endian lanes); bit patterns are kept exactly. */
  v128Const(bytes: Uint8Array): this {
    this.open('v128.const');
    const v = this.bytes16('v128.const', bytes);
    this.body.byte(0xfd);
    this.body.byte(0x0c);
    this.body.raw(v);
    return this;
  }

  f32x4Const(a: number, b: number, c: number, d: number): this {
    const v = new Float32Array([a, b, c, d]);
    return this.v128Const(new Uint8Array(v.buffer));
  }

  // ---- locals ---------------------------------------------------------------------------

  localGet(i: number): this {
    return this.localOp(0x20, 'local.get', i);
  }

  localSet(i: number): this {
    return this.localOp(0x21, 'local.set', i);
  }

  localTee(i: number): this {
    return this.localOp(0x22, 'local.tee', i);
  }

  private localOp(code: number, name: string, i: number): this {
    this.open(name);
    this.body.byte(code);
    this.body.u32(this.localIndex(name, i));
    return this;
  }

  // ---- control --------------------------------------------------------------------------

  block(result?: ValType): this {
    return this.blockOp(0x02, FRAME_BLOCK, 'block', result);
  }

  loop(result?: ValType): this {
    return this.blockOp(0x03, FRAME_LOOP, 'loop', result);
  }

  if_(result?: ValType): this {
    return this.blockOp(0x04, FRAME_IF, 'if', result);
  }

  else_(): this {
    this.open('else');
    this.elseFrame('else_()');
    this.body.byte(0x05);
    return this;
  }

  end(): this {
    this.open('end');
    this.popFrame('end()');
    this.body.byte(OP_END);
    return this;
  }

  br(depth: number): this {
    this.open('br');
    this.body.byte(0x0c);
    this.body.u32(this.depth('br', depth));
    return this;
  }

  brIf(depth: number): this {
    this.open('br_if');
    this.body.byte(0x0d);
    this.body.u32(this.depth('br_if', depth));
    return this;
  }

  /** br_table over `depths`, with `defaultDepth` for out-of-range indices. */
  brTable(depths: readonly number[], defaultDepth: number): this {
    return this.op('br_table', ...depths, defaultDepth);
  }

  call(funcIndex: number): this {
    this.open('call');
    this.body.byte(0x10);
    this.body.u32(this.callee(funcIndex));
    return this;
  }

  /** Finishes the body (adds the final `end`). Must be called exactly once. */
  finish(): void {
    this.open('finish()');
    if (this.frames.length > 0) {
      throw new Error(`${this.where()}: finish() with ${this.frames.length} block${this.frames.length > 1 ? 's' : ''} still open (missing end())`);
    }
    this.body.byte(OP_END);
    this.finished = true;
  }

  // ---- for ModuleBuilder ----------------------------------------------------------------

  /** @internal Size in bytes of the body's code (without local declarations). */
  get codeSize(): number {
    return this.body.len;
  }

  /** @internal The body as it goes into the code section: local declarations, then code. */
  encodeBody(out: Bytes): void {
    // Local declarations: runs of equal types.
    const locals = this.locals;
    let groups = 0;
    for (let i = 0; i < locals.length; i++) if (i === 0 || locals[i] !== locals[i - 1]) groups++;
    const head = new Bytes(1 + groups * 6);
    head.u32(groups);
    for (let i = 0; i < locals.length; ) {
      let j = i + 1;
      while (j < locals.length && locals[j] === locals[i]) j++;
      head.u32(j - i);
      head.byte(VALTYPE[locals[i]!]);
      i = j;
    }
    out.u32(head.len + this.body.len);
    out.raw(head.buf.subarray(0, head.len));
    out.raw(this.body.buf.subarray(0, this.body.len));
  }

  // ---- private --------------------------------------------------------------------------

  private where(): string {
    return `function ${this.index}${this.exportName !== undefined ? ` ("${this.exportName}")` : ''}`;
  }

  private open(what: string): void {
    if (this.finished) throw new Error(`${this.where()}: ${what} after finish()`);
  }

  private bad(name: string, x: Immediate | undefined, want: string): Error {
    return new Error(`${this.where()}: ${name} wants ${want}, got ${describe(x)}`);
  }

  private blockOp(code: number, frame: number, name: string, result: ValType | undefined): this {
    this.open(name);
    const bt = result === undefined ? BLOCK_VOID : checkValType(result, `${this.where()} ${name}`);
    this.body.byte(code);
    this.body.byte(bt);
    this.frames.push(frame);
    return this;
  }

  private elseFrame(what: string): void {
    const n = this.frames.length;
    if (n === 0 || this.frames[n - 1] !== FRAME_IF) {
      throw new Error(`${this.where()}: ${what} without a matching if_() (innermost open block: ${frameName(this.frames[n - 1])})`);
    }
    this.frames[n - 1] = FRAME_ELSE;
  }

  private popFrame(what: string): void {
    if (this.frames.length === 0) {
      throw new Error(`${this.where()}: ${what} with no open block (the function's own end is added by finish())`);
    }
    this.frames.pop();
  }

  private depth(name: string, d: Immediate | undefined): number {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) throw this.bad(name, d, 'a branch depth (a non-negative integer)');
    if (d > this.frames.length) {
      throw new Error(`${this.where()}: ${name} ${d} is deeper than the ${this.frames.length} open block${this.frames.length === 1 ? '' : 's'} (at most ${this.frames.length})`);
    }
    return d;
  }

  private callee(f: Immediate | undefined): number {
    if (typeof f !== 'number' || !Number.isInteger(f) || f < 0 || f > 0xffffffff) throw this.bad('call', f, 'a function index');
    if (f > this.maxCalleeIndex) this.maxCalleeIndex = f;
    return f;
  }

  private localIndex(name: string, i: Immediate | undefined): number {
    if (typeof i !== 'number' || !Number.isInteger(i) || i < 0) throw this.bad(name, i, 'a local index');
    if (i >= this.localCount) throw new Error(`${this.where()}: ${name} ${i}: it has only ${this.localCount} locals (parameters included)`);
    return i;
  }

  private number(name: string, x: Immediate | undefined): number {
    if (typeof x !== 'number') throw this.bad(name, x, 'a number');
    return x;
  }

  private bytes16(name: string, x: Immediate | undefined): Uint8Array {
    if (!(x instanceof Uint8Array) || x.length !== 16) throw this.bad(name, x, 'a Uint8Array of 16 bytes');
    return x;
  }

  private lane(name: string, spec: OpSpec, x: Immediate | undefined): number {
    const lanes = spec.lanes!;
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x >= lanes) {
      throw this.bad(name, x, `a lane index in 0..${lanes - 1}`);
    }
    return x;
  }

  private memarg(name: string, spec: OpSpec, m: Immediate | undefined): void {
    const natural = spec.align!;
    let align = natural;
    let offset = 0;
    if (m !== undefined) {
      if (!isMemArg(m)) throw this.bad(name, m, 'a memory argument { offset?, align? }');
      if (m.align !== undefined) {
        if (!Number.isInteger(m.align) || m.align < 0 || m.align > natural) {
          throw new Error(`${this.where()}: ${name} alignment ${m.align} (log2 bytes) must be an integer in 0..${natural}, its natural alignment`);
        }
        if (spec.prefix === 0xfe && m.align !== natural) {
          throw new Error(`${this.where()}: ${name} alignment ${m.align} (log2 bytes): atomic accesses must be naturally aligned (${natural})`);
        }
        align = m.align;
      }
      if (m.offset !== undefined) {
        if (!Number.isInteger(m.offset) || m.offset < 0 || m.offset > 0xffffffff) {
          throw new Error(`${this.where()}: ${name} offset ${m.offset} must be an integer in 0..2^32-1`);
        }
        offset = m.offset;
      }
    }
    this.body.u32(align);
    this.body.u32(offset);
  }
}

function frameName(f: number | undefined): string {
  return f === undefined ? 'none' : ['block', 'loop', 'if', 'else'][f]!;
}

// ---- modules ----------------------------------------------------------------------------

interface FuncImport {
  readonly module: string;
  readonly name: string;
  readonly typeIndex: number;
}

export class ModuleBuilder {
  private readonly memory: MemoryImport | undefined;
  private readonly types: { params: readonly ValType[]; results: readonly ValType[] }[] = [];
  private readonly typeIndex = new Map<string, number>();
  private readonly imports: FuncImport[] = [];
  private readonly functions: FunctionBuilder[] = [];
  private readonly exportNames = new Set<string>();

  /** With `memory`, the module imports it as memory 0. */
  constructor(memory?: MemoryImport) {
    if (memory !== undefined) {
      const { initial, maximum } = memory;
      const pages = (n: number) => Number.isInteger(n) && n >= 0 && n <= 65536;
      if (!pages(initial) || !pages(maximum) || maximum < initial) {
        throw new Error(`memory import: initial ${initial} and maximum ${maximum} must be page counts with initial <= maximum <= 65536`);
      }
    }
    this.memory = memory;
  }

  /** Number of functions so far, imports included. */
  get functionCount(): number {
    return this.imports.length + this.functions.length;
  }

  /** Imports a function; returns its function index. All imports must be declared before any defineFunction. */
  importFunction(module: string, name: string, params: readonly ValType[], results: readonly ValType[]): number {
    if (this.functions.length > 0) {
      throw new Error(`importFunction("${module}", "${name}"): imports must come before the first declareFunction (function indices would shift)`);
    }
    this.imports.push({ module, name, typeIndex: this.signature(params, results, `import "${module}"."${name}"`) });
    return this.imports.length - 1;
  }

  /** Declares a function (returns its index, usable in call before the body exists). */
  declareFunction(params: readonly ValType[], results: readonly ValType[], exportName?: string): FunctionBuilder {
    if (exportName !== undefined) {
      if (this.exportNames.has(exportName)) throw new Error(`declareFunction: export name "${exportName}" is already used`);
      this.exportNames.add(exportName);
    }
    const index = this.functionCount;
    const typeIndex = this.signature(params, results, `function ${index}`);
    const f = new FunctionBuilder(index, typeIndex, [...params], [...results], exportName);
    this.functions.push(f);
    return f;
  }

  /** The module's bytes (backed by a plain ArrayBuffer, so usable as a BufferSource). */
  toBytes(): Uint8Array<ArrayBuffer> {
    const count = this.functionCount;
    for (const f of this.functions) {
      if (!f.isFinished) {
        throw new Error(`function ${f.index}${f.exportName !== undefined ? ` ("${f.exportName}")` : ''} has no finished body (call finish() after its last instruction)`);
      }
      if (f.maxCallee >= count) {
        throw new Error(`function ${f.index}: calls function ${f.maxCallee}, but the module has only ${count} functions`);
      }
    }

    const out = new Bytes(4096);
    out.raw(HEADER);
    const sec = new Bytes(256);

    // 1: types
    if (this.types.length > 0) {
      sec.len = 0;
      sec.u32(this.types.length);
      for (const t of this.types) {
        sec.byte(0x60);
        sec.u32(t.params.length);
        for (const p of t.params) sec.byte(VALTYPE[p]);
        sec.u32(t.results.length);
        for (const r of t.results) sec.byte(VALTYPE[r]);
      }
      out.section(1, sec);
    }

    // 2: imports (memory first, then functions)
    const nImports = this.imports.length + (this.memory ? 1 : 0);
    if (nImports > 0) {
      sec.len = 0;
      sec.u32(nImports);
      const m = this.memory;
      if (m) {
        sec.name(m.module);
        sec.name(m.name);
        sec.byte(0x02);
        sec.byte(m.shared ? 0x03 : 0x01);
        sec.u32(m.initial);
        sec.u32(m.maximum);
      }
      for (const imp of this.imports) {
        sec.name(imp.module);
        sec.name(imp.name);
        sec.byte(0x00);
        sec.u32(imp.typeIndex);
      }
      out.section(2, sec);
    }

    // 3: function declarations
    if (this.functions.length > 0) {
      sec.len = 0;
      sec.u32(this.functions.length);
      for (const f of this.functions) sec.u32(f.typeIndex);
      out.section(3, sec);
    }

    // 7: exports
    if (this.exportNames.size > 0) {
      sec.len = 0;
      sec.u32(this.exportNames.size);
      for (const f of this.functions) {
        if (f.exportName === undefined) continue;
        sec.name(f.exportName);
        sec.byte(0x00);
        sec.u32(f.index);
      }
      out.section(7, sec);
    }

    // 10: code
    if (this.functions.length > 0) {
      let estimate = 16;
      for (const f of this.functions) estimate += f.codeSize + 16 + f.localCount * 6;
      const code = new Bytes(estimate);
      code.u32(this.functions.length);
      for (const f of this.functions) f.encodeBody(code);
      out.byte(10);
      out.u32(code.len);
      out.raw(code.buf.subarray(0, code.len));
    }

    return out.buf.slice(0, out.len);
  }

  private signature(params: readonly ValType[], results: readonly ValType[], where: string): number {
    for (const t of params) checkValType(t, `${where} parameter`);
    for (const t of results) checkValType(t, `${where} result`);
    const key = `${params.join(',')}>${results.join(',')}`;
    let i = this.typeIndex.get(key);
    if (i === undefined) {
      i = this.types.length;
      this.types.push({ params: [...params], results: [...results] });
      this.typeIndex.set(key, i);
    }
    return i;
  }
}

const HEADER = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
