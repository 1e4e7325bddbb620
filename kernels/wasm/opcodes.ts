/**
 * The WebAssembly instruction table: text-format name → binary opcode and immediate kind.
 *
 * What this module owns: the opcode numbers (MVP, sign extension, saturating truncation,
 * bulk memory, the standardised fixed-width SIMD set, relaxed SIMD and the threads
 * proposal's atomics) and, for each instruction, what immediates follow the opcode. It
 * encodes nothing; `assembler.ts` reads it. Every entry is checked byte for byte against
 * wabt's encoding in spec/wasm/assembler.test.ts.
 *
 * Encoding: `prefix` 0 means a one-byte opcode `code`; otherwise the byte `prefix`
 * (0xFC, 0xFD or 0xFE) is followed by `code` as an unsigned LEB128 (so relaxed SIMD's
 * 0x100.. take two bytes after 0xFD).
 */

export type Prefix = 0 | 0xfc | 0xfd | 0xfe;

/** What follows the opcode. */
export type ImmKind =
  | 'none'
  | 'block' // block type: 0x40 or a value type (only through the assembler's helpers; `op` emits 0x40)
  | 'label' // relative branch depth, u32
  | 'labels' // br_table: vector of depths, then the default depth
  | 'func' // function index, u32
  | 'local' // local index, u32
  | 'memarg' // align (log2) then offset, both u32; `align` below is the natural alignment
  | 'memidx' // one reserved memory-index byte 0x00 (memory.size/grow/fill)
  | 'memidx2' // two memory-index bytes 0x00 0x00 (memory.copy)
  | 'fence' // atomic.fence: one reserved byte 0x00
  | 'i32' // signed LEB128, 32-bit
  | 'i64' // signed LEB128, 64-bit
  | 'f32' // 4 bytes little-endian
  | 'f64' // 8 bytes little-endian
  | 'v128' // 16 raw bytes
  | 'shuffle' // 16 lane indices, each < 32
  | 'lane' // one lane-index byte, < `lanes`
  | 'memargLane'; // memarg then one lane-index byte

export interface OpSpec {
  readonly prefix: Prefix;
  readonly code: number;
  readonly imm: ImmKind;
  /** Natural alignment, log2 of the access size in bytes (memory ops only). */
  readonly align?: number;
  /** Number of lanes (lane-indexed ops only). */
  readonly lanes?: number;
}

const op = (code: number, imm: ImmKind = 'none'): OpSpec => ({ prefix: 0, code, imm });
const mem = (code: number, align: number): OpSpec => ({ prefix: 0, code, imm: 'memarg', align });
const fc = (code: number, imm: ImmKind = 'none'): OpSpec => ({ prefix: 0xfc, code, imm });
const simd = (code: number): OpSpec => ({ prefix: 0xfd, code, imm: 'none' });
const simdMem = (code: number, align: number): OpSpec => ({ prefix: 0xfd, code, imm: 'memarg', align });
const simdLane = (code: number, lanes: number): OpSpec => ({ prefix: 0xfd, code, imm: 'lane', lanes });
const simdMemLane = (code: number, align: number): OpSpec => ({
  prefix: 0xfd,
  code,
  imm: 'memargLane',
  align,
  lanes: 16 >> align,
});
const atomic = (code: number, align: number): OpSpec => ({ prefix: 0xfe, code, imm: 'memarg', align });

