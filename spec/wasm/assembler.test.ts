// The WebAssembly assembler (kernels/wasm) checked against independent references:
//  - wabt (the official toolkit, compiled to JS): every opcode in the table, and a set of
//    representative modules, must assemble to the same bytes as wabt's wat2wasm;
//  - the engine: modules run and agree with JS arithmetic (i32 wrap, traps, f32 rounding,
//    SIMD lanes, shared-memory atomics);
//  - error cases give clear messages.
import { beforeAll, describe, expect, it } from 'vitest';
import wabtInit from 'wabt';
import {
  type FunctionBuilder,
  type Immediate,
  type MemoryImport,
  ModuleBuilder,
  type OpName,
  type ValType,
} from '../../kernels/wasm/assembler';
import { wasmFeatures } from '../../kernels/wasm/features';
import { OPCODES, type OpSpec } from '../../kernels/wasm/opcodes';

// ---- the engine's WebAssembly API, typed locally (the project's lib has no DOM types) ----

interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  compile(bytes: Uint8Array): Promise<unknown>;
  instantiate(bytes: Uint8Array, imports?: Record<string, Record<string, unknown>>): Promise<{ instance: WasmInstance }>;
  Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  RuntimeError: new (message?: string) => Error;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

type Wabt = Awaited<ReturnType<typeof wabtInit>>;
let wabt: Wabt;
beforeAll(async () => {
  wabt = await wabtInit();
});

const ALL_FEATURES = {
  simd: true,
  relaxed_simd: true,
  threads: true,
  bulk_memory: true,
  sat_float_to_int: true,
  sign_extension: true,
  multi_value: true,
};

/** wat2wasm without validation (so single instructions need not type-check). */
function wat2wasm(wat: string): Uint8Array {
  const mod = wabt.parseWat('test.wat', wat, ALL_FEATURES);
  try {
    return mod.toBinary({ canonicalize_lebs: true, write_debug_names: false }).buffer;
  } finally {
    mod.destroy();
  }
}

function readU32(bytes: Uint8Array, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[pos++]!;
    result += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [result, pos];
  }
}

/** The contents of section `id` (undefined if absent). */
function section(bytes: Uint8Array, id: number): Uint8Array | undefined {
  let pos = 8;
  while (pos < bytes.length) {
    const sid = bytes[pos++]!;
    const [size, start] = readU32(bytes, pos);
    if (sid === id) return bytes.subarray(start, start + size);
    pos = start + size;
  }
  return undefined;
}

const hex = (b: Uint8Array | undefined): string =>
  b === undefined ? '(none)' : Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

const ENTRIES = Object.entries(OPCODES) as [OpName, OpSpec][];

// ---- 1. every opcode against wabt ---------------------------------------------------------

/**
 * For one table entry: the WAT instructions and the matching builder calls, exercising its
 * immediates with non-trivial values (several variants for memory ops).
 */
function opCase(name: OpName, spec: OpSpec): { wat: string; emit: (f: FunctionBuilder) => void } {
  const plain = (imm: Immediate[]) => ({ wat: name, emit: (f: FunctionBuilder) => void f.op(name, ...imm) });
  switch (spec.imm) {
    case 'none':
      // (wabt drops an empty else arm, so give it one instruction)
      if (name === 'else') return { wat: 'if else nop end', emit: (f) => void f.op('if').op('else').op('nop').op('end') };
      if (name === 'end') return { wat: 'block end', emit: (f) => void f.op('block').op('end') };
      return plain([]);
    case 'block':
      return { wat: `${name} end`, emit: (f) => void f.op(name).op('end') };
    case 'label':
      return { wat: `block block ${name} 2 end end`, emit: (f) => void f.op('block').op('block').op(name, 2).op('end').op('end') };
    case 'labels':
      return {
        wat: `block block ${name} 0 1 2 1 end end`,
        emit: (f) => void f.op('block').op('block').op(name, 0, 1, 2, 1).op('end').op('end'),
      };
    case 'func':
      return { wat: `${name} 0`, emit: (f) => void f.op(name, 0) };
    case 'local':
      return { wat: `${name} 2`, emit: (f) => void f.op(name, 2) };
    case 'memarg': {
      // An explicit alignment below the natural one (atomics allow only the natural one).
      const align = spec.prefix === 0xfe ? spec.align! : 0;
      return {
        wat: `${name}\n${name} offset=16\n${name} offset=1234567 align=${1 << align}`,
        emit: (f) => void f.op(name).op(name, { offset: 16 }).op(name, { offset: 1234567, align }),
      };
    }
    case 'memargLane': {
      const last = spec.lanes! - 1;
      return {
        wat: `${name} ${last}\n${name} offset=300 align=1 0`,
        emit: (f) => void f.op(name, last).op(name, { offset: 300, align: 0 }, 0),
      };
    }
    case 'memidx':
    case 'memidx2':
    case 'fence':
      return plain([]);
    case 'i32':
      return { wat: `${name} -123456789\n${name} 4294967295`, emit: (f) => void f.op(name, -123456789).op(name, 0xffffffff) };
    case 'i64':
      return {
        wat: `${name} -1234567890123\n${name} 9223372036854775807`,
        emit: (f) => void f.op(name, -1234567890123n).op(name, 9223372036854775807n),
      };
    case 'f32':
      return { wat: `${name} 0.1\n${name} -0x1p-149`, emit: (f) => void f.op(name, 0.1).op(name, -(2 ** -149)) };
    case 'f64':
      return { wat: `${name} -2.5e-300`, emit: (f) => void f.op(name, -2.5e-300) };
    case 'v128': {
      const bytes = Uint8Array.from({ length: 16 }, (_, i) => (i * 37 + 200) & 255);
      return { wat: `${name} i8x16 ${Array.from(bytes).join(' ')}`, emit: (f) => void f.op(name, bytes) };
    }
    case 'shuffle': {
      const lanes = Uint8Array.from({ length: 16 }, (_, i) => (i * 7 + 3) % 32);
      return { wat: `${name} ${Array.from(lanes).join(' ')}`, emit: (f) => void f.op(name, lanes) };
    }
    case 'lane': {
      const last = spec.lanes! - 1;
      return { wat: `${name} ${last}\n${name} 0`, emit: (f) => void f.op(name, last).op(name, 0) };
    }
  }
}

/** Compares our code section with wabt's for each op; returns the mismatches. */
function compareOps(entries: [OpName, OpSpec][]): string[] {
  const mismatches: string[] = [];
  for (const [name, spec] of entries) {
    const { wat, emit } = opCase(name, spec);
    let expected: Uint8Array | undefined;
    try {
      expected = section(
        wat2wasm(`(module (memory 1 1 shared) (func (param i32 i64) (local f32)\n${wat}\n))`),
        10,
      );
    } catch (e) {
      mismatches.push(`${name}: wabt rejected the WAT (${(e as Error).message.split('\n')[0]})`);
      continue;
    }
    const m = new ModuleBuilder();
    const f = m.declareFunction(['i32', 'i64'], []);
    f.local('f32');
    emit(f);
    f.finish();
    const actual = section(m.toBytes(), 10);
    if (hex(actual) !== hex(expected)) mismatches.push(`${name}: wabt ${hex(expected)} | ours ${hex(actual)}`);
  }
  return mismatches;
}

