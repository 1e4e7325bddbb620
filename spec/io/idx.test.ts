import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/io/formatError';
import { decodeIdx, readIdxFile } from '../../src/io/idx';

/** Builds IDX bytes by hand from the format description. */
function idxBytes(shape: number[], values: number[], typeCode = 0x08): Uint8Array {
  const header = [0, 0, typeCode, shape.length];
  for (const size of shape) header.push((size >>> 24) & 255, (size >>> 16) & 255, (size >>> 8) & 255, size & 255);
  return Uint8Array.from([...header, ...values]);
}

function errorOf(fn: () => unknown): FormatError {
  try {
    fn();
  } catch (err) {
    if (err instanceof FormatError) return err;
    throw err;
  }
  throw new Error('expected a FormatError');
}

describe('IDX reader', () => {
  it('decodes shape (big-endian sizes) and data', () => {
    const idx = decodeIdx(idxBytes([2, 3], [1, 2, 3, 4, 5, 6]), 'mem');
    expect(idx.shape).toEqual([2, 3]);
    expect(Array.from(idx.data)).toEqual([1, 2, 3, 4, 5, 6]);
    const big = decodeIdx(idxBytes([300], new Array(300).fill(7)), 'mem');
    expect(big.shape).toEqual([300]);
  });

  it('names the byte offset of a bad magic number, element type and truncation', () => {
    const bytes = idxBytes([2], [1, 2]);
    bytes[1] = 9;
    expect(errorOf(() => decodeIdx(bytes, 'f.idx'))).toMatchObject({ file: 'f.idx', byteOffset: 1, problem: 'bad IDX magic number' });
    expect(errorOf(() => decodeIdx(idxBytes([2], [1, 2], 0x0d), 'f.idx')).message).toMatch(/f\.idx at byte 2: unsupported IDX element type: expected unsigned byte \(0x08\), got 0x0d \(float32\)/);
    expect(errorOf(() => decodeIdx(idxBytes([4], [1, 2]), 'f.idx'))).toMatchObject({ byteOffset: 10, problem: 'IDX data truncated' });
    expect(errorOf(() => decodeIdx(idxBytes([1], [1, 2]), 'f.idx'))).toMatchObject({ byteOffset: 9, problem: 'trailing bytes after IDX data' });
    expect(errorOf(() => decodeIdx(idxBytes([2, 2], [1, 2, 3, 4]).subarray(0, 9), 'f.idx'))).toMatchObject({ byteOffset: 9, problem: 'IDX header truncated' });
    expect(errorOf(() => decodeIdx(idxBytes([2], [1, 2]), 'f.idx', 3))).toMatchObject({ byteOffset: 3, expected: '3', actual: '1' });
  });

  it('reads plain and gzipped files alike, and reports corrupt gzip', () => {
    const dir = mkdtempSync(join(tmpdir(), 'idx-'));
    const bytes = idxBytes([3], [9, 8, 7]);
    writeFileSync(join(dir, 'a.idx'), bytes);
    writeFileSync(join(dir, 'a.idx.gz'), gzipSync(bytes));
    expect(Array.from(readIdxFile(join(dir, 'a.idx')).data)).toEqual([9, 8, 7]);
    expect(Array.from(readIdxFile(join(dir, 'a.idx.gz')).data)).toEqual([9, 8, 7]);
    const corrupt = gzipSync(bytes).subarray(0, 12);
    writeFileSync(join(dir, 'b.idx.gz'), corrupt);
    expect(errorOf(() => readIdxFile(join(dir, 'b.idx.gz'))).message).toMatch(/b\.idx\.gz: corrupt gzip stream/);
    expect(errorOf(() => readIdxFile(join(dir, 'missing.idx'))).message).toMatch(/missing\.idx: cannot read IDX file/);
  });
});
