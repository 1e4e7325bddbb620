// The shared heap's allocator (kernels/wasm/memory.ts) against a naive model: random
// alloc/free sequences never overlap, stay 16-byte aligned and inside the memory, account
// their bytes, coalesce back to one free block, and growth keeps the data already written.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { type Region, SharedHeap } from '../../kernels/wasm/memory';

const PAGE = 65536;
const round16 = (n: number) => Math.ceil(Math.max(n, 1) / 16) * 16;

/** Checks every invariant of `heap` given the live regions the model holds. */
function check(heap: SharedHeap, live: readonly Region[]): void {
  const reserved = heap.bytesReserved;
  const spans = live.map((r) => [r.offset, r.offset + round16(r.bytes)] as const).sort((a, b) => a[0] - b[0]);
  for (const [s, e] of spans) {
    expect(s % 16).toBe(0);
    expect(s).toBeGreaterThanOrEqual(16);
    expect(e).toBeLessThanOrEqual(reserved);
  }
  for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
  expect(heap.bytesInUse).toBe(spans.reduce((a, [s, e]) => a + e - s, 0));
  // Free blocks: sorted, never adjacent, disjoint from live regions, and free + live = all.
  const free = heap.freeBlocks();
  for (let i = 1; i < free.length; i++) expect(free[i].offset).toBeGreaterThan(free[i - 1].offset + free[i - 1].size);
  const freeBytes = free.reduce((a, b) => a + b.size, 0);
  expect(freeBytes + heap.bytesInUse + 16).toBe(reserved);
}

describe('SharedHeap', () => {
  for (const shared of [true, false]) {
    it(`random alloc/free sequences match the model (${shared ? 'shared' : 'plain'} memory)`, () => {
      fc.assert(
        fc.property(
          fc.array(
            fc.oneof(
              fc.record({ op: fc.constant('alloc' as const), bytes: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 3 * PAGE })) }),
              fc.record({ op: fc.constant('free' as const), pick: fc.nat() }),
            ),
            { maxLength: 60 },
          ),
          (ops) => {
            const heap = new SharedHeap({ shared, initialPages: 1 });
            const live: { r: Region; tag: number }[] = [];
            let tag = 1;
            for (const o of ops) {
              if (o.op === 'alloc') {
                const r = heap.alloc(o.bytes, `buffer ${tag}`);
                expect(r.bytes).toBe(o.bytes);
                // Tag the region's words so growth or a bad free list would show up as overwritten data.
                heap.i32(r).fill(tag);
                live.push({ r, tag: tag++ });
              } else if (live.length > 0) {
                const [{ r }] = live.splice(o.pick % live.length, 1);
                heap.free(r);
              }
              check(heap, live.map((l) => l.r));
            }
            for (const { r, tag: t } of live) expect(heap.i32(r).every((v) => v === t)).toBe(true);
            // Freeing everything coalesces into one block spanning all but the null guard.
            const reserved = heap.bytesReserved;
            for (const { r } of live) heap.free(r);
            expect(heap.bytesInUse).toBe(0);
            expect(heap.freeBlocks()).toEqual([{ offset: 16, size: reserved - 16 }]);
            const all = heap.alloc(reserved - 16, 'everything');
            expect(all.offset).toBe(16);
            expect(heap.bytesReserved).toBe(reserved);
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  it('growth keeps data, and views made after growth see the new length', () => {
    for (const shared of [true, false]) {
      const heap = new SharedHeap({ shared, initialPages: 1 });
      expect(heap.shared).toBe(shared);
      expect(heap.memory.buffer instanceof SharedArrayBuffer).toBe(shared);
      const a = heap.alloc(1000 * 4, 'a');
      heap.f32(a).forEach((_, i, v) => (v[i] = i * 0.5));
      const before = heap.memory.buffer;
      const b = heap.alloc(5 * PAGE, 'b');
      expect(heap.bytesReserved).toBeGreaterThanOrEqual(6 * PAGE);
      expect(heap.memory.buffer).not.toBe(before);
      expect(Array.from(heap.f32(a)).every((v, i) => v === i * 0.5)).toBe(true);
      const vb = heap.f32(b);
      expect(vb.length).toBe((5 * PAGE) / 4);
      vb[vb.length - 1] = 7;
      expect(new Float32Array(heap.memory.buffer)[(b.offset + 5 * PAGE) / 4 - 1]).toBe(7);
    }
  });

  it('rejects double frees, foreign regions, bad sizes, and allocations past the maximum (naming them)', () => {
    const heap = new SharedHeap({ initialPages: 1 });
    const r = heap.alloc(100, 'x');
    heap.free(r);
    expect(() => heap.free(r)).toThrow(/not live/);
    expect(() => heap.free({ offset: 12345, bytes: 4 })).toThrow(/not live/);
    const s = heap.alloc(100, 'y');
    expect(() => heap.free({ offset: s.offset, bytes: 1000 })).toThrow(/not live/);
    expect(() => heap.alloc(-1, 'neg')).toThrow(/neg/);
    expect(() => heap.alloc(1.5, 'frac')).toThrow(/frac/);
    const used = heap.bytesInUse;
    expect(() => heap.alloc(heap.maxPages * PAGE, 'the huge buffer')).toThrow(/the huge buffer.*\d+ bytes.*maximum/);
    expect(heap.bytesInUse).toBe(used);
    expect(heap.maxPages).toBeLessThanOrEqual(SharedHeap.MAX_PAGES);
    expect(heap.memoryImport).toEqual({ module: 'env', name: 'memory', initial: 1, maximum: SharedHeap.MAX_PAGES, shared: true });
  });

  it('zero-byte regions are distinct and freeable', () => {
    const heap = new SharedHeap({ initialPages: 1 });
    const a = heap.alloc(0, 'a');
    const b = heap.alloc(0, 'b');
    expect(a.offset).not.toBe(b.offset);
    expect(heap.f32(a).length).toBe(0);
    heap.free(a);
    heap.free(b);
    expect(heap.bytesInUse).toBe(0);
  });
});
