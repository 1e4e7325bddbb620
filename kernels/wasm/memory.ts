/**
 * The `wasm` backend's memory: one `WebAssembly.Memory` per process and the allocator that
 * hands out byte ranges of it.
 *
 * What this module owns: creating the memory (shared, so worker threads can run kernels on
 * it, or plain for the single-threaded fallback), growing it, and the free list of regions.
 * It knows nothing about kernels or threads and imports nothing from Node, so it is safe to
 * load in a browser.
 *
 * Kernels address buffers by absolute byte offset, so every module that runs over this heap
 * imports the memory as `env.memory`, declared `(memory 1 65536 shared)` (or without
 * `shared` when `heap.shared` is false): the import's maximum must be at least the heap's
 * `maxPages`, which never exceeds `SharedHeap.MAX_PAGES`.
 *
 * Allocation: first fit over an offset-sorted free list; every region starts on a 16-byte
 * boundary and occupies its size rounded up to 16 (so SIMD loads of a region's tail stay
 * inside it). Offset 0..15 is never handed out, so address 0 can mean "no buffer". When no
 * free block fits, the memory grows (by at least an eighth of its size, to keep the number of
 * grows small); memory never shrinks. Freed regions coalesce with their free neighbours.
 *
 * Views: `memory.buffer` changes identity when the memory grows (a plain memory's old buffer
 * is detached; a shared memory's old SharedArrayBuffer keeps its old length), so `f32`/`i32`
 * build their view from the current buffer on every call. Do not keep a view across an
 * `alloc` that may grow the memory.
 */

// ---- the slice of the engine's WebAssembly JS API the backend uses, typed here (the project's
// lib has no DOM types; these are structural, so the engine's objects fit) ----

export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(deltaPages: number): number;
}
/** A compiled module (opaque). */
export type WasmModule = object;
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
export type WasmImports = Record<string, Record<string, unknown>>;
export interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: { new (bytes: Uint8Array): WasmModule; exports(module: WasmModule): { name: string; kind: string }[] };
  Instance: new (module: WasmModule, imports?: WasmImports) => WasmInstance;
  instantiate(module: WasmModule, imports?: WasmImports): Promise<WasmInstance>;
}

/** The engine's WebAssembly object; throws where there is none. */
export function wasmApi(): WasmApi {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (api === undefined) throw new Error('this JavaScript engine has no WebAssembly');
  return api;
}

/** A byte range of the heap: `offset` is 16-byte aligned; `bytes` is the size asked for. */
export interface Region {
  readonly offset: number;
  readonly bytes: number;
}

const PAGE = 65536;
const ALIGN = 16;
/** Bytes at the bottom of the memory that are never allocated (address 0 = null). */
const RESERVED = ALIGN;

interface Block {
  offset: number;
  size: number;
}