describe('opcode table against wabt', () => {
  const groups: [string, (s: OpSpec) => boolean][] = [
    ['MVP (one-byte opcodes)', (s) => s.prefix === 0],
    ['0xFC (saturating truncation, bulk memory)', (s) => s.prefix === 0xfc],
    ['0xFD SIMD', (s) => s.prefix === 0xfd && s.code < 0x100],
    ['0xFD relaxed SIMD', (s) => s.prefix === 0xfd && s.code >= 0x100],
    ['0xFE threads', (s) => s.prefix === 0xfe],
  ];
  for (const [label, pick] of groups) {
    it(`encodes every ${label} instruction exactly as wabt does`, () => {
      const entries = ENTRIES.filter(([, s]) => pick(s));
      expect(entries.length).toBeGreaterThan(0);
      expect(compareOps(entries)).toEqual([]);
    });
  }

  it('has no two names on one opcode, and covers every SIMD / relaxed-SIMD / atomic opcode wabt decodes', () => {
    const seen = new Map<string, string>();
    for (const [name, s] of ENTRIES) {
      const key = `${s.prefix}:${s.code}`;
      expect(seen.get(key), `${name} shares its opcode`).toBeUndefined();
      seen.set(key, name);
    }
    // Ask wabt to decode every prefixed opcode we do not have; any it knows is a gap.
    // (Probed with no immediates: the SIMD/atomic ops we might miss that take immediates
    // are decoded from the following bytes, which wabt then rejects or misreads — so this
    // catches missing immediate-free ops, the bulk of the set.)
    const missing: string[] = [];
    const probes: [number, number, number][] = [
      [0xfd, 0x00, 0x113],
      [0xfe, 0x00, 0x4e],
      [0xfc, 0x00, 0x07],
    ];
    const ignore = new Set(['memory.init', 'data.drop', 'table.init', 'elem.drop', 'table.copy', 'table.grow', 'table.size', 'table.fill']);
    for (const [prefix, lo, hi] of probes) {
      for (let code = lo; code <= hi; code++) {
        if (seen.has(`${prefix}:${code}`)) continue;
        const leb = code < 0x80 ? [code] : [(code & 0x7f) | 0x80, code >> 7];
        const body = [0x00, prefix, ...leb, 0x0b];
        const bin = new Uint8Array([
          0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
          0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type () -> ()
          0x03, 0x02, 0x01, 0x00, // one function
          0x0a, body.length + 2, 0x01, body.length, ...body,
        ]);
        let text: string | undefined;
        try {
          const mod = wabt.readWasm(bin, { readDebugNames: false, check: false, ...ALL_FEATURES });
          text = mod.toText({});
          mod.destroy();
        } catch {
          continue; // unknown to wabt too
        }
        const instr = /\(func[^\n]*\n\s*([a-z0-9_.]+)/.exec(text)?.[1];
        if (instr !== undefined && !ignore.has(instr)) missing.push(`0x${prefix.toString(16)} 0x${code.toString(16)} ${instr}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('names every instruction the backend plans to use', () => {
    const wanted = [
      'unreachable', 'nop', 'block', 'loop', 'if', 'else', 'end', 'br', 'br_if', 'br_table', 'return', 'call', 'select', 'drop',
      'local.get', 'local.set', 'local.tee', 'memory.size', 'memory.grow', 'memory.copy', 'memory.fill',
      'i32.load8_u', 'i64.store32', 'i32.wrap_i64', 'f32.convert_i32_s', 'i32.trunc_f32_s', 'i32.reinterpret_f32',
      'f32.reinterpret_i32', 'i32.trunc_sat_f32_s', 'i32.extend8_s',
      'v128.load', 'v128.store', 'v128.load32_splat', 'v128.load8x8_s', 'v128.load32_zero', 'v128.load32_lane', 'v128.const',
      'i8x16.shuffle', 'i8x16.swizzle', 'f32x4.splat', 'f32x4.extract_lane', 'i8x16.replace_lane', 'f32x4.lt', 'v128.not',
      'v128.andnot', 'v128.bitselect', 'v128.any_true', 'f32x4.pmin', 'f32x4.nearest', 'f64x2.nearest', 'i32x4.dot_i16x8_s',
      'i32x4.trunc_sat_f32x4_u', 'f32x4.convert_i32x4_u', 'f32x4.demote_f64x2_zero', 'f64x2.promote_low_f32x4',
      'i32x4.all_true', 'i8x16.bitmask', 'i32x4.extadd_pairwise_i16x8_s', 'i64x2.extmul_high_i32x4_u', 'i8x16.narrow_i16x8_u',
      'f32x4.relaxed_madd', 'f32x4.relaxed_nmadd', 'f32x4.relaxed_min', 'f32x4.relaxed_max', 'i32x4.relaxed_trunc_f32x4_s',
      'i32x4.relaxed_trunc_f32x4_u', 'i8x16.relaxed_swizzle', 'i32x4.relaxed_laneselect',
      'memory.atomic.notify', 'memory.atomic.wait32', 'atomic.fence', 'i32.atomic.load', 'i32.atomic.store',
      'i32.atomic.rmw.add', 'i32.atomic.rmw.sub', 'i32.atomic.rmw.and', 'i32.atomic.rmw.or', 'i32.atomic.rmw.xor',
      'i32.atomic.rmw.xchg', 'i32.atomic.rmw.cmpxchg',
    ];
    expect(wanted.filter((n) => !(n in OPCODES))).toEqual([]);
  });
});

// ---- 2. representative modules, byte for byte -----------------------------------------------

const sharedMemory: MemoryImport = { module: 'env', name: 'memory', initial: 1, maximum: 16, shared: true };
const plainMemory: MemoryImport = { module: 'env', name: 'mem', initial: 2, maximum: 2, shared: false };

interface ModuleCase {
  readonly name: string;
  readonly memory?: MemoryImport;
  readonly wat: string;
  readonly build: (m: ModuleBuilder) => void;
}

const watMemory = (m: MemoryImport) =>
  `(import "${m.module}" "${m.name}" (memory ${m.initial} ${m.maximum}${m.shared ? ' shared' : ''}))`;

const CASES: ModuleCase[] = [
  {
    name: 'i32 constants at the LEB128 edges (negative, 2^31-1, -2^31, unsigned 0xffffffff)',
    wat: `(func (export "k") (result i32)
      i32.const -1 i32.const 2147483647 i32.add i32.const -2147483648 i32.add
      i32.const 0xffffffff i32.add i32.const 2147483648 i32.add i32.const 63 i32.add i32.const 64 i32.add
      i32.const -64 i32.add i32.const -65 i32.add i32.const 8191 i32.add i32.const -8193 i32.add i32.const 0 i32.add)`,
    build: (m) => {
      const f = m.declareFunction([], ['i32'], 'k');
      f.i32Const(-1).i32Const(2147483647).op('i32.add').i32Const(-2147483648).op('i32.add');
      f.i32Const(0xffffffff).op('i32.add').i32Const(2147483648).op('i32.add').i32Const(63).op('i32.add').i32Const(64).op('i32.add');
      f.i32Const(-64).op('i32.add').i32Const(-65).op('i32.add').i32Const(8191).op('i32.add').i32Const(-8193).op('i32.add');
      f.i32Const(0).op('i32.add').finish();
    },
  },
  {
    name: 'i64 constants (2^63-1, -2^63, unsigned 2^64-1, 2^32, -2^32-1)',
    wat: `(func (export "k") (result i64)
      i64.const 9223372036854775807 i64.const -9223372036854775808 i64.add i64.const 0xffffffffffffffff i64.add
      i64.const 4294967296 i64.add i64.const -4294967297 i64.add i64.const 72057594037927936 i64.add i64.const -1 i64.mul)`,
    build: (m) => {
      const f = m.declareFunction([], ['i64'], 'k');
      f.i64Const(9223372036854775807n).i64Const(-9223372036854775808n).op('i64.add').i64Const(0xffffffffffffffffn).op('i64.add');
      f.i64Const(4294967296n).op('i64.add').i64Const(-4294967297n).op('i64.add').i64Const(1n << 56n).op('i64.add');
      f.i64Const(-1n).op('i64.mul').finish();
    },
  },
  {
    name: 'float constants (0.1, -0, ±inf, nan, denormals, max)',
    wat: `(func (export "k") (result f64)
      f32.const 0.1 f32.const -0 f32.add f32.const inf f32.add f32.const -inf f32.add f32.const nan f32.add
      f32.const 0x1p-149 f32.add f32.const 0x1.fffffep127 f32.add f64.promote_f32
      f64.const 0.1 f64.add f64.const -0 f64.add f64.const 0x1p-1074 f64.add f64.const nan f64.add f64.const 1.7976931348623157e308 f64.add)`,
    build: (m) => {
      const f = m.declareFunction([], ['f64'], 'k');
      f.f32Const(0.1).f32Const(-0).op('f32.add').f32Const(Infinity).op('f32.add').f32Const(-Infinity).op('f32.add');
      f.f32Const(NaN).op('f32.add').f32Const(2 ** -149).op('f32.add').f32Const(3.4028234663852886e38).op('f32.add');
      f.op('f64.promote_f32').f64Const(0.1).op('f64.add').f64Const(-0).op('f64.add').f64Const(2 ** -1074).op('f64.add');
      f.f64Const(NaN).op('f64.add').f64Const(1.7976931348623157e308).op('f64.add').finish();
    },
  },
  {
    name: 'nested blocks and loops with br_if (sum of 0..n-1 skipping multiples of 3)',
    wat: `(func (export "sum") (param i32) (result i32) (local i32 i32)
      block
        loop
          local.get 1 local.get 0 i32.ge_s br_if 1
          block
            local.get 1 i32.const 3 i32.rem_s i32.eqz br_if 0
            local.get 2 local.get 1 i32.add local.set 2
          end
          local.get 1 i32.const 1 i32.add local.set 1
          br 0
        end
      end
      block (result i32) i32.const -7 i32.const 0 br_if 0 drop local.get 2 end)`,
    build: (m) => {
      const f = m.declareFunction(['i32'], ['i32'], 'sum');
      const i = f.local('i32');
      const acc = f.local('i32');
      f.block().loop();
      f.localGet(i).localGet(f.param(0)).op('i32.ge_s').brIf(1);
      f.block().localGet(i).i32Const(3).op('i32.rem_s').op('i32.eqz').brIf(0);
      f.localGet(acc).localGet(i).op('i32.add').localSet(acc).end();
      f.localGet(i).i32Const(1).op('i32.add').localSet(i).br(0).end();
      f.end().block('i32').i32Const(-7).i32Const(0).brIf(0).op('drop').localGet(acc).end().finish();
    },
  },
  {
    name: 'if/else with results, select, return',
    wat: `(func (export "pick") (param i32 f32 f32) (result f32)
      local.get 0 if (result f32) local.get 1 else local.get 2 end
      local.get 1 local.get 2 local.get 0 i32.eqz select f32.add
      local.get 0 i32.const 100 i32.gt_u if f32.const 1 return end)`,
    build: (m) => {
      const f = m.declareFunction(['i32', 'f32', 'f32'], ['f32'], 'pick');
      f.localGet(0).if_('f32').localGet(1).else_().localGet(2).end();
      f.localGet(1).localGet(2).localGet(0).op('i32.eqz').op('select').op('f32.add');
      f.localGet(0).i32Const(100).op('i32.gt_u').if_().f32Const(1).op('return').end().finish();
    },
  },
  {
    name: 'br_table dispatch',
    wat: `(func (export "sw") (param i32) (result i32)
      block block block local.get 0 br_table 0 1 2 2 end i32.const 10 return end i32.const 20 return end i32.const 30)`,
    build: (m) => {
      const f = m.declareFunction(['i32'], ['i32'], 'sw');
      f.block().block().block().localGet(0).brTable([0, 1, 2], 2).end().i32Const(10).op('return');
      f.end().i32Const(20).op('return').end().i32Const(30).finish();
    },
  },
  {
    name: 'locals of mixed types (run-length grouped) and local.tee',
    wat: `(func (export "l") (param i64) (result f64) (local i32 i32 f32 f32 f32 i32 v128 f64 f64)
      i32.const 5 local.tee 1 local.set 6 f64.const 2 local.tee 8 local.get 8 f64.mul)`,
    build: (m) => {
      const f = m.declareFunction(['i64'], ['f64'], 'l');
      const a = f.local('i32');
      f.local('i32');
      f.local('f32');
      f.local('f32');
      f.local('f32');
      const b = f.local('i32');
      f.local('v128');
      const d = f.local('f64');
      f.local('f64');
      f.i32Const(5).localTee(a).localSet(b).f64Const(2).localTee(d).localGet(d).op('f64.mul').finish();
    },
  },
  {
    name: 'loads and stores with offsets and alignments',
    memory: plainMemory,
    wat: `(func (export "ls") (param i32)
      local.get 0 local.get 0 f32.load offset=16 f32.store offset=1048576 align=2
      local.get 0 local.get 0 i64.load offset=8 align=1 i64.store32 offset=4 align=2
      local.get 0 local.get 0 i32.load8_u i32.store16 offset=127 align=1
      local.get 0 local.get 0 i32.load16_s offset=128 align=1 i32.store8 offset=65535
      local.get 0 local.get 0 f64.load offset=0 align=4 f64.store align=8
      local.get 0 i64.load32_s offset=3 i64.const 1 i64.add drop)`,
    build: (m) => {
      const f = m.declareFunction(['i32'], [], 'ls');
      f.localGet(0).localGet(0).op('f32.load', { offset: 16 }).op('f32.store', { offset: 1048576, align: 1 });
      f.localGet(0).localGet(0).op('i64.load', { offset: 8, align: 0 }).op('i64.store32', { offset: 4, align: 1 });
      f.localGet(0).localGet(0).op('i32.load8_u').op('i32.store16', { offset: 127, align: 0 });
      f.localGet(0).localGet(0).op('i32.load16_s', { offset: 128, align: 0 }).op('i32.store8', { offset: 65535 });
      f.localGet(0).localGet(0).op('f64.load', { offset: 0, align: 2 }).op('f64.store', { align: 3 });
      f.localGet(0).op('i64.load32_s', { offset: 3 }).i64Const(1n).op('i64.add').op('drop').finish();
    },
  },
  {
    name: 'imports, calls (forward and backward), exports and signature dedup',
    wat: `(import "env" "log" (func (param f32)))
      (import "env" "now" (func (result f64)))
      (func (export "a") (param f32) (result f32) local.get 0 call 4 local.get 0 f32.const 2 f32.mul)
      (func (export "b") (param f32) (result f32) local.get 0 call 0 call 1 f32.demote_f64)
      (func (param f32) local.get 0 call 0)
      (func (export "c") (param f32) (result f32) local.get 0 call 2)`,
    build: (m) => {
      const log = m.importFunction('env', 'log', ['f32'], []);
      const now = m.importFunction('env', 'now', [], ['f64']);
      const a = m.declareFunction(['f32'], ['f32'], 'a');
      const b = m.declareFunction(['f32'], ['f32'], 'b');
      const helper = m.declareFunction(['f32'], []);
      const c = m.declareFunction(['f32'], ['f32'], 'c');
      c.localGet(0).call(a.index).finish();
      helper.localGet(0).call(log).finish();
      b.localGet(0).call(log).call(now).op('f32.demote_f64').finish();
      a.localGet(0).call(helper.index).localGet(0).f32Const(2).op('f32.mul').finish();
    },
  },
  {
    name: 'conversions, saturating truncation, sign extension, reinterpretation',
    wat: `(func (export "cv") (param f32 f64 i64) (result i32)
      local.get 0 i32.trunc_sat_f32_s local.get 1 i32.trunc_sat_f64_u i32.add
      local.get 0 i32.reinterpret_f32 i32.extend8_s i32.add local.get 2 i32.wrap_i64 i32.extend16_s i32.add
      local.get 2 i64.extend32_s f32.convert_i64_u i32.reinterpret_f32 drop
      local.get 1 i64.trunc_sat_f64_s i32.const 1 i64.extend_i32_u i64.add f64.convert_i64_s i32.trunc_f64_s i32.add)`,
    build: (m) => {
      const f = m.declareFunction(['f32', 'f64', 'i64'], ['i32'], 'cv');
      f.localGet(0).op('i32.trunc_sat_f32_s').localGet(1).op('i32.trunc_sat_f64_u').op('i32.add');
      f.localGet(0).op('i32.reinterpret_f32').op('i32.extend8_s').op('i32.add').localGet(2).op('i32.wrap_i64').op('i32.extend16_s').op('i32.add');
      f.localGet(2).op('i64.extend32_s').op('f32.convert_i64_u').op('i32.reinterpret_f32').op('drop');
      f.localGet(1).op('i64.trunc_sat_f64_s').i32Const(1).op('i64.extend_i32_u').op('i64.add').op('f64.convert_i64_s').op('i32.trunc_f64_s').op('i32.add');
      f.finish();
    },
  },
  {
    name: 'memory.size, memory.grow, memory.copy, memory.fill',
    memory: plainMemory,
    wat: `(func (export "bulk") (result i32)
      i32.const 0 i32.const 64 i32.const 32 memory.copy
      i32.const 128 i32.const 255 i32.const 16 memory.fill
      i32.const 0 memory.grow memory.size i32.add)`,
    build: (m) => {
      const f = m.declareFunction([], ['i32'], 'bulk');
      f.i32Const(0).i32Const(64).i32Const(32).op('memory.copy');
      f.i32Const(128).i32Const(255).i32Const(16).op('memory.fill');
      f.i32Const(0).op('memory.grow').op('memory.size').op('i32.add').finish();
    },
  },
  {
    name: 'SIMD f32x4 arithmetic with constants, loads and stores',
    memory: plainMemory,
    wat: `(func (export "axpy") (param i32 i32 f32) (local v128)
      local.get 2 f32x4.splat local.set 3
      local.get 1
      local.get 3 local.get 0 v128.load f32x4.mul local.get 1 v128.load offset=16 align=4 f32x4.add
      v128.const f32x4 1.5 -0 0.25 3e38 f32x4.max f32x4.sqrt f32x4.neg f32x4.abs f32x4.nearest
      v128.const f32x4 1 2 3 4 f32x4.pmin
      v128.store offset=32)`,
    build: (m) => {
      const f = m.declareFunction(['i32', 'i32', 'f32'], [], 'axpy');
      const a = f.local('v128');
      f.localGet(2).op('f32x4.splat').localSet(a).localGet(1);
      f.localGet(a).localGet(0).op('v128.load').op('f32x4.mul').localGet(1).op('v128.load', { offset: 16, align: 2 }).op('f32x4.add');
      f.f32x4Const(1.5, -0, 0.25, 3e38).op('f32x4.max').op('f32x4.sqrt').op('f32x4.neg').op('f32x4.abs').op('f32x4.nearest');
      f.f32x4Const(1, 2, 3, 4).op('f32x4.pmin').op('v128.store', { offset: 32 }).finish();
    },
  },
  {
    name: 'SIMD lanes of every shape, lane loads and stores',
    memory: plainMemory,
    wat: `(func (export "lanes") (param v128 i32) (result f64)
      local.get 0 i32.const -1 i8x16.replace_lane 15 i8x16.extract_lane_s 15
      local.get 0 i16x8.extract_lane_u 7 i32.add
      local.get 0 local.get 1 i32x4.replace_lane 3 i32x4.extract_lane 1 i32.add drop
      local.get 0 i64.const -5 i64x2.replace_lane 1 i64x2.extract_lane 0 drop
      local.get 0 f32.const 2.5 f32x4.replace_lane 2 f32x4.extract_lane 2 drop
      local.get 1 local.get 0 v128.load32_lane offset=12 3 local.set 0
      local.get 1 local.get 0 v128.store64_lane align=4 1
      local.get 1 v128.load32_splat offset=4 local.get 1 v128.load8x8_u f32x4.add local.get 1 v128.load64_zero f32x4.add
      local.get 0 f64.const -0.5 f64x2.replace_lane 1 f64x2.add f64x2.extract_lane 1)`,
    build: (m) => {
      const f = m.declareFunction(['v128', 'i32'], ['f64'], 'lanes');
      f.localGet(0).i32Const(-1).op('i8x16.replace_lane', 15).op('i8x16.extract_lane_s', 15);
      f.localGet(0).op('i16x8.extract_lane_u', 7).op('i32.add');
      f.localGet(0).localGet(1).op('i32x4.replace_lane', 3).op('i32x4.extract_lane', 1).op('i32.add').op('drop');
      f.localGet(0).i64Const(-5n).op('i64x2.replace_lane', 1).op('i64x2.extract_lane', 0).op('drop');
      f.localGet(0).f32Const(2.5).op('f32x4.replace_lane', 2).op('f32x4.extract_lane', 2).op('drop');
      f.localGet(1).localGet(0).op('v128.load32_lane', { offset: 12 }, 3).localSet(0);
      f.localGet(1).localGet(0).op('v128.store64_lane', { align: 2 }, 1);
      f.localGet(1).op('v128.load32_splat', { offset: 4 }).localGet(1).op('v128.load8x8_u').op('f32x4.add').localGet(1).op('v128.load64_zero').op('f32x4.add');
      f.localGet(0).f64Const(-0.5).op('f64x2.replace_lane', 1).op('f64x2.add').op('f64x2.extract_lane', 1).finish();
    },
  },
  {
    name: 'shuffle, swizzle, bitselect and integer SIMD',
    wat: `(func (export "sh") (param v128 v128) (result i32)
      local.get 0 local.get 1 i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 31 30 29 28
      local.get 1 i8x16.swizzle local.get 0 local.get 1 v128.bitselect
      local.get 0 local.get 1 i32x4.dot_i16x8_s i32x4.add local.get 1 i16x8.extmul_high_i8x16_u local.get 0 i8x16.narrow_i16x8_s
      i32x4.trunc_sat_f32x4_u f32x4.convert_i32x4_s f64x2.promote_low_f32x4 f32x4.demote_f64x2_zero
      i32.const 3 i64x2.shl v128.any_true local.get 0 i8x16.bitmask i32.add local.get 1 i16x8.all_true i32.add)`,
    build: (m) => {
      const f = m.declareFunction(['v128', 'v128'], ['i32'], 'sh');
      f.localGet(0).localGet(1).op('i8x16.shuffle', new Uint8Array([0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 31, 30, 29, 28]));
      f.localGet(1).op('i8x16.swizzle').localGet(0).localGet(1).op('v128.bitselect');
      f.localGet(0).localGet(1).op('i32x4.dot_i16x8_s').op('i32x4.add').localGet(1).op('i16x8.extmul_high_i8x16_u').localGet(0).op('i8x16.narrow_i16x8_s');
      f.op('i32x4.trunc_sat_f32x4_u').op('f32x4.convert_i32x4_s').op('f64x2.promote_low_f32x4').op('f32x4.demote_f64x2_zero');
      f.i32Const(3).op('i64x2.shl').op('v128.any_true').localGet(0).op('i8x16.bitmask').op('i32.add').localGet(1).op('i16x8.all_true').op('i32.add');
      f.finish();
    },
  },
  {
    name: 'relaxed SIMD: madd, nmadd, min/max, laneselect, trunc, swizzle',
    wat: `(func (export "fma") (param v128 v128 v128) (result v128)
      local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd local.get 1 local.get 2 f32x4.relaxed_nmadd
      local.get 2 f32x4.relaxed_min local.get 0 f32x4.relaxed_max i32x4.relaxed_trunc_f32x4_s i32x4.relaxed_trunc_f32x4_u
      local.get 1 i8x16.relaxed_swizzle local.get 2 local.get 0 i32x4.relaxed_laneselect)`,
    build: (m) => {
      const f = m.declareFunction(['v128', 'v128', 'v128'], ['v128'], 'fma');
      f.localGet(0).localGet(1).localGet(2).op('f32x4.relaxed_madd').localGet(1).localGet(2).op('f32x4.relaxed_nmadd');
      f.localGet(2).op('f32x4.relaxed_min').localGet(0).op('f32x4.relaxed_max').op('i32x4.relaxed_trunc_f32x4_s').op('i32x4.relaxed_trunc_f32x4_u');
      f.localGet(1).op('i8x16.relaxed_swizzle').localGet(2).localGet(0).op('i32x4.relaxed_laneselect').finish();
    },
  },
  {
    name: 'atomics on an imported shared memory',
    memory: sharedMemory,
    wat: `(func (export "atom") (param i32 i32) (result i32)
      local.get 0 local.get 1 i32.atomic.rmw.add
      local.get 0 i32.const 1 i32.atomic.rmw.sub offset=4 i32.add
      local.get 0 i32.const 1 i32.atomic.rmw.and offset=8 i32.add local.get 0 i32.const 1 i32.atomic.rmw.or i32.add
      local.get 0 i32.const 1 i32.atomic.rmw.xor i32.add local.get 0 i32.const 9 i32.atomic.rmw.xchg offset=12 i32.add
      local.get 0 i32.const 9 local.get 1 i32.atomic.rmw.cmpxchg offset=12 i32.add
      local.get 0 i32.atomic.load offset=4 i32.add
      local.get 0 local.get 1 i32.atomic.store offset=16
      atomic.fence
      local.get 0 i32.const 0 i64.const -1 memory.atomic.wait32 i32.add
      local.get 0 i32.const 1 memory.atomic.notify i32.add)`,
    build: (m) => {
      const f = m.declareFunction(['i32', 'i32'], ['i32'], 'atom');
      f.localGet(0).localGet(1).op('i32.atomic.rmw.add');
      f.localGet(0).i32Const(1).op('i32.atomic.rmw.sub', { offset: 4 }).op('i32.add');
      f.localGet(0).i32Const(1).op('i32.atomic.rmw.and', { offset: 8 }).op('i32.add').localGet(0).i32Const(1).op('i32.atomic.rmw.or').op('i32.add');
      f.localGet(0).i32Const(1).op('i32.atomic.rmw.xor').op('i32.add').localGet(0).i32Const(9).op('i32.atomic.rmw.xchg', { offset: 12 }).op('i32.add');
      f.localGet(0).i32Const(9).localGet(1).op('i32.atomic.rmw.cmpxchg', { offset: 12 }).op('i32.add');
      f.localGet(0).op('i32.atomic.load', { offset: 4 }).op('i32.add');
      f.localGet(0).localGet(1).op('i32.atomic.store', { offset: 16 });
      f.op('atomic.fence');
      f.localGet(0).i32Const(0).i64Const(-1n).op('memory.atomic.wait32').op('i32.add');
      f.localGet(0).i32Const(1).op('memory.atomic.notify').op('i32.add').finish();
    },
  },
];

describe('representative modules against wabt', () => {
  for (const c of CASES) {
    it(`${c.name}: whole module identical to wat2wasm`, () => {
      const wat = `(module ${c.memory ? watMemory(c.memory) : ''}\n${c.wat})`;
      const expected = wat2wasm(wat);
      const m = new ModuleBuilder(c.memory);
      c.build(m);
      const actual = m.toBytes();
      // Section by section first, for a readable failure; then the whole.
      for (const id of [1, 2, 3, 7, 10]) expect(hex(section(actual, id)), `section ${id}`).toBe(hex(section(expected, id)));
      expect(hex(actual)).toBe(hex(expected));
      // And wabt itself agrees it is valid.
      const mod = wabt.readWasm(actual, { readDebugNames: false, check: true, ...ALL_FEATURES });
      // (validate takes the feature set too, though wabt's typings omit the parameter)
      expect(() => (mod.validate as (features: typeof ALL_FEATURES) => void).call(mod, ALL_FEATURES)).not.toThrow();
      mod.destroy();
    });
  }

  it('the engine validates every case whose features it has', () => {
    for (const c of CASES) {
      if (c.name.startsWith('relaxed') && !wasmFeatures.relaxedSimd) continue;
      const m = new ModuleBuilder(c.memory);
      c.build(m);
      expect(WA.validate(m.toBytes()), c.name).toBe(true);
    }
  });
});

// ---- 3. execution against JS ---------------------------------------------------------------

async function instantiate(m: ModuleBuilder, imports: Record<string, Record<string, unknown>> = {}): Promise<Record<string, unknown>> {
  const { instance } = await WA.instantiate(m.toBytes(), imports);
  return instance.exports;
}

type Fn<A extends unknown[], R> = (...args: A) => R;

const I32_EDGES = [0, 1, -1, 2, 7, -7, 0x7fffffff, -0x80000000, 0x40000000, 0x12345678, -0x12345678, 65535, 65536];

describe('execution', () => {
  it('i32 add / mul / sub wrap like (x|0) and Math.imul', async () => {
    const m = new ModuleBuilder();
    for (const [name, op] of [['add', 'i32.add'], ['sub', 'i32.sub'], ['mul', 'i32.mul'], ['shr_u', 'i32.shr_u'], ['rotl', 'i32.rotl']] as const) {
      m.declareFunction(['i32', 'i32'], ['i32'], name).localGet(0).localGet(1).op(op).finish();
    }
    const e = await instantiate(m);
    const add = e.add as Fn<[number, number], number>;
    const sub = e.sub as Fn<[number, number], number>;
    const mul = e.mul as Fn<[number, number], number>;
    const shrU = e.shr_u as Fn<[number, number], number>;
    const rotl = e.rotl as Fn<[number, number], number>;
    for (const a of I32_EDGES) {
      for (const b of I32_EDGES) {
        expect(add(a, b)).toBe((a + b) | 0);
        expect(sub(a, b)).toBe((a - b) | 0);
        expect(mul(a, b)).toBe(Math.imul(a, b));
        expect(shrU(a, b)).toBe((a >>> (b & 31)) | 0);
        const s = b & 31;
        expect(rotl(a, b)).toBe(s === 0 ? a : ((a << s) | (a >>> (32 - s))) | 0);
      }
    }
  });

  it('constants round-trip: i32 (unsigned form is -1), i64 bigints, f32 rounds like Math.fround', async () => {
    const m = new ModuleBuilder();
    m.declareFunction([], ['i32'], 'u').i32Const(0xffffffff).finish();
    m.declareFunction([], ['i32'], 'min').i32Const(-0x80000000).finish();
    m.declareFunction([], ['i64'], 'big').i64Const(0xffffffffffffffffn).finish();
    m.declareFunction([], ['i64'], 'max').i64Const(0x7fffffffffffffffn).finish();
    m.declareFunction([], ['i64'], 'neg').op('i64.const', -1234567890123).finish();
    m.declareFunction([], ['f32'], 'tenth').f32Const(0.1).finish();
    m.declareFunction([], ['f64'], 'tenth64').f64Const(0.1).finish();
    m.declareFunction(['f32', 'f32'], ['f32'], 'fadd').localGet(0).localGet(1).op('f32.add').finish();
    const e = await instantiate(m);
    expect((e.u as Fn<[], number>)()).toBe(-1);
    expect((e.min as Fn<[], number>)()).toBe(-0x80000000);
    expect((e.big as Fn<[], bigint>)()).toBe(-1n);
    expect((e.max as Fn<[], bigint>)()).toBe(0x7fffffffffffffffn);
    expect((e.neg as Fn<[], bigint>)()).toBe(-1234567890123n);
    expect((e.tenth as Fn<[], number>)()).toBe(Math.fround(0.1));
    expect((e.tenth64 as Fn<[], number>)()).toBe(0.1);
    const fadd = e.fadd as Fn<[number, number], number>;
    for (const [a, b] of [[0.1, 0.2], [1e8, 1], [16777216, 1], [3.4e38, 3.4e38], [-0, 0], [1 / 3, 2 / 3]]) {
      expect(fadd(a!, b!)).toBe(Math.fround(Math.fround(a!) + Math.fround(b!)));
    }
  });

  it('i32.div_s traps on division by zero and on -2^31 / -1', async () => {
    const m = new ModuleBuilder();
    m.declareFunction(['i32', 'i32'], ['i32'], 'div').localGet(0).localGet(1).op('i32.div_s').finish();
    const div = (await instantiate(m)).div as Fn<[number, number], number>;
    expect(div(-7, 2)).toBe(-3);
    expect(div(7, -2)).toBe(-3);
    expect(() => div(1, 0)).toThrow(WA.RuntimeError);
    expect(() => div(-0x80000000, -1)).toThrow(WA.RuntimeError);
  });

  it('control flow: the nested-loop and br_table cases compute what JS does', async () => {
    const m = new ModuleBuilder();
    CASES.find((c) => c.name.startsWith('nested blocks'))!.build(m);
    CASES.find((c) => c.name.startsWith('br_table'))!.build(m);
    const e = await instantiate(m);
    const sum = e.sum as Fn<[number], number>;
    for (const n of [0, 1, 5, 100]) {
      let s = 0;
      for (let i = 0; i < n; i++) if (i % 3 !== 0) s += i;
      expect(sum(n)).toBe(s);
    }
    const sw = e.sw as Fn<[number], number>;
    expect([0, 1, 2, 3, -1].map(sw)).toEqual([10, 20, 30, 30, 30]);
  });

  it('SIMD: f32x4 arithmetic and lanes match JS lane by lane; v128 constants keep NaN payloads', async () => {
    const memory = new WA.Memory({ initial: 1, maximum: 1 });
    const m = new ModuleBuilder({ module: 'env', name: 'memory', initial: 1, maximum: 1, shared: false });
    // out[i] = a[i] * b[i] + c   (c splatted), and lane 2 extracted
    const fma = m.declareFunction(['i32', 'i32', 'i32', 'f32'], ['f32'], 'fma');
    fma.localGet(2).localGet(0).op('v128.load').localGet(1).op('v128.load').op('f32x4.mul');
    fma.localGet(3).op('f32x4.splat').op('f32x4.add').op('v128.store');
    fma.localGet(2).op('v128.load').op('f32x4.extract_lane', 2).finish();
    const nan = new Uint8Array([0x01, 0x00, 0xa0, 0x7f, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0xc0, 0xff, 1, 2, 3, 4]);
    m.declareFunction(['i32'], [], 'storeConst').localGet(0).v128Const(nan).op('v128.store').finish();
    m.declareFunction(['i32'], [], 'storeF32x4').localGet(0).f32x4Const(0.1, -2.5, 1e-45, -Infinity).op('v128.store').finish();
    // i32x4 lanes: shuffle reverses the 4 lanes of i32x4.add
    m.declareFunction(['i32', 'i32'], [], 'revAdd')
      .localGet(1)
      .localGet(0).op('v128.load').localGet(0).op('v128.load', { offset: 16 }).op('i32x4.add')
      .localGet(0).op('v128.load')
      .op('i8x16.shuffle', new Uint8Array([12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3]))
      .op('v128.store')
      .finish();
    const e = await instantiate(m, { env: { memory } });
    const f32 = new Float32Array(memory.buffer);
    const a = [1.5, -2.25, 0.1, 3e38];
    const b = [2, 0.3, 0.7, 10];
    f32.set(a, 0);
    f32.set(b, 4);
    const lane2 = (e.fma as Fn<[number, number, number, number], number>)(0, 16, 32, 0.2);
    const want = a.map((x, i) => Math.fround(Math.fround(Math.fround(x) * Math.fround(b[i]!)) + Math.fround(0.2)));
    expect(Array.from(f32.subarray(8, 12))).toEqual(want);
    expect(lane2).toBe(want[2]);

    (e.storeConst as Fn<[number], void>)(64);
    expect(Array.from(new Uint8Array(memory.buffer, 64, 16))).toEqual(Array.from(nan));
    (e.storeF32x4 as Fn<[number], void>)(96);
    expect(Array.from(f32.subarray(24, 28))).toEqual([0.1, -2.5, 1e-45, -Infinity].map(Math.fround));

    const i32 = new Int32Array(memory.buffer);
    i32.set([1, -2, 0x7fffffff, 100, 10, 20, 1, -100], 32); // bytes 128..159
    (e.revAdd as Fn<[number, number], void>)(128, 192);
    expect(Array.from(i32.subarray(48, 52))).toEqual([0, -0x80000000, 18, 11]);
  });

  it('shared memory: atomics round-trip between wasm and JS Atomics', async () => {
    expect(wasmFeatures.threads).toBe(true);
    const memory = new WA.Memory({ initial: 1, maximum: 4, shared: true });
    expect(memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    const m = new ModuleBuilder({ module: 'env', name: 'memory', initial: 1, maximum: 4, shared: true });
    m.declareFunction(['i32', 'i32'], ['i32'], 'add').localGet(0).localGet(1).op('i32.atomic.rmw.add').finish();
    m.declareFunction(['i32', 'i32', 'i32'], ['i32'], 'cas').localGet(0).localGet(1).localGet(2).op('i32.atomic.rmw.cmpxchg').finish();
    m.declareFunction(['i32'], ['i32'], 'load').localGet(0).op('i32.atomic.load').finish();
    m.declareFunction(['i32', 'i32'], [], 'store').localGet(0).localGet(1).op('i32.atomic.store').op('atomic.fence').finish();
    m.declareFunction(['i32', 'i32'], ['i32'], 'wait').localGet(0).localGet(1).i64Const(1000n).op('memory.atomic.wait32').finish();
    m.declareFunction(['i32'], ['i32'], 'notify').localGet(0).i32Const(1).op('memory.atomic.notify').finish();
    const e = await instantiate(m, { env: { memory } });
    const view = new Int32Array(memory.buffer);
    Atomics.store(view, 4, 40);
    expect((e.add as Fn<[number, number], number>)(16, 2)).toBe(40); // returns the old value
    expect(Atomics.load(view, 4)).toBe(42);
    expect((e.cas as Fn<[number, number, number], number>)(16, 41, 0)).toBe(42); // no exchange
    expect((e.cas as Fn<[number, number, number], number>)(16, 42, -5)).toBe(42);
    expect(Atomics.load(view, 4)).toBe(-5);
    (e.store as Fn<[number, number], void>)(20, 0x7fffffff);
    expect(Atomics.load(view, 5)).toBe(0x7fffffff);
    Atomics.store(view, 6, 123);
    expect((e.load as Fn<[number], number>)(24)).toBe(123);
    expect((e.wait as Fn<[number, number], number>)(24, 0)).toBe(1); // "not-equal": value is 123
    expect((e.wait as Fn<[number, number], number>)(24, 123)).toBe(2); // "timed-out" after 1 µs
    expect((e.notify as Fn<[number], number>)(24)).toBe(0); // nobody waiting
  });
});

// ---- 4. features -----------------------------------------------------------------------------

describe('wasmFeatures', () => {
  it('agrees with the engine on wabt-built probes', () => {
    const probe = (body: string, mem = '') =>
      WA.validate(wat2wasm(`(module ${mem} (func ${body}))`));
    expect(wasmFeatures.simd).toBe(probe('v128.const i32x4 0 0 0 0 drop'));
    expect(wasmFeatures.relaxedSimd).toBe(
      probe('v128.const i32x4 0 0 0 0 v128.const i32x4 0 0 0 0 v128.const i32x4 0 0 0 0 f32x4.relaxed_madd drop'),
    );
    expect(wasmFeatures.bulkMemory).toBe(probe('i32.const 0 i32.const 0 i32.const 0 memory.fill', '(memory 1)'));
    expect(wasmFeatures.threads).toBe(
      typeof SharedArrayBuffer !== 'undefined' && probe('atomic.fence', '(import "e" "m" (memory 1 1 shared))'),
    );
    // Node 20 ships SIMD, threads and bulk memory; relaxed SIMD only behind a flag (which
    // SSMJIT_WASM_RELAXED_SIMD=1 sets).
    expect(wasmFeatures.simd && wasmFeatures.threads && wasmFeatures.bulkMemory).toBe(true);
    if (process.versions.node.startsWith('20.') && !process.execArgv.some((a) => a.includes('relaxed-simd')) && process.env.SSMJIT_WASM_RELAXED_SIMD !== '1') {
      expect(wasmFeatures.relaxedSimd).toBe(false);
    }
  });
});

// ---- 5. errors -------------------------------------------------------------------------------

describe('errors', () => {
  const fn = (params: ValType[] = []) => {
    const m = new ModuleBuilder();
    return { m, f: m.declareFunction(params, [], 'f') };
  };

  it('unbalanced blocks', () => {
    const a = fn();
    a.f.block().loop().end();
    expect(() => a.f.finish()).toThrow(/function 0 \("f"\): finish\(\) with 1 block still open/);
    const b = fn();
    expect(() => b.f.end()).toThrow(/end\(\) with no open block/);
    expect(() => b.f.op('end')).toThrow(/end with no open block/);
    const c = fn();
    c.f.block();
    expect(() => c.f.else_()).toThrow(/else_\(\) without a matching if_\(\)/);
    const d = fn();
    d.f.i32Const(1).if_().else_();
    expect(() => d.f.else_()).toThrow(/without a matching if_/);
  });

  it('unfinished functions, finishing twice, emitting after finish', () => {
    const { m, f } = fn();
    m.declareFunction([], [], 'g').finish();
    f.op('nop');
    expect(() => m.toBytes()).toThrow(/function 0 \("f"\) has no finished body/);
    f.finish();
    expect(() => f.finish()).toThrow(/finish\(\) after finish\(\)/);
    expect(() => f.op('nop')).toThrow(/nop after finish\(\)/);
    expect(m.toBytes()).toBeInstanceOf(Uint8Array);
  });

  it('wrong immediates', () => {
    const { f } = fn(['i32']);
    expect(() => f.op('f32.load', 3)).toThrow(/f32.load wants a memory argument \{ offset\?, align\? \}, got 3/);
    expect(() => f.op('f32.load', { align: 3 })).toThrow(/f32.load alignment 3 \(log2 bytes\) must be an integer in 0..2/);
    expect(() => f.op('f32.load', { offset: -1 })).toThrow(/offset -1/);
    expect(() => f.op('i32.atomic.rmw.add', { align: 1 })).toThrow(/atomic accesses must be naturally aligned \(2\)/);
    expect(() => f.local('toString' as ValType)).toThrow(/is not a value type/);
    expect(() => f.op('f32x4.extract_lane', 4)).toThrow(/f32x4.extract_lane wants a lane index in 0..3, got 4/);
    expect(() => f.op('f32x4.extract_lane')).toThrow(/f32x4.extract_lane takes 1 immediate, got 0/);
    expect(() => f.op('v128.load8_lane', {}, 16)).toThrow(/lane index in 0..15/);
    expect(() => f.op('i32.add', 1)).toThrow(/i32.add takes no immediate, got 1 \(1\)/);
    expect(() => f.op('i8x16.shuffle', new Uint8Array(15))).toThrow(/Uint8Array of 16 bytes, got a Uint8Array of 15 bytes/);
    expect(() => f.op('i8x16.shuffle', new Uint8Array(16).fill(32))).toThrow(/lane index 32 at position 0 is not below 32/);
    expect(() => f.op('v128.const', 1)).toThrow(/v128.const wants a Uint8Array of 16 bytes/);
    expect(() => f.i32Const(2 ** 32)).toThrow(/i32.const 4294967296 is not a 32-bit integer/);
    expect(() => f.i32Const(1.5)).toThrow(/not a 32-bit integer/);
    expect(() => f.i64Const(1n << 64n)).toThrow(/i64.const 18446744073709551616n is not a 64-bit integer/);
    expect(() => f.op('i64.const', 0.5)).toThrow(/i64.const wants a bigint/);
    expect(() => f.localGet(1)).toThrow(/local.get 1: it has only 1 locals/);
    expect(() => f.br(1)).toThrow(/br 1 is deeper than the 0 open blocks/);
    expect(() => f.op('br_table')).toThrow(/br_table needs at least the default depth/);
    expect(() => f.op('i32.fma' as OpName)).toThrow(/unknown instruction "i32.fma"/);
    expect(() => f.param(1)).toThrow(/no parameter 1/);
    expect(() => f.local('f16' as ValType)).toThrow(/"f16" is not a value type/);
  });

  it('module-level mistakes', () => {
    const m = new ModuleBuilder();
    m.declareFunction([], []).call(5).finish();
    expect(() => m.importFunction('env', 'late', [], [])).toThrow(/imports must come before the first declareFunction/);
    expect(() => m.toBytes()).toThrow(/calls function 5, but the module has only 1 functions/);
    m.declareFunction([], [], 'x');
    expect(() => m.declareFunction([], [], 'x')).toThrow(/export name "x" is already used/);
    expect(() => new ModuleBuilder({ module: 'e', name: 'm', initial: 2, maximum: 1, shared: false })).toThrow(/initial <= maximum/);
  });
});

// ---- 6. speed --------------------------------------------------------------------------------

/** 200 functions × 200 instructions: a straight-line SIMD accumulate over memory. */
function bigModule(): Uint8Array {
  const m = new ModuleBuilder({ module: 'env', name: 'memory', initial: 1, maximum: 256, shared: false });
  for (let fi = 0; fi < 200; fi++) {
    const f = m.declareFunction(['i32'], ['f32'], `k${fi}`);
    const acc = f.local('v128');
    for (let k = 0; k < 39; k++) {
      f.localGet(0).op('v128.load', { offset: 16 * k }).localGet(acc).op('f32x4.add').localSet(acc);
    }
    f.localGet(acc).op('f32x4.extract_lane', 0).f32Const(0.5).op('f32.mul').op('nop'); // 195 + 5 = 200
    f.finish();
  }
  return m.toBytes();
}

describe('speed', () => {
  it('assembles 200 functions × 200 instructions in a few milliseconds; the engine compiles it', async () => {
    for (let r = 0; r < 5; r++) bigModule(); // warm up
    const times: number[] = [];
    let bytes: Uint8Array = new Uint8Array();
    for (let r = 0; r < 15; r++) {
      const t0 = performance.now();
      bytes = bigModule();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const median = times[7]!;
    const c0 = performance.now();
    await WA.compile(bytes);
    const compileMs = performance.now() - c0;
    console.log(
      `[wasm assembler] 200×200 module: ${bytes.length} bytes, assemble median ${median.toFixed(2)} ms ` +
        `(min ${times[0]!.toFixed(2)}, max ${times[14]!.toFixed(2)}), WebAssembly.compile ${compileMs.toFixed(1)} ms`,
    );
    expect(WA.validate(bytes)).toBe(true);
    expect(median).toBeLessThan(100); // generous: a regression guard, not a benchmark
  });
});