export const OPCODES = {
  // ---- control -------------------------------------------------------------------------
  'unreachable': op(0x00),
  'nop': op(0x01),
  'block': op(0x02, 'block'),
  'loop': op(0x03, 'block'),
  'if': op(0x04, 'block'),
  'else': op(0x05),
  'end': op(0x0b),
  'br': op(0x0c, 'label'),
  'br_if': op(0x0d, 'label'),
  'br_table': op(0x0e, 'labels'),
  'return': op(0x0f),
  'call': op(0x10, 'func'),
  'drop': op(0x1a),
  'select': op(0x1b),

  // ---- locals ---------------------------------------------------------------------------
  'local.get': op(0x20, 'local'),
  'local.set': op(0x21, 'local'),
  'local.tee': op(0x22, 'local'),

  // ---- memory (MVP) ---------------------------------------------------------------------
  'i32.load': mem(0x28, 2),
  'i64.load': mem(0x29, 3),
  'f32.load': mem(0x2a, 2),
  'f64.load': mem(0x2b, 3),
  'i32.load8_s': mem(0x2c, 0),
  'i32.load8_u': mem(0x2d, 0),
  'i32.load16_s': mem(0x2e, 1),
  'i32.load16_u': mem(0x2f, 1),
  'i64.load8_s': mem(0x30, 0),
  'i64.load8_u': mem(0x31, 0),
  'i64.load16_s': mem(0x32, 1),
  'i64.load16_u': mem(0x33, 1),
  'i64.load32_s': mem(0x34, 2),
  'i64.load32_u': mem(0x35, 2),
  'i32.store': mem(0x36, 2),
  'i64.store': mem(0x37, 3),
  'f32.store': mem(0x38, 2),
  'f64.store': mem(0x39, 3),
  'i32.store8': mem(0x3a, 0),
  'i32.store16': mem(0x3b, 1),
  'i64.store8': mem(0x3c, 0),
  'i64.store16': mem(0x3d, 1),
  'i64.store32': mem(0x3e, 2),
  'memory.size': op(0x3f, 'memidx'),
  'memory.grow': op(0x40, 'memidx'),

  // ---- constants ------------------------------------------------------------------------
  'i32.const': op(0x41, 'i32'),
  'i64.const': op(0x42, 'i64'),
  'f32.const': op(0x43, 'f32'),
  'f64.const': op(0x44, 'f64'),

  // ---- i32 / i64 comparisons ------------------------------------------------------------
  'i32.eqz': op(0x45), 'i32.eq': op(0x46), 'i32.ne': op(0x47),
  'i32.lt_s': op(0x48), 'i32.lt_u': op(0x49), 'i32.gt_s': op(0x4a), 'i32.gt_u': op(0x4b),
  'i32.le_s': op(0x4c), 'i32.le_u': op(0x4d), 'i32.ge_s': op(0x4e), 'i32.ge_u': op(0x4f),
  'i64.eqz': op(0x50), 'i64.eq': op(0x51), 'i64.ne': op(0x52),
  'i64.lt_s': op(0x53), 'i64.lt_u': op(0x54), 'i64.gt_s': op(0x55), 'i64.gt_u': op(0x56),
  'i64.le_s': op(0x57), 'i64.le_u': op(0x58), 'i64.ge_s': op(0x59), 'i64.ge_u': op(0x5a),

  // ---- f32 / f64 comparisons ------------------------------------------------------------
  'f32.eq': op(0x5b), 'f32.ne': op(0x5c), 'f32.lt': op(0x5d), 'f32.gt': op(0x5e), 'f32.le': op(0x5f), 'f32.ge': op(0x60),
  'f64.eq': op(0x61), 'f64.ne': op(0x62), 'f64.lt': op(0x63), 'f64.gt': op(0x64), 'f64.le': op(0x65), 'f64.ge': op(0x66),

  // ---- i32 arithmetic -------------------------------------------------------------------
  'i32.clz': op(0x67), 'i32.ctz': op(0x68), 'i32.popcnt': op(0x69),
  'i32.add': op(0x6a), 'i32.sub': op(0x6b), 'i32.mul': op(0x6c),
  'i32.div_s': op(0x6d), 'i32.div_u': op(0x6e), 'i32.rem_s': op(0x6f), 'i32.rem_u': op(0x70),
  'i32.and': op(0x71), 'i32.or': op(0x72), 'i32.xor': op(0x73),
  'i32.shl': op(0x74), 'i32.shr_s': op(0x75), 'i32.shr_u': op(0x76), 'i32.rotl': op(0x77), 'i32.rotr': op(0x78),

  // ---- i64 arithmetic -------------------------------------------------------------------
  'i64.clz': op(0x79), 'i64.ctz': op(0x7a), 'i64.popcnt': op(0x7b),
  'i64.add': op(0x7c), 'i64.sub': op(0x7d), 'i64.mul': op(0x7e),
  'i64.div_s': op(0x7f), 'i64.div_u': op(0x80), 'i64.rem_s': op(0x81), 'i64.rem_u': op(0x82),
  'i64.and': op(0x83), 'i64.or': op(0x84), 'i64.xor': op(0x85),
  'i64.shl': op(0x86), 'i64.shr_s': op(0x87), 'i64.shr_u': op(0x88), 'i64.rotl': op(0x89), 'i64.rotr': op(0x8a),

  // ---- f32 / f64 arithmetic -------------------------------------------------------------
  'f32.abs': op(0x8b), 'f32.neg': op(0x8c), 'f32.ceil': op(0x8d), 'f32.floor': op(0x8e),
  'f32.trunc': op(0x8f), 'f32.nearest': op(0x90), 'f32.sqrt': op(0x91),
  'f32.add': op(0x92), 'f32.sub': op(0x93), 'f32.mul': op(0x94), 'f32.div': op(0x95),
  'f32.min': op(0x96), 'f32.max': op(0x97), 'f32.copysign': op(0x98),
  'f64.abs': op(0x99), 'f64.neg': op(0x9a), 'f64.ceil': op(0x9b), 'f64.floor': op(0x9c),
  'f64.trunc': op(0x9d), 'f64.nearest': op(0x9e), 'f64.sqrt': op(0x9f),
  'f64.add': op(0xa0), 'f64.sub': op(0xa1), 'f64.mul': op(0xa2), 'f64.div': op(0xa3),
  'f64.min': op(0xa4), 'f64.max': op(0xa5), 'f64.copysign': op(0xa6),

  // ---- conversions ----------------------------------------------------------------------
  'i32.wrap_i64': op(0xa7),
  'i32.trunc_f32_s': op(0xa8), 'i32.trunc_f32_u': op(0xa9), 'i32.trunc_f64_s': op(0xaa), 'i32.trunc_f64_u': op(0xab),
  'i64.extend_i32_s': op(0xac), 'i64.extend_i32_u': op(0xad),
  'i64.trunc_f32_s': op(0xae), 'i64.trunc_f32_u': op(0xaf), 'i64.trunc_f64_s': op(0xb0), 'i64.trunc_f64_u': op(0xb1),
  'f32.convert_i32_s': op(0xb2), 'f32.convert_i32_u': op(0xb3), 'f32.convert_i64_s': op(0xb4), 'f32.convert_i64_u': op(0xb5),
  'f32.demote_f64': op(0xb6),
  'f64.convert_i32_s': op(0xb7), 'f64.convert_i32_u': op(0xb8), 'f64.convert_i64_s': op(0xb9), 'f64.convert_i64_u': op(0xba),
  'f64.promote_f32': op(0xbb),
  'i32.reinterpret_f32': op(0xbc), 'i64.reinterpret_f64': op(0xbd), 'f32.reinterpret_i32': op(0xbe), 'f64.reinterpret_i64': op(0xbf),
  'i32.extend8_s': op(0xc0), 'i32.extend16_s': op(0xc1),
  'i64.extend8_s': op(0xc2), 'i64.extend16_s': op(0xc3), 'i64.extend32_s': op(0xc4),

  // ---- 0xFC: saturating truncation, bulk memory -----------------------------------------
  'i32.trunc_sat_f32_s': fc(0x00), 'i32.trunc_sat_f32_u': fc(0x01),
  'i32.trunc_sat_f64_s': fc(0x02), 'i32.trunc_sat_f64_u': fc(0x03),
  'i64.trunc_sat_f32_s': fc(0x04), 'i64.trunc_sat_f32_u': fc(0x05),
  'i64.trunc_sat_f64_s': fc(0x06), 'i64.trunc_sat_f64_u': fc(0x07),
  'memory.copy': fc(0x0a, 'memidx2'),
  'memory.fill': fc(0x0b, 'memidx'),

  // ---- 0xFD: SIMD memory ----------------------------------------------------------------
  'v128.load': simdMem(0x00, 4),
  'v128.load8x8_s': simdMem(0x01, 3), 'v128.load8x8_u': simdMem(0x02, 3),
  'v128.load16x4_s': simdMem(0x03, 3), 'v128.load16x4_u': simdMem(0x04, 3),
  'v128.load32x2_s': simdMem(0x05, 3), 'v128.load32x2_u': simdMem(0x06, 3),
  'v128.load8_splat': simdMem(0x07, 0), 'v128.load16_splat': simdMem(0x08, 1),
  'v128.load32_splat': simdMem(0x09, 2), 'v128.load64_splat': simdMem(0x0a, 3),
  'v128.store': simdMem(0x0b, 4),
  'v128.load8_lane': simdMemLane(0x54, 0), 'v128.load16_lane': simdMemLane(0x55, 1),
  'v128.load32_lane': simdMemLane(0x56, 2), 'v128.load64_lane': simdMemLane(0x57, 3),
  'v128.store8_lane': simdMemLane(0x58, 0), 'v128.store16_lane': simdMemLane(0x59, 1),
  'v128.store32_lane': simdMemLane(0x5a, 2), 'v128.store64_lane': simdMemLane(0x5b, 3),
  'v128.load32_zero': simdMem(0x5c, 2), 'v128.load64_zero': simdMem(0x5d, 3),

  // ---- SIMD constants, shuffles, splats, lanes ------------------------------------------
  'v128.const': { prefix: 0xfd, code: 0x0c, imm: 'v128' },
  'i8x16.shuffle': { prefix: 0xfd, code: 0x0d, imm: 'shuffle' },
  'i8x16.swizzle': simd(0x0e),
  'i8x16.splat': simd(0x0f), 'i16x8.splat': simd(0x10), 'i32x4.splat': simd(0x11),
  'i64x2.splat': simd(0x12), 'f32x4.splat': simd(0x13), 'f64x2.splat': simd(0x14),
  'i8x16.extract_lane_s': simdLane(0x15, 16), 'i8x16.extract_lane_u': simdLane(0x16, 16),
  'i8x16.replace_lane': simdLane(0x17, 16),
  'i16x8.extract_lane_s': simdLane(0x18, 8), 'i16x8.extract_lane_u': simdLane(0x19, 8),
  'i16x8.replace_lane': simdLane(0x1a, 8),
  'i32x4.extract_lane': simdLane(0x1b, 4), 'i32x4.replace_lane': simdLane(0x1c, 4),
  'i64x2.extract_lane': simdLane(0x1d, 2), 'i64x2.replace_lane': simdLane(0x1e, 2),
  'f32x4.extract_lane': simdLane(0x1f, 4), 'f32x4.replace_lane': simdLane(0x20, 4),
  'f64x2.extract_lane': simdLane(0x21, 2), 'f64x2.replace_lane': simdLane(0x22, 2),

  // ---- SIMD comparisons -----------------------------------------------------------------
  'i8x16.eq': simd(0x23), 'i8x16.ne': simd(0x24),
  'i8x16.lt_s': simd(0x25), 'i8x16.lt_u': simd(0x26), 'i8x16.gt_s': simd(0x27), 'i8x16.gt_u': simd(0x28),
  'i8x16.le_s': simd(0x29), 'i8x16.le_u': simd(0x2a), 'i8x16.ge_s': simd(0x2b), 'i8x16.ge_u': simd(0x2c),
  'i16x8.eq': simd(0x2d), 'i16x8.ne': simd(0x2e),
  'i16x8.lt_s': simd(0x2f), 'i16x8.lt_u': simd(0x30), 'i16x8.gt_s': simd(0x31), 'i16x8.gt_u': simd(0x32),
  'i16x8.le_s': simd(0x33), 'i16x8.le_u': simd(0x34), 'i16x8.ge_s': simd(0x35), 'i16x8.ge_u': simd(0x36),
  'i32x4.eq': simd(0x37), 'i32x4.ne': simd(0x38),
  'i32x4.lt_s': simd(0x39), 'i32x4.lt_u': simd(0x3a), 'i32x4.gt_s': simd(0x3b), 'i32x4.gt_u': simd(0x3c),
  'i32x4.le_s': simd(0x3d), 'i32x4.le_u': simd(0x3e), 'i32x4.ge_s': simd(0x3f), 'i32x4.ge_u': simd(0x40),
  'f32x4.eq': simd(0x41), 'f32x4.ne': simd(0x42), 'f32x4.lt': simd(0x43),
  'f32x4.gt': simd(0x44), 'f32x4.le': simd(0x45), 'f32x4.ge': simd(0x46),
  'f64x2.eq': simd(0x47), 'f64x2.ne': simd(0x48), 'f64x2.lt': simd(0x49),
  'f64x2.gt': simd(0x4a), 'f64x2.le': simd(0x4b), 'f64x2.ge': simd(0x4c),
  'i64x2.eq': simd(0xd6), 'i64x2.ne': simd(0xd7), 'i64x2.lt_s': simd(0xd8),
  'i64x2.gt_s': simd(0xd9), 'i64x2.le_s': simd(0xda), 'i64x2.ge_s': simd(0xdb),

  // ---- SIMD bitwise ---------------------------------------------------------------------
  'v128.not': simd(0x4d), 'v128.and': simd(0x4e), 'v128.andnot': simd(0x4f), 'v128.or': simd(0x50),
  'v128.xor': simd(0x51), 'v128.bitselect': simd(0x52), 'v128.any_true': simd(0x53),

  // ---- SIMD float conversions between shapes --------------------------------------------
  'f32x4.demote_f64x2_zero': simd(0x5e), 'f64x2.promote_low_f32x4': simd(0x5f),

  // ---- i8x16 ----------------------------------------------------------------------------
  'i8x16.abs': simd(0x60), 'i8x16.neg': simd(0x61), 'i8x16.popcnt': simd(0x62),
  'i8x16.all_true': simd(0x63), 'i8x16.bitmask': simd(0x64),
  'i8x16.narrow_i16x8_s': simd(0x65), 'i8x16.narrow_i16x8_u': simd(0x66),
  'i8x16.shl': simd(0x6b), 'i8x16.shr_s': simd(0x6c), 'i8x16.shr_u': simd(0x6d),
  'i8x16.add': simd(0x6e), 'i8x16.add_sat_s': simd(0x6f), 'i8x16.add_sat_u': simd(0x70),
  'i8x16.sub': simd(0x71), 'i8x16.sub_sat_s': simd(0x72), 'i8x16.sub_sat_u': simd(0x73),
  'i8x16.min_s': simd(0x76), 'i8x16.min_u': simd(0x77), 'i8x16.max_s': simd(0x78), 'i8x16.max_u': simd(0x79),
  'i8x16.avgr_u': simd(0x7b),

  // ---- i16x8 ----------------------------------------------------------------------------
  'i16x8.extadd_pairwise_i8x16_s': simd(0x7c), 'i16x8.extadd_pairwise_i8x16_u': simd(0x7d),
  'i16x8.abs': simd(0x80), 'i16x8.neg': simd(0x81), 'i16x8.q15mulr_sat_s': simd(0x82),
  'i16x8.all_true': simd(0x83), 'i16x8.bitmask': simd(0x84),
  'i16x8.narrow_i32x4_s': simd(0x85), 'i16x8.narrow_i32x4_u': simd(0x86),
  'i16x8.extend_low_i8x16_s': simd(0x87), 'i16x8.extend_high_i8x16_s': simd(0x88),
  'i16x8.extend_low_i8x16_u': simd(0x89), 'i16x8.extend_high_i8x16_u': simd(0x8a),
  'i16x8.shl': simd(0x8b), 'i16x8.shr_s': simd(0x8c), 'i16x8.shr_u': simd(0x8d),
  'i16x8.add': simd(0x8e), 'i16x8.add_sat_s': simd(0x8f), 'i16x8.add_sat_u': simd(0x90),
  'i16x8.sub': simd(0x91), 'i16x8.sub_sat_s': simd(0x92), 'i16x8.sub_sat_u': simd(0x93),
  'i16x8.mul': simd(0x95),
  'i16x8.min_s': simd(0x96), 'i16x8.min_u': simd(0x97), 'i16x8.max_s': simd(0x98), 'i16x8.max_u': simd(0x99),
  'i16x8.avgr_u': simd(0x9b),
  'i16x8.extmul_low_i8x16_s': simd(0x9c), 'i16x8.extmul_high_i8x16_s': simd(0x9d),
  'i16x8.extmul_low_i8x16_u': simd(0x9e), 'i16x8.extmul_high_i8x16_u': simd(0x9f),

  // ---- i32x4 ----------------------------------------------------------------------------
  'i32x4.extadd_pairwise_i16x8_s': simd(0x7e), 'i32x4.extadd_pairwise_i16x8_u': simd(0x7f),
  'i32x4.abs': simd(0xa0), 'i32x4.neg': simd(0xa1),
  'i32x4.all_true': simd(0xa3), 'i32x4.bitmask': simd(0xa4),
  'i32x4.extend_low_i16x8_s': simd(0xa7), 'i32x4.extend_high_i16x8_s': simd(0xa8),
  'i32x4.extend_low_i16x8_u': simd(0xa9), 'i32x4.extend_high_i16x8_u': simd(0xaa),
  'i32x4.shl': simd(0xab), 'i32x4.shr_s': simd(0xac), 'i32x4.shr_u': simd(0xad),
  'i32x4.add': simd(0xae), 'i32x4.sub': simd(0xb1), 'i32x4.mul': simd(0xb5),
  'i32x4.min_s': simd(0xb6), 'i32x4.min_u': simd(0xb7), 'i32x4.max_s': simd(0xb8), 'i32x4.max_u': simd(0xb9),
  'i32x4.dot_i16x8_s': simd(0xba),
  'i32x4.extmul_low_i16x8_s': simd(0xbc), 'i32x4.extmul_high_i16x8_s': simd(0xbd),
  'i32x4.extmul_low_i16x8_u': simd(0xbe), 'i32x4.extmul_high_i16x8_u': simd(0xbf),

  // ---- i64x2 ----------------------------------------------------------------------------
  'i64x2.abs': simd(0xc0), 'i64x2.neg': simd(0xc1),
  'i64x2.all_true': simd(0xc3), 'i64x2.bitmask': simd(0xc4),
  'i64x2.extend_low_i32x4_s': simd(0xc7), 'i64x2.extend_high_i32x4_s': simd(0xc8),
  'i64x2.extend_low_i32x4_u': simd(0xc9), 'i64x2.extend_high_i32x4_u': simd(0xca),
  'i64x2.shl': simd(0xcb), 'i64x2.shr_s': simd(0xcc), 'i64x2.shr_u': simd(0xcd),
  'i64x2.add': simd(0xce), 'i64x2.sub': simd(0xd1), 'i64x2.mul': simd(0xd5),
  'i64x2.extmul_low_i32x4_s': simd(0xdc), 'i64x2.extmul_high_i32x4_s': simd(0xdd),
  'i64x2.extmul_low_i32x4_u': simd(0xde), 'i64x2.extmul_high_i32x4_u': simd(0xdf),

  // ---- f32x4 ----------------------------------------------------------------------------
  'f32x4.ceil': simd(0x67), 'f32x4.floor': simd(0x68), 'f32x4.trunc': simd(0x69), 'f32x4.nearest': simd(0x6a),
  'f32x4.abs': simd(0xe0), 'f32x4.neg': simd(0xe1), 'f32x4.sqrt': simd(0xe3),
  'f32x4.add': simd(0xe4), 'f32x4.sub': simd(0xe5), 'f32x4.mul': simd(0xe6), 'f32x4.div': simd(0xe7),
  'f32x4.min': simd(0xe8), 'f32x4.max': simd(0xe9), 'f32x4.pmin': simd(0xea), 'f32x4.pmax': simd(0xeb),

  // ---- f64x2 ----------------------------------------------------------------------------
  'f64x2.ceil': simd(0x74), 'f64x2.floor': simd(0x75), 'f64x2.trunc': simd(0x7a), 'f64x2.nearest': simd(0x94),
  'f64x2.abs': simd(0xec), 'f64x2.neg': simd(0xed), 'f64x2.sqrt': simd(0xef),
  'f64x2.add': simd(0xf0), 'f64x2.sub': simd(0xf1), 'f64x2.mul': simd(0xf2), 'f64x2.div': simd(0xf3),
  'f64x2.min': simd(0xf4), 'f64x2.max': simd(0xf5), 'f64x2.pmin': simd(0xf6), 'f64x2.pmax': simd(0xf7),

  // ---- SIMD int/float conversions -------------------------------------------------------
  'i32x4.trunc_sat_f32x4_s': simd(0xf8), 'i32x4.trunc_sat_f32x4_u': simd(0xf9),
  'f32x4.convert_i32x4_s': simd(0xfa), 'f32x4.convert_i32x4_u': simd(0xfb),
  'i32x4.trunc_sat_f64x2_s_zero': simd(0xfc), 'i32x4.trunc_sat_f64x2_u_zero': simd(0xfd),
  'f64x2.convert_low_i32x4_s': simd(0xfe), 'f64x2.convert_low_i32x4_u': simd(0xff),

  // ---- relaxed SIMD (0xFD 0x100..) ------------------------------------------------------
  'i8x16.relaxed_swizzle': simd(0x100),
  'i32x4.relaxed_trunc_f32x4_s': simd(0x101), 'i32x4.relaxed_trunc_f32x4_u': simd(0x102),
  'i32x4.relaxed_trunc_f64x2_s_zero': simd(0x103), 'i32x4.relaxed_trunc_f64x2_u_zero': simd(0x104),
  'f32x4.relaxed_madd': simd(0x105), 'f32x4.relaxed_nmadd': simd(0x106),
  'f64x2.relaxed_madd': simd(0x107), 'f64x2.relaxed_nmadd': simd(0x108),
  'i8x16.relaxed_laneselect': simd(0x109), 'i16x8.relaxed_laneselect': simd(0x10a),
  'i32x4.relaxed_laneselect': simd(0x10b), 'i64x2.relaxed_laneselect': simd(0x10c),
  'f32x4.relaxed_min': simd(0x10d), 'f32x4.relaxed_max': simd(0x10e),
  'f64x2.relaxed_min': simd(0x10f), 'f64x2.relaxed_max': simd(0x110),
  'i16x8.relaxed_q15mulr_s': simd(0x111),
  'i16x8.relaxed_dot_i8x16_i7x16_s': simd(0x112), 'i32x4.relaxed_dot_i8x16_i7x16_add_s': simd(0x113),

  // ---- 0xFE: threads --------------------------------------------------------------------
  'memory.atomic.notify': atomic(0x00, 2),
  'memory.atomic.wait32': atomic(0x01, 2),
  'memory.atomic.wait64': atomic(0x02, 3),
  'atomic.fence': { prefix: 0xfe, code: 0x03, imm: 'fence' },
  'i32.atomic.load': atomic(0x10, 2), 'i64.atomic.load': atomic(0x11, 3),
  'i32.atomic.load8_u': atomic(0x12, 0), 'i32.atomic.load16_u': atomic(0x13, 1),
  'i64.atomic.load8_u': atomic(0x14, 0), 'i64.atomic.load16_u': atomic(0x15, 1), 'i64.atomic.load32_u': atomic(0x16, 2),
  'i32.atomic.store': atomic(0x17, 2), 'i64.atomic.store': atomic(0x18, 3),
  'i32.atomic.store8': atomic(0x19, 0), 'i32.atomic.store16': atomic(0x1a, 1),
  'i64.atomic.store8': atomic(0x1b, 0), 'i64.atomic.store16': atomic(0x1c, 1), 'i64.atomic.store32': atomic(0x1d, 2),
  ...rmwFamily('add', 0x1e),
  ...rmwFamily('sub', 0x25),
  ...rmwFamily('and', 0x2c),
  ...rmwFamily('or', 0x33),
  ...rmwFamily('xor', 0x3a),
  ...rmwFamily('xchg', 0x41),
  ...rmwFamily('cmpxchg', 0x48),
} satisfies Record<string, OpSpec>;