const roundUp = (n: number): number => Math.ceil(Math.max(n, 1) / ALIGN) * ALIGN;
const mib = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MiB`;

export class SharedHeap {
  /** The largest memory asked of the engine: 65536 pages = 4 GiB, wasm32's limit. */
  static readonly MAX_PAGES: number = 65536;
  /** What is tried, in order, when the engine refuses a larger maximum (32-bit hosts). */
  private static readonly FALLBACK_PAGES: readonly number[] = [65536, 32768, 16384, 4096];

  readonly memory: WasmMemory;
  readonly shared: boolean;
  /** The maximum the engine accepted for this memory (≤ MAX_PAGES). */
  readonly maxPages: number;

  /** Free blocks sorted by offset, never adjacent (adjacent ones are merged). */
  private readonly freeList: Block[] = [];
  /** Live regions: offset → occupied (rounded) size. */
  private readonly live = new Map<number, number>();
  private inUse = 0;

  constructor(opts: { shared?: boolean; initialPages?: number } = {}) {
    this.shared = opts.shared ?? true;
    const initial = opts.initialPages ?? 16;
    if (!Number.isInteger(initial) || initial < 1 || initial > SharedHeap.MAX_PAGES) {
      throw new Error(`SharedHeap: initialPages must be an integer in 1..${SharedHeap.MAX_PAGES}, got ${initial}`);
    }
    let memory: WasmMemory | undefined;
    let maxPages = 0;
    let lastError: unknown;
    for (const maximum of SharedHeap.FALLBACK_PAGES) {
      if (maximum < initial) break;
      try {
        memory = new (wasmApi().Memory)({ initial, maximum, shared: this.shared });
        maxPages = maximum;
        break;
      } catch (e) {
        lastError = e;
      }
    }
    if (!memory) {
      throw new Error(
        `SharedHeap: the engine refused a ${this.shared ? 'shared' : 'plain'} memory of ${initial} pages ` +
          `(maximum tried down to ${SharedHeap.FALLBACK_PAGES.at(-1)} pages): ${String(lastError)}`,
      );
    }
    this.memory = memory;
    this.maxPages = maxPages;
    this.freeList.push({ offset: RESERVED, size: initial * PAGE - RESERVED });
  }

  /** How a module imports this memory (the shape of the assembler's MemoryImport). */
  get memoryImport(): { module: 'env'; name: 'memory'; initial: number; maximum: number; shared: boolean } {
    return { module: 'env', name: 'memory', initial: 1, maximum: SharedHeap.MAX_PAGES, shared: this.shared };
  }

  /** Bytes held by live regions (each rounded up to 16). */
  get bytesInUse(): number {
    return this.inUse;
  }

  /** Bytes the memory currently spans (what the engine has committed). */
  get bytesReserved(): number {
    return this.memory.buffer.byteLength;
  }

  /** A new 16-byte aligned region of at least `bytes` bytes; `what` names it in errors. */
  alloc(bytes: number, what: string): Region {
    if (!Number.isSafeInteger(bytes) || bytes < 0) {
      throw new Error(`SharedHeap.alloc(${what}): size must be a non-negative integer, got ${bytes}`);
    }
    const size = roundUp(bytes);
    let i = this.findFit(size);
    if (i < 0) {
      this.grow(size, what, bytes);
      i = this.findFit(size);
      if (i < 0) throw new Error(`SharedHeap.alloc(${what}): internal error, no fit after growing`);
    }
    const block = this.freeList[i];
    const offset = block.offset;
    if (block.size === size) this.freeList.splice(i, 1);
    else {
      block.offset += size;
      block.size -= size;
    }
    this.live.set(offset, size);
    this.inUse += size;
    return { offset, bytes };
  }

  /** Returns `r` to the free list, merging it with free neighbours. */
  free(r: Region): void {
    const size = this.live.get(r.offset);
    if (size === undefined || size !== roundUp(r.bytes)) {
      throw new Error(
        `SharedHeap.free: region at offset ${r.offset} (${r.bytes} bytes) is not live ` +
          `(double free, or not allocated by this heap)`,
      );
    }
    this.live.delete(r.offset);
    this.inUse -= size;
    const list = this.freeList;
    // First free block after the region (binary search).
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].offset < r.offset) lo = mid + 1;
      else hi = mid;
    }
    const prev = lo > 0 ? list[lo - 1] : undefined;
    const next = lo < list.length ? list[lo] : undefined;
    const end = r.offset + size;
    if (prev && prev.offset + prev.size === r.offset) {
      prev.size += size;
      if (next && next.offset === end) {
        prev.size += next.size;
        list.splice(lo, 1);
      }
    } else if (next && next.offset === end) {
      next.offset = r.offset;
      next.size += size;
    } else {
      list.splice(lo, 0, { offset: r.offset, size });
    }
  }

  /** A Float32Array over `r` (bytes / 4 elements), on the memory's current buffer. */
  f32(r: Region): Float32Array {
    return new Float32Array(this.memory.buffer, r.offset, r.bytes >>> 2);
  }

  /** An Int32Array over `r` (bytes / 4 elements), on the memory's current buffer. */
  i32(r: Region): Int32Array {
    return new Int32Array(this.memory.buffer, r.offset, r.bytes >>> 2);
  }

  /** The free blocks, for tests and diagnostics. */
  freeBlocks(): ReadonlyArray<Readonly<Block>> {
    return this.freeList.map((b) => ({ ...b }));
  }

  private findFit(size: number): number {
    const list = this.freeList;
    for (let i = 0; i < list.length; i++) if (list[i].size >= size) return i;
    return -1;
  }

  /** Grows the memory so that a block of `size` bytes fits at its end. */
  private grow(size: number, what: string, asked: number): void {
    const oldBytes = this.memory.buffer.byteLength;
    const oldPages = oldBytes / PAGE;
    const last = this.freeList.at(-1);
    const tailFree = last && last.offset + last.size === oldBytes ? last.size : 0;
    const needPages = Math.ceil((size - tailFree) / PAGE);
    const fail = (why: string): Error =>
      new Error(
        `SharedHeap: cannot allocate ${what} (${asked} bytes): ${why}; ` +
          `${mib(this.inUse)} in use, ${mib(oldBytes)} reserved, maximum ${mib(this.maxPages * PAGE)}`,
      );
    if (oldPages + needPages > this.maxPages) throw fail(`the memory would exceed its maximum`);
    const wantPages = Math.min(this.maxPages - oldPages, Math.max(needPages, Math.ceil(oldPages / 8)));
    try {
      this.memory.grow(wantPages);
    } catch {
      try {
        this.memory.grow(needPages);
      } catch (e) {
        throw fail(`the engine refused to grow the memory by ${needPages} pages (${String(e)})`);
      }
    }
    const newBytes = this.memory.buffer.byteLength;
    if (tailFree > 0 && last) last.size += newBytes - oldBytes;
    else this.freeList.push({ offset: oldBytes, size: newBytes - oldBytes });
  }
}
