/**
 * The `wasm` backend's threads: a pool of worker threads (Node worker threads, or Web Workers
 * in a cross-origin isolated page) that run the exported kernels of a loaded WebAssembly
 * module over the process's `SharedHeap`.
 *
 * What this module owns: the worker programs (strings: evaluated with
 * `new Worker(code, { eval: true })` under Node, a Blob URL in a browser, so they work the same
 * from the TypeScript sources under vitest and from the esbuild bundles in dist/), the control
 * block through which the main thread hands out work, the split of a launch's units into parts,
 * and turning failures on any thread into an Error thrown by `run`. Starting a thread is the
 * platform's (`#platform`, kernels/platform); nothing here imports Node.
 *
 * Browsers: a worker blocked in its job loop cannot read messages, so a load job returns the
 * worker to its event loop, which takes the module message and re-enters the loop (see
 * JOB_LOOP); a page's main thread may not call Atomics.wait, so there the main thread spins
 * until the workers acknowledge.
 *
 * Kernel convention: an export `(func (param i32 i32))` processes work units [start, end);
 * units are independent, so a launch of `units` units in `parts` parts runs part k over
 * [⌊units·k/parts⌋, ⌊units·(k+1)/parts⌋) — part 0 on the main thread, part k on worker k.
 *
 * Dispatch (no messages, no promises, per `run`): the control block is a small
 * SharedArrayBuffer. Each worker owns a 64-byte slot (its own cache line) holding a doorbell,
 * an acknowledgement, a liveness word, its exit code and the length of an error message.
 * The main thread writes the job (command, module id, export index, units, parts) into the
 * header, stores the new sequence number into each participant's doorbell and notifies it,
 * runs part 0 itself, then waits until every participant has acknowledged the sequence
 * number. A worker spins on its doorbell after each job (so back-to-back launches find it
 * awake) and then sleeps in `Atomics.wait`; the main thread likewise spins, then sleeps on
 * the header's event counter, which every acknowledgement and every worker death increments
 * and notifies. Both spin budgets adapt (see SPIN_MIN). Export names are resolved to indices
 * once, at `load`; modules reach the workers at `load` through a MessagePort per worker,
 * read synchronously (`receiveMessageOnPort`) when the load job arrives, so extra imports
 * must be plain data (numbers for imported globals; no JS functions).
 *
 * Failure detection (never hang, no timeouts): the main thread is blocked in `Atomics.wait`
 * during a run, so its event loop — and with it the Worker 'error'/'exit' events — cannot
 * run; detection therefore happens inside the worker and reaches the main thread through the
 * control block:
 *  - a trap or exception in a kernel (or in instantiation) is caught by the worker's job
 *    loop, which writes the message into its slot's message area before acknowledging; the
 *    pool stays usable (a trapped instance remains valid);
 *  - a worker that dies — `process.exit` on that thread, or an error escaping the job loop —
 *    runs the worker's `process.on('exit')` hook (Node runs it on that thread for both),
 *    which clears the liveness word, stores the exit code and bumps/notifies the event
 *    counter; the waiting main thread treats a dead participant as finished, throws, and the
 *    pool refuses every later run;
 *  - the remaining ways a worker can stop without its exit hook are `worker.terminate()`,
 *    which only `close()` calls (never during a run: runs are synchronous), and
 *    process-fatal errors (V8 out of memory, a crash), which end the whole process anyway.
 *    The main thread's 'exit'/'error' listeners additionally mark the pool broken (and the
 *    worker's slot dead) whenever its event loop runs, which covers a worker terminated
 *    from outside between runs; one terminated from outside *during* a run (only possible
 *    from another thread holding the Worker object) is the one case that would block.
 * A bounded wait (timeout slices) would add nothing to this: nothing the main thread could
 * check in a slice changes other than through the control block, which already wakes it.
 * A kernel that never returns blocks its run, as any synchronous call would.
 *
 * Process exit: workers and their ports are unref'd, so an idle pool never keeps the process
 * alive; `close()` stops them explicitly.
 */
import { platform } from '#platform';
import { environment } from '../platform/env';
import type { PoolThread } from '../platform/types';
import { type SharedHeap, type WasmInstance, type WasmModule, wasmApi } from './memory';

