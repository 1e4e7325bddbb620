/**
 * What the library needs from its host, Node or a browser: the contract that
 * `kernels/platform/node.ts` and `kernels/platform/browser.ts` both implement. Code elsewhere
 * imports the implementation as `#platform` (package.json `imports`, resolved by the `browser`
 * or `node` condition), so a browser bundle never sees `node:` modules.
 */

/** A createContext function of headless-gl (npm `gl`). */
export type GLContextFactory = (width: number, height: number, options?: object) => unknown;

/** One worker thread of the wasm backend's pool, as the pool sees it. */
export interface PoolThread {
  /** Posts a structured-cloneable message (a compiled module and its imports) to the thread. */
  send(message: unknown): void;
  /** Stops the thread. */
  terminate(): Promise<unknown>;
}

export interface PoolThreadOptions {
  /** The thread's program (a script; see kernels/wasm/pool.ts). */
  readonly code: string;
  readonly name: string;
  /** Handed to the program at start: the control block, the index, the shared memory. */
  readonly init: Record<string, unknown>;
  /** Called once after start-up when the thread fails or exits. */
  readonly onDeath: (why: string, code: number) => void;
}

export interface Platform {
  readonly kind: 'node' | 'browser';
  /**
   * False when this machine certainly has no GPU (Linux without a GPU device file); the auto
   * rule then does not probe WebGPU. Always true in a browser.
   */
  mayHaveHardwareGPU(): boolean;
  /** Makes `navigator.gpu` available: null on success, else why it is not. */
  installWebGPU(): Promise<string | null>;
  /** Removes what installWebGPU installed (Dawn keeps Node from exiting); nothing in a browser. */
  uninstallWebGPU(): void;
  /** headless-gl's createContext, or why it cannot be loaded. */
  loadHeadlessGL(): GLContextFactory | { readonly unavailable: string };
  /** Whether there is an X display for headless-gl (undefined in a browser). */
  display(): string | undefined;
  /** Hardware threads (os.availableParallelism(), navigator.hardwareConcurrency). */
  availableParallelism(): number;
  /** A pool thread's whole program around the job loop of kernels/wasm/pool.ts (JOB_LOOP). */
  poolWorkerProgram(jobLoop: string): string;
  /** Starts one pool thread; resolves once it has said it is ready. */
  startPoolThread(options: PoolThreadOptions): Promise<PoolThread>;
  /** Registers `fn` to run when the process exits (Node); never runs in a browser. */
  onExit(fn: () => void): void;
  /** Writes diagnostics (stderr under Node, the console in a browser). */
  writeDiagnostic(text: string): void;
  /**
   * WebAssembly memories one process can hold at once. A browser's renderer reserves each
   * memory's whole 32-bit range plus guard regions inside a fixed address-space budget
   * (Chromium: `WebAssembly.Memory(): could not allocate memory` after ~100); Node sets no
   * such bound. gpu.js's `webasm` kernels each own a memory, so the kernel runtime keeps at
   * most this many of them compiled (kernels/runtime.ts).
   */
  readonly liveWasmMemories: number;
  /**
   * Asks the engine to accept WebAssembly relaxed SIMD before anything is compiled with it:
   * Node 20's V8 has it behind `--experimental-wasm-relaxed-simd`, which this sets for the
   * process (worker threads started later included). A browser decides by itself: nothing.
   */
  allowWasmRelaxedSimd(): void;
  /** Why a WebAssembly memory cannot be shared here, in the host's own terms. */
  readonly noSharedMemory: string;
}
