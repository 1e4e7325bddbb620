/** The TypeScript SHA-256 of checkpoint digests against Node's OpenSSL one and the FIPS 180-2 examples. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/io/sha256';

describe('sha256Hex', () => {
  it('gives the published digests of "abc" and the empty message', () => {
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('agrees with node:crypto at every length around the block boundaries and on a large buffer', () => {
    const data = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 2654435761) >>> 24);
    for (const n of [1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 70_000]) {
      const part = data.subarray(0, n);
      expect(sha256Hex(part), `length ${n}`).toBe(createHash('sha256').update(part).digest('hex'));
    }
  });
});