export interface PoolOptions {
  /** Threads including the main thread. Default: SSMJIT_THREADS, else os.availableParallelism(). */
  threads?: number;
}

export interface LoadedModule {
  /** Runs export `kernel` over units [0, units): synchronously, split in `parts` contiguous chunks (parts ≤ threads; 1 = main thread only). */
  run(kernel: string, units: number, parts: number): void;
  /** Drops the instances everywhere. Idempotent; `run` afterwards throws. */
  release(): void;
}

/** Plain-data imports besides `env.memory` (numbers for imported globals); must be structured-cloneable. */
export type PlainImports = Record<string, Record<string, number>>;

export const MAX_THREADS = 256;
const ENV_VAR = 'SSMJIT_THREADS';

// Control block layout, in Int32 elements. Header (one 64-byte line):
const H_EVENTS = 0; // bumped + notified on every acknowledgement and every worker death
const H_CMD = 1;
const H_MOD = 2;
const H_EXP = 3;
const H_UNITS = 4;
const H_PARTS = 5;
// Worker k's slot starts at SLOT * k (k = 1 .. threads-1):
const SLOT = 16;
const S_BELL = 0; // sequence number of the job for this worker
const S_ACK = 1; // sequence number of the last job it finished
const S_ALIVE = 2; // 1 while the worker runs its job loop
const S_EXIT = 3; // exit code, once dead
const S_ERRLEN = 4; // >0: UTF-16 length of an error message for the acknowledged job
// Then one message area of MSG_CHARS UTF-16 code units per slot (slot 0 unused).
const MSG_CHARS = 512;

const CMD_RUN = 1;
const CMD_LOAD = 2;
const CMD_RELEASE = 3;
const CMD_CRASH_EXIT = 4; // test hook: the worker exits with code `units`
const CMD_CRASH_THROW = 5; // test hook: an error escapes the worker's job loop

/**
 * Spinning before sleeping, in polls of a control word (a few ns each). Each side adapts its
 * budget: doubled (up to SPIN_MAX, ~50 µs) when the awaited word changed during the spin,
 * halved (down to SPIN_MIN) when it had to sleep, and every SPIN_PROBE_EVERY-th sleep the
 * next spin tries SPIN_PROBE polls again. With a free core per thread the probes succeed,
 * the budgets grow, and back-to-back launches never sleep (under a µs each); where threads
 * share a core (more threads than free cores) spinning only delays the thread being waited
 * for, the probes fail, and the futex path (a few µs) is used.
 */
const SPIN_MIN = 32;
const SPIN_MAX = 8192;
const SPIN_PROBE = 1024;
const SPIN_PROBE_EVERY = 64;

/**
 * The job loop both worker programs share (the host's program around it is the platform's:
 * `platform.poolWorkerProgram`). Before it runs, the program defines `control`, `k` (the
 * worker's index), `memory`, `slots`, `ASYNC_LOAD`, `takeModule()` and `exitThread(code)`; it
 * calls `markAlive()`, says 'ready', then runs `loop()`, and reports a death with `died(code)`.
 * With ASYNC_LOAD (browsers, where a worker blocked in its loop cannot read messages) a load
 * job returns from `loop()`; the module message, posted before the doorbell rang, is then
 * delivered by the worker's event loop, which loads it, acknowledges and re-enters `loop()`.
 */
