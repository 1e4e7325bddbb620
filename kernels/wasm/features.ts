/**
 * What the running engine's WebAssembly supports, probed once at module load.
 *
 * What this module owns: `wasmFeatures`, computed by `WebAssembly.validate` on tiny modules
 * built with our own assembler (so a feature reported true is one whose encodings we emit
 * are accepted). `threads` additionally needs SharedArrayBuffer and a shared
 * `WebAssembly.Memory` to be constructible (browsers without cross-origin isolation
 * refuse it). Without a WebAssembly global everything is false.
 *
 * Relaxed SIMD (`f32x4.relaxed_madd`, which the renderer uses for the kernel IR's `fma`) ships
 * in Chromium and in Node 22 and later; Node 20 has it behind `--experimental-wasm-relaxed-simd`,
 * so there it reports false unless the process was started with that flag or the environment
 * switch `SSMJIT_WASM_RELAXED_SIMD=1` asks for it (the platform then sets the V8 flag before
 * the probe; see docs/backends.md). `SSMJIT_WASM_RELAXED_SIMD=0` reports it false everywhere.
 *
 * Browser-safe: it reaches WebAssembly through globalThis and the host through `#platform`.
 */

import { platform } from '#platform';
import { envVar } from '../platform/env';
import { type FunctionBuilder, type MemoryImport, ModuleBuilder } from './assembler';

export interface WasmFeatures {
  readonly simd: boolean;
  readonly relaxedSimd: boolean;
  readonly threads: boolean;
  readonly bulkMemory: boolean;
}

/** The slice of the WebAssembly JS API this probe uses. */
interface WasmProbeApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => unknown;
}

const memory = (shared: boolean): MemoryImport => ({ module: 'env', name: 'memory', initial: 1, maximum: 1, shared });

/** A module with one function (no parameters or results) whose body `body` writes. */
function probe(body: (f: FunctionBuilder) => void, mem?: MemoryImport): Uint8Array {
  const m = new ModuleBuilder(mem);
  const f = m.declareFunction([], []);
  body(f);
  f.finish();
  return m.toBytes();
}

const zero16 = new Uint8Array(16);

/** The environment switch for relaxed SIMD: '1' asks the engine for it, '0' leaves it unused. */
export const RELAXED_SIMD_ENV = 'SSMJIT_WASM_RELAXED_SIMD';

/** The meaning of a value of SSMJIT_WASM_RELAXED_SIMD (unset or empty: probe only). */
export function relaxedSimdSwitch(v: string | undefined): 'on' | 'off' | undefined {
  if (v === undefined || v === '') return undefined;
  if (v === '1') return 'on';
  if (v === '0') return 'off';
  throw new Error(`${RELAXED_SIMD_ENV}=${v}: expected 1 (ask the engine for WebAssembly relaxed SIMD) or 0 (do not use it)`);
}

function detect(): WasmFeatures {
  const wasm = (globalThis as { WebAssembly?: WasmProbeApi }).WebAssembly;
  if (wasm === undefined || typeof wasm.validate !== 'function') {
    return { simd: false, relaxedSimd: false, threads: false, bulkMemory: false };
  }
  const validates = (build: () => Uint8Array): boolean => {
    try {
      return wasm.validate(build());
    } catch {
      return false;
    }
  };

  const simd = validates(() =>
    probe((f) => f.v128Const(zero16).v128Const(zero16).op('f32x4.add').op('i32x4.all_true').op('drop')),
  );
  const relaxedProbe = () => probe((f) => f.v128Const(zero16).v128Const(zero16).v128Const(zero16).op('f32x4.relaxed_madd').op('drop'));
  const wanted = relaxedSimdSwitch(envVar(RELAXED_SIMD_ENV));
  let relaxedSimd = simd && wanted !== 'off' && validates(relaxedProbe);
  if (simd && wanted === 'on' && !relaxedSimd) {
    platform.allowWasmRelaxedSimd();
    relaxedSimd = validates(relaxedProbe);
  }
  const bulkMemory = validates(() =>
    probe((f) => f.i32Const(0).i32Const(0).i32Const(0).op('memory.fill'), memory(false)),
  );

  let threads = false;
  if (typeof SharedArrayBuffer !== 'undefined') {
    threads = validates(() =>
      probe(
        (f) => f.i32Const(0).i32Const(1).op('i32.atomic.rmw.add').op('drop').op('atomic.fence'),
        memory(true),
      ),
    );
    if (threads) {
      try {
        new wasm.Memory({ initial: 1, maximum: 1, shared: true });
      } catch {
        threads = false;
      }
    }
  }
  return { simd, relaxedSimd, threads, bulkMemory };
}

export const wasmFeatures: WasmFeatures = Object.freeze(detect());