/**
 * The seven read-modify-write ops of one kind, at consecutive opcodes from `base`:
 * i32.atomic.rmw.K, i64.atomic.rmw.K, i32.atomic.rmw8.K_u, i32.atomic.rmw16.K_u,
 * i64.atomic.rmw8.K_u, i64.atomic.rmw16.K_u, i64.atomic.rmw32.K_u.
 */
function rmwFamily<K extends string>(kind: K, base: number): Record<RmwName<K>, OpSpec> {
  const names = [
    [`i32.atomic.rmw.${kind}`, 2],
    [`i64.atomic.rmw.${kind}`, 3],
    [`i32.atomic.rmw8.${kind}_u`, 0],
    [`i32.atomic.rmw16.${kind}_u`, 1],
    [`i64.atomic.rmw8.${kind}_u`, 0],
    [`i64.atomic.rmw16.${kind}_u`, 1],
    [`i64.atomic.rmw32.${kind}_u`, 2],
  ] as const;
  const out: Record<string, OpSpec> = {};
  names.forEach(([name, align], i) => (out[name] = atomic(base + i, align)));
  return out as Record<RmwName<K>, OpSpec>;
}

type RmwName<K extends string> =
  | `i32.atomic.rmw.${K}`
  | `i64.atomic.rmw.${K}`
  | `i32.atomic.rmw8.${K}_u`
  | `i32.atomic.rmw16.${K}_u`
  | `i64.atomic.rmw8.${K}_u`
  | `i64.atomic.rmw16.${K}_u`
  | `i64.atomic.rmw32.${K}_u`;

/** Every supported instruction, by its text-format name. */
export type OpName = keyof typeof OPCODES;

/** The table as a lookup (for callers holding a plain string). */
export function opSpec(name: string): OpSpec | undefined {
  return Object.prototype.hasOwnProperty.call(OPCODES, name) ? (OPCODES as Record<string, OpSpec>)[name] : undefined;
}