const JOB_LOOP = `
const ctl = new Int32Array(control);
const base = ${SLOT} * k;
const msg = new Uint16Array(control, ${SLOT * 4} * slots + k * ${MSG_CHARS * 2}, ${MSG_CHARS});
const modules = new Map();
function died(code) {
  Atomics.store(ctl, base + ${S_EXIT}, code);
  Atomics.store(ctl, base + ${S_ALIVE}, 0);
  Atomics.add(ctl, ${H_EVENTS}, 1);
  Atomics.notify(ctl, ${H_EVENTS});
}
function report(e) {
  let s;
  try { s = String(e); } catch { s = 'unprintable error'; }
  if (s.length === 0) s = 'error';
  const n = Math.min(s.length, ${MSG_CHARS});
  for (let i = 0; i < n; i++) msg[i] = s.charCodeAt(i);
  Atomics.store(ctl, base + ${S_ERRLEN}, n);
}
function loadModule(m) {
  const { id, module, names, imports } = m;
  const env = Object.assign({}, imports.env, { memory });
  const instance = new WebAssembly.Instance(module, Object.assign({}, imports, { env }));
  modules.set(id, names.map((n) => instance.exports[n]));
}
let seen = 0;
let spin = ${SPIN_MIN};
let sleeps = 0;
function markAlive() {
  Atomics.store(ctl, base + ${S_ALIVE}, 1);
}
function acknowledge() {
  Atomics.store(ctl, base + ${S_ACK}, seen);
  Atomics.add(ctl, ${H_EVENTS}, 1);
  Atomics.notify(ctl, ${H_EVENTS});
}
function loop() {
  for (;;) {
    let bell = Atomics.load(ctl, base + ${S_BELL});
    for (let i = 0; bell === seen && i < spin; i++) bell = Atomics.load(ctl, base + ${S_BELL});
    if (bell !== seen) spin = Math.min(spin * 2, ${SPIN_MAX});
    else {
      spin = ++sleeps % ${SPIN_PROBE_EVERY} === 0 ? ${SPIN_PROBE} : Math.max(spin >> 1, ${SPIN_MIN});
      do {
        Atomics.wait(ctl, base + ${S_BELL}, seen);
        bell = Atomics.load(ctl, base + ${S_BELL});
      } while (bell === seen);
    }
    seen = bell;
    const cmd = ctl[${H_CMD}];
    if (cmd === ${CMD_CRASH_THROW}) throw new Error('worker ' + k + ': planted error outside the job loop');
    if (cmd === ${CMD_LOAD} && ASYNC_LOAD) return;
    try {
      if (cmd === ${CMD_RUN}) {
        const units = ctl[${H_UNITS}], parts = ctl[${H_PARTS}];
        modules.get(ctl[${H_MOD}])[ctl[${H_EXP}]](Math.floor((units * k) / parts), Math.floor((units * (k + 1)) / parts));
      } else if (cmd === ${CMD_LOAD}) {
        loadModule(takeModule());
      } else if (cmd === ${CMD_RELEASE}) {
        modules.delete(ctl[${H_MOD}]);
      } else if (cmd === ${CMD_CRASH_EXIT}) {
        exitThread(ctl[${H_UNITS}]);
        return;
      }
    } catch (e) {
      report(e);
    }
    acknowledge();
  }
}
`;

/** A control block: shared memory where there is any (a page that is not cross-origin isolated has none, and one thread needs none). */
const controlBlock = (bytes: number): SharedArrayBuffer =>
  (typeof SharedArrayBuffer === 'undefined' ? new ArrayBuffer(bytes) : new SharedArrayBuffer(bytes)) as SharedArrayBuffer;

/** Whether this thread may block in Atomics.wait (a browser's main thread may not). */
function threadCanBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** Threads to use: `requested`, else SSMJIT_THREADS, else os.availableParallelism(). */
export function resolveThreads(
  requested: number | undefined,
  env: Record<string, string | undefined>,
  available: number,
): { threads: number; source: string } {
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 1 || requested > MAX_THREADS) {
      throw new Error(`WorkerPool: threads must be an integer in 1..${MAX_THREADS}, got ${requested}`);
    }
    return { threads: requested, source: 'the threads option' };
  }
  const raw = env[ENV_VAR];
  if (raw !== undefined && raw.trim() !== '') {
    const t = raw.trim();
    const n = Number(t);
    if (!/^\d+$/.test(t) || n < 1 || n > MAX_THREADS) {
      throw new Error(`${ENV_VAR} must be an integer in 1..${MAX_THREADS}, got "${raw}"`);
    }
    return { threads: n, source: `${ENV_VAR}=${t}` };
  }
  return { threads: Math.max(1, Math.min(MAX_THREADS, Math.floor(available) || 1)), source: 'os.availableParallelism()' };
}

export class WorkerPool {
  readonly threads: number;
  readonly reason: string;

  private readonly ctl: Int32Array;
  private readonly msg: Uint16Array;
  private readonly workers: PoolThread[];
  private seq = 0;
  /** The main thread's current spin budget (see SPIN_MIN). */
  private spin = SPIN_MIN;
  private sleeps = 0;
  private nextModule = 1;
  private busy = false;
  private closed = false;
  private broken: string | undefined;

  private constructor(
    readonly heap: SharedHeap,
    threads: number,
    reason: string,
    control: SharedArrayBuffer,
    workers: PoolThread[],
    /** False on a browser's main thread: waits spin instead of sleeping in Atomics.wait. */
    private readonly canBlock: boolean,
  ) {
    this.threads = threads;
    this.reason = reason;
    this.ctl = new Int32Array(control);
    this.msg = new Uint16Array(control, SLOT * 4 * threads, MSG_CHARS * threads);
    this.workers = workers;
  }

  static async create(heap: SharedHeap, opts: PoolOptions = {}): Promise<WorkerPool> {
    const { threads: wanted, source } = resolveThreads(opts.threads, environment(), platform.availableParallelism());
    const single = (why: string): WorkerPool =>
      new WorkerPool(heap, 1, `single-threaded: ${why}`, controlBlock(SLOT * 4 + MSG_CHARS * 2), [], true);
    // A page that is not cross-origin isolated may still create a shared WebAssembly memory,
    // but cannot hand it (or any SharedArrayBuffer) to a worker.
    if (!heap.shared || typeof SharedArrayBuffer === 'undefined') return single(`the heap memory is not shared (${platform.noSharedMemory})`);
    if (wanted === 1) return single(`1 thread from ${source}`);

    const control = new SharedArrayBuffer(SLOT * 4 * wanted + MSG_CHARS * 2 * wanted);
    const workers: PoolThread[] = [];
    const canBlock = threadCanBlock();
    const how = canBlock ? '' : ' (this thread may not block: it spins while workers run)';
    const pool = new WorkerPool(heap, wanted, `${wanted} threads from ${source}${how}`, control, workers, canBlock);
    const code = platform.poolWorkerProgram(JOB_LOOP);
    const started = await Promise.allSettled(
      Array.from({ length: wanted - 1 }, (_, i) => {
        const k = i + 1;
        return platform.startPoolThread({
          code,
          name: `ssmjit-wasm-${k}`,
          init: { control, index: k, memory: heap.memory, slots: wanted },
          onDeath: (why, exit) => pool.markBroken(`worker thread ${k} ${why}`, k, exit),
        });
      }),
    );
    started.forEach((r, i) => {
      if (r.status === 'fulfilled') workers[i] = r.value;
    });
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await pool.close();
      throw new Error(`WorkerPool: could not start ${wanted - 1} worker threads: ${String(failed.reason)}`);
    }
    return pool;
  }

  /** Instantiates `module` (imports: env.memory plus `imports`) on the main thread and on every worker. */
  async load(module: WasmModule, name: string, imports: PlainImports = {}): Promise<LoadedModule> {
    this.usable(`load "${name}"`);
    const wasm = wasmApi();
    const names = wasm.Module.exports(module)
      .filter((e) => e.kind === 'function')
      .map((e) => e.name);
    let instance: WasmInstance;
    try {
      instance = await wasm.instantiate(module, { ...imports, env: { ...imports.env, memory: this.heap.memory } });
    } catch (e) {
      throw new Error(`WorkerPool: instantiating module "${name}" failed: ${String(e)}`, { cause: e });
    }
    const fns = names.map((n) => instance.exports[n] as (start: number, end: number) => void);
    const id = this.nextModule++;
    const n = this.workers.length;
    if (n > 0) {
      this.usable(`load "${name}"`);
      try {
        for (const worker of this.workers) worker.send({ id, module, names, imports });
      } catch (e) {
        throw new Error(`WorkerPool: cannot send module "${name}" to the workers (imports must be plain data): ${String(e)}`);
      }
      const failure = this.dispatch(CMD_LOAD, id, 0, 0, 0, n);
      if (failure) {
        this.dispatch(CMD_RELEASE, id, 0, 0, 0, n);
        throw new Error(`WorkerPool: loading module "${name}" failed on ${failure}`);
      }
    }
    return new Loaded(this, id, name, names, fns);
  }

  /** Stops the workers (terminate wakes a worker blocked in Atomics.wait). Later load/run throw. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.filter(Boolean).map((w) => w.terminate()));
  }

  /** @internal Test hook: makes worker `k` die (exit with `code`, or an error escaping its loop). */
  crashWorkerForTest(k: number, how: 'exit' | 'throw', code = 3): string | undefined {
    this.usable('crash');
    return this.dispatch(how === 'exit' ? CMD_CRASH_EXIT : CMD_CRASH_THROW, 0, 0, code, 0, k, k);
  }

  /** @internal */
  markBroken(why: string, k?: number, code?: number): void {
    if (this.closed) return;
    this.broken ??= why;
    if (k !== undefined) {
      // A worker stopped without its exit hook (terminate): record it as the hook would.
      Atomics.store(this.ctl, SLOT * k + S_EXIT, code ?? -1);
      Atomics.store(this.ctl, SLOT * k + S_ALIVE, 0);
    }
  }

  /** @internal Runs export `exp` of module `mod`; see LoadedModule.run. */
  launch(mod: Loaded, exp: number, units: number, parts: number): void {
    if (!Number.isInteger(units) || units < 0 || units > 0x7fffffff) {
      throw new Error(`wasm kernel "${mod.names[exp]}" (module "${mod.name}"): units must be an integer in 0..2^31-1, got ${units}`);
    }
    if (!Number.isInteger(parts) || parts < 1 || parts > this.threads) {
      throw new Error(`wasm kernel "${mod.names[exp]}" (module "${mod.name}"): parts must be an integer in 1..${this.threads}, got ${parts}`);
    }
    const p = Math.min(parts, units);
    if (p === 0) return;
    const fn = mod.fns[exp];
    if (p === 1) {
      if (this.busy || this.closed || this.broken) this.usable(() => `run "${mod.names[exp]}" of module "${mod.name}"`, false);
      try {
        fn(0, units);
      } catch (e) {
        throw kernelError(mod, exp, 'the main thread', 0, units, units, 0, 1, String(e), e);
      }
      return;
    }
    this.usable(() => `run "${mod.names[exp]}" of module "${mod.name}"`);
    let mainError: unknown;
    let threw = false;
    const failure = this.dispatch(CMD_RUN, mod.id, exp, units, p, p - 1, 1, () => {
      try {
        fn(0, Math.floor(units / p));
      } catch (e) {
        threw = true;
        mainError = e;
      }
    });
    if (threw) {
      throw kernelError(mod, exp, 'the main thread', 0, Math.floor(units / p), units, 0, p, String(mainError), mainError);
    }
    if (failure) throw kernelError(mod, exp, failure, -1, -1, units, -1, p, '', undefined);
  }

  /** @internal */
  releaseModule(id: number): void {
    if (this.closed || this.broken || this.workers.length === 0) return;
    const failure = this.dispatch(CMD_RELEASE, id, 0, 0, 0, this.workers.length);
    if (failure) throw new Error(`WorkerPool: release failed on ${failure}`);
  }

  /** Throws unless the pool can take a job; `what` names the job (built only on failure). */
  private usable(what: string | (() => string), workersToo = true): void {
    let why: string | undefined;
    if (this.closed) why = 'the pool is closed';
    else if (this.busy) why = 're-entrant call while a run is in progress';
    else if (workersToo) {
      for (let k = 1; k < this.threads && !this.broken; k++) {
        if (Atomics.load(this.ctl, SLOT * k + S_ALIVE) !== 1) {
          this.broken = `worker thread ${k} exited (code ${Atomics.load(this.ctl, SLOT * k + S_EXIT)})`;
        }
      }
    }
    if (!why && this.broken) why = `the pool is broken (${this.broken})`;
    if (why) throw new Error(`WorkerPool: cannot ${typeof what === 'string' ? what : what()}: ${why}`);
  }

  /**
   * Hands job `cmd` to workers `first`..`last`, runs `own` on this thread meanwhile, waits
   * for all of them. Returns undefined, or "worker thread k (part …): message" for the first
   * failure (after every participant has finished or died).
   */
  private dispatch(
    cmd: number,
    mod: number,
    exp: number,
    units: number,
    parts: number,
    last: number,
    first = 1,
    own?: () => void,
  ): string | undefined {
    const c = this.ctl;
    this.busy = true;
    try {
      c[H_CMD] = cmd;
      c[H_MOD] = mod;
      c[H_EXP] = exp;
      c[H_UNITS] = units;
      c[H_PARTS] = parts;
      const seq = (this.seq = (this.seq + 1) | 0 || 1);
      for (let k = first; k <= last; k++) {
        Atomics.store(c, SLOT * k + S_BELL, seq);
        Atomics.notify(c, SLOT * k + S_BELL, 1);
      }
      own?.();
      const budget = this.spin;
      let slept = false;
      for (let spins = 0; ; spins++) {
        const events = Atomics.load(c, H_EVENTS);
        let pending = false;
        for (let k = first; k <= last; k++) {
          const s = SLOT * k;
          if (Atomics.load(c, s + S_ACK) !== seq && Atomics.load(c, s + S_ALIVE) === 1) {
            pending = true;
            break;
          }
        }
        if (!pending) break;
        if (spins >= budget && this.canBlock) {
          slept = true;
          Atomics.wait(c, H_EVENTS, events);
        }
      }
      this.spin = !slept ? Math.min(budget * 2, SPIN_MAX) : ++this.sleeps % SPIN_PROBE_EVERY === 0 ? SPIN_PROBE : Math.max(budget >> 1, SPIN_MIN);
      let failure: string | undefined;
      const where = (k: number) =>
        cmd === CMD_RUN
          ? `worker thread ${k} (part ${k} of ${parts}, units [${Math.floor((units * k) / parts)}, ${Math.floor((units * (k + 1)) / parts)}) of ${units})`
          : `worker thread ${k}`;
      for (let k = first; k <= last; k++) {
        const s = SLOT * k;
        if (Atomics.load(c, s + S_ACK) !== seq) {
          this.broken ??= `worker thread ${k} exited (code ${Atomics.load(c, s + S_EXIT)})`;
          failure ??= `${where(k)}: the thread died (exit code ${Atomics.load(c, s + S_EXIT)})`;
          continue;
        }
        const len = Atomics.load(c, s + S_ERRLEN);
        if (len > 0) {
          const at = k * MSG_CHARS;
          let text = '';
          for (let i = 0; i < len; i++) text += String.fromCharCode(this.msg[at + i]);
          Atomics.store(c, s + S_ERRLEN, 0);
          failure ??= `${where(k)}: ${text}`;
        }
      }
      return failure;
    } finally {
      this.busy = false;
    }
  }
}

class Loaded implements LoadedModule {
  private readonly index = new Map<string, number>();
  private released = false;

  constructor(
    private readonly pool: WorkerPool,
    readonly id: number,
    readonly name: string,
    readonly names: readonly string[],
    readonly fns: ReadonlyArray<(start: number, end: number) => void>,
  ) {
    names.forEach((n, i) => this.index.set(n, i));
  }

  run(kernel: string, units: number, parts: number): void {
    const exp = this.index.get(kernel);
    if (exp === undefined || this.released) {
      throw new Error(
        this.released
          ? `wasm kernel "${kernel}" (module "${this.name}"): the module was released`
          : `wasm module "${this.name}" exports no function "${kernel}" (it has: ${this.names.join(', ') || 'none'})`,
      );
    }
    this.pool.launch(this, exp, units, parts);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.pool.releaseModule(this.id);
  }
}

function kernelError(
  mod: Loaded,
  exp: number,
  where: string,
  start: number,
  end: number,
  units: number,
  part: number,
  parts: number,
  message: string,
  cause: unknown,
): Error {
  const range = part >= 0 ? ` (part ${part} of ${parts}, units [${start}, ${end}) of ${units})` : '';
  const text = message ? `: ${message}` : '';
  return new Error(
    `wasm kernel "${mod.names[exp]}" (module "${mod.name}") failed on ${where}${range}${text}`,
    cause === undefined ? undefined : { cause },
  );
}
