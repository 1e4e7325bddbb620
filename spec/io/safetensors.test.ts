import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/io/formatError';
import { COMPLEX64_METADATA_KEY, parseSafetensors, serializeSafetensors } from '../../src/io/safetensors';
import { readSafetensors, writeSafetensors } from '../../src/io/safetensorsFile';
import { TensorMap } from '../../src/io/tensor';

/**
 * Written by the reference implementation (Python `safetensors` 0.8.0, safetensors.numpy.save)
 * for weight=[[1.5,-2],[3.25,0]] F32, steps=[7,-1,2^31-1] I32, mask=[true,false,true] BOOL,
 * scale=0.125 F64 scalar, empty=zeros(0,3) F32; the first also with metadata
 * {"format": "np", "note": "héllo"}.
 */
const REFERENCE_WITH_METADATA =
  '58010000000000007b225f5f6d657461646174615f5f223a7b226e6f7465223a2268c3a96c6c6f222c22666f726d6174223a226e70227d2c227363616c65223a7b226474797065223a22463634222c227368617065223a5b5d2c22646174615f6f666673657473223a5b302c385d7d2c22656d707479223a7b226474797065223a22463332222c227368617065223a5b302c335d2c22646174615f6f666673657473223a5b382c385d7d2c22776569676874223a7b226474797065223a22463332222c227368617065223a5b322c325d2c22646174615f6f666673657473223a5b382c32345d7d2c227374657073223a7b226474797065223a22493332222c227368617065223a5b335d2c22646174615f6f666673657473223a5b32342c33365d7d2c226d61736b223a7b226474797065223a22424f4f4c222c227368617065223a5b335d2c22646174615f6f666673657473223a5b33362c33395d7d7d2020000000000000c03f0000c03f000000c0000050400000000007000000ffffffffffffff7f010001';
const REFERENCE_NO_METADATA =
  '28010000000000007b227363616c65223a7b226474797065223a22463634222c227368617065223a5b5d2c22646174615f6f666673657473223a5b302c385d7d2c22656d707479223a7b226474797065223a22463332222c227368617065223a5b302c335d2c22646174615f6f666673657473223a5b382c385d7d2c22776569676874223a7b226474797065223a22463332222c227368617065223a5b322c325d2c22646174615f6f666673657473223a5b382c32345d7d2c227374657073223a7b226474797065223a22493332222c227368617065223a5b335d2c22646174615f6f666673657473223a5b32342c33365d7d2c226d61736b223a7b226474797065223a22424f4f4c222c227368617065223a5b335d2c22646174615f6f666673657473223a5b33362c33395d7d7d20000000000000c03f0000c03f000000c0000050400000000007000000ffffffffffffff7f010001';

const fromHex = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));

const referenceTensors: TensorMap = {
  weight: { dtype: 'F32', shape: [2, 2], data: Float32Array.from([1.5, -2, 3.25, 0]) },
  steps: { dtype: 'I32', shape: [3], data: Int32Array.from([7, -1, 2147483647]) },
  mask: { dtype: 'BOOL', shape: [3], data: Uint8Array.from([1, 0, 1]) },
  scale: { dtype: 'F64', shape: [], data: Float64Array.from([0.125]) },
  empty: { dtype: 'F32', shape: [0, 3], data: new Float32Array(0) },
};

/** Builds a file by hand: 8-byte LE header length, header text, data. */
function handMade(header: string, data: number[] = []): Uint8Array {
  const headerBytes = Buffer.from(header, 'utf8');
  const out = new Uint8Array(8 + headerBytes.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  out.set(data, 8 + headerBytes.length);
  return out;
}

function problemOf(bytes: Uint8Array): FormatError {
  const result = parseSafetensors(bytes, 'm.safetensors');
  if (result._tag === 'Right') throw new Error('expected a FormatError');
  return result.left;
}

describe('safetensors interoperability', () => {
  it('reads files written by the reference implementation', () => {
    const parsed = parseSafetensors(fromHex(REFERENCE_WITH_METADATA));
    expect(parsed._tag).toBe('Right');
    if (parsed._tag === 'Left') return;
    expect(parsed.right.metadata).toEqual({ format: 'np', note: 'héllo' });
    expect(parsed.right.tensors).toEqual(referenceTensors);
  });

  it('writes byte-identical files to the reference implementation', () => {
    expect(Buffer.from(serializeSafetensors(referenceTensors)).toString('hex')).toBe(REFERENCE_NO_METADATA);
  });

  it('pads the header so the data buffer starts on an 8-byte boundary', () => {
    for (const name of ['a', 'ab', 'abc', 'abcd', 'abcde']) {
      const bytes = serializeSafetensors({ [name]: { dtype: 'F64', shape: [1], data: Float64Array.from([1]) } }, { k: name });
      const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
      expect((8 + n) % 8).toBe(0);
    }
  });

  it('stores complex64 as F32 [..., 2] listed in the metadata and restores it', () => {
    const z = Float32Array.from([1, -1, 0.5, 2, 3, 4]);
    const bytes = serializeSafetensors({ lambda: { dtype: 'C64', shape: [3], data: z } }, { model: 's5' });
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true)))).toString('utf8'));
    expect(header.lambda).toEqual({ dtype: 'F32', shape: [3, 2], data_offsets: [0, 24] });
    expect(header.__metadata__[COMPLEX64_METADATA_KEY]).toBe('["lambda"]');
    const parsed = parseSafetensors(bytes);
    expect(parsed._tag === 'Right' && parsed.right).toEqual({ tensors: { lambda: { dtype: 'C64', shape: [3], data: z } }, metadata: { model: 's5' } });
  });

  it('round-trips through a file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'st-')), 'w.safetensors');
    writeSafetensors(file, referenceTensors, { step: '3' });
    expect(readSafetensors(file)).toEqual({ tensors: referenceTensors, metadata: { step: '3' } });
  });

  it('refuses to write inconsistent tensors', () => {
    expect(() => serializeSafetensors({ x: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } })).toThrow(/needs 4 values, data holds 3/);
    expect(() => serializeSafetensors({ b: { dtype: 'BOOL', shape: [1], data: Uint8Array.from([2]) } })).toThrow(/other than 0 and 1/);
    expect(() => serializeSafetensors({}, { [COMPLEX64_METADATA_KEY]: '[]' })).toThrow(/reserved/);
  });
});

describe('safetensors validation', () => {
  const tensor = '{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';

  it('rejects a header length beyond the file size', () => {
    const bytes = handMade(tensor, new Array(8).fill(0));
    new DataView(bytes.buffer).setBigUint64(0, 10n ** 12n, true);
    expect(problemOf(bytes).message).toMatch(/^m\.safetensors at byte 0: header length runs past the end of the file: expected at most \d+ .*got 1000000000000$/);
    expect(problemOf(bytes.subarray(0, 5))).toMatchObject({ byteOffset: 0, problem: 'file too short for the 8-byte header length' });
  });

  it('rejects bad JSON with the byte offset of the error', () => {
    const e = problemOf(handMade('{"x":{"dtype":"F32",,}}'));
    expect(e.problem).toMatch(/^bad JSON in header/);
    expect(e.byteOffset).toBe(8 + 20);
    expect(problemOf(handMade('[1,2]'))).toMatchObject({ byteOffset: 8, problem: 'header must be a JSON object starting with "{"' });
  });

  it('rejects shape x dtype size mismatches', () => {
    const e = problemOf(handMade('{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', new Array(8).fill(0)));
    expect(e.message).toMatch(/field "x": shape x dtype size mismatch: expected 12 bytes for F32 \[3\], got 8 bytes \[0, 8\)/);
  });

  it('rejects overlapping, out-of-range and hole-leaving offsets', () => {
    const two = (a: string, b: string) => `{"a":{"dtype":"F32","shape":[1],"data_offsets":${a}},"b":{"dtype":"F32","shape":[1],"data_offsets":${b}}}`;
    const header = two('[0,4]', '[2,6]');
    const overlap = problemOf(handMade(header, new Array(8).fill(0)));
    expect(overlap).toMatchObject({ field: 'b', problem: 'overlapping data_offsets' });
    expect(overlap.byteOffset).toBe(8 + Buffer.byteLength(header) + 2);
    expect(problemOf(handMade(tensor, new Array(4).fill(0)))).toMatchObject({ field: 'x', problem: 'tensor data out of range (file truncated?)' });
    expect(problemOf(handMade(two('[0,4]', '[8,12]'), new Array(12).fill(0)))).toMatchObject({ field: 'b', problem: 'hole in the data buffer (bytes not covered by any tensor)' });
    expect(problemOf(handMade(tensor, new Array(12).fill(0))).problem).toBe('trailing bytes not covered by any tensor');
  });

  it('rejects bad entries, dtypes, metadata and BOOL values by field', () => {
    expect(problemOf(handMade('{"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}'))).toMatchObject({ field: 'x.shape[0]', expected: 'a non-negative integer' });
    expect(problemOf(handMade('{"x":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}', [0, 0]))).toMatchObject({ field: 'x.dtype', problem: 'unsupported dtype' });
    expect(problemOf(handMade('{"x":{"dtype":"Q9","shape":[1],"data_offsets":[0,2]}}', [0, 0]))).toMatchObject({ problem: 'unknown dtype' });
    expect(problemOf(handMade('{"__metadata__":{"k":1}}'))).toMatchObject({ field: '__metadata__.k', expected: 'a string' });
    expect(problemOf(handMade('{"b":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}}', [1, 7]))).toMatchObject({ field: 'b', problem: 'BOOL value is not 0 or 1' });
    expect(problemOf(handMade(`{"__metadata__":{"${COMPLEX64_METADATA_KEY}":"[\\"x\\"]"},"x":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}}`, new Array(12).fill(0))).problem).toMatch(/trailing dimension of 2/);
  });

  it('accepts trailing-space padding in the header and a header-only file', () => {
    const parsed = parseSafetensors(handMade('{}      '));
    expect(parsed._tag === 'Right' && parsed.right).toEqual({ tensors: {}, metadata: {} });
  });

  it('names the file when reading from disk', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'st-')), 'bad.safetensors');
    writeFileSync(file, handMade(tensor, [0, 0]));
    expect(() => readSafetensors(file)).toThrow(/bad\.safetensors at byte \d+: field "x": tensor data out of range/);
    expect(() => readSafetensors(join(file, 'missing'))).toThrow(FormatError);
  });
});

describe('safetensors fuzzing', () => {
  const good = serializeSafetensors(
    {
      w: { dtype: 'F32', shape: [3, 2], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
      z: { dtype: 'C64', shape: [2], data: Float32Array.from([1, 2, 3, 4]) },
      i: { dtype: 'I32', shape: [2], data: Int32Array.from([5, 6]) },
      m: { dtype: 'BOOL', shape: [2], data: Uint8Array.from([1, 0]) },
      d: { dtype: 'F64', shape: [1], data: Float64Array.from([Math.PI]) },
    },
    { k: 'v' },
  );

  /** Parsing either succeeds with consistent tensors or reports a FormatError; nothing else. */
  function parsesCleanly(bytes: Uint8Array): boolean {
    const result = parseSafetensors(bytes, 'fuzz');
    if (result._tag === 'Left') return result.left instanceof FormatError && result.left.file === 'fuzz';
    return Object.values(result.right.tensors).every((t) => t.data.length === t.shape.reduce((a, b) => a * b, 1) * (t.dtype === 'C64' ? 2 : 1));
  }

  it('truncations never crash obscurely', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: good.length - 1 }), (cut) => parsesCleanly(good.subarray(0, cut)) && parseSafetensors(good.subarray(0, cut))._tag === 'Left'));
  });

  it('bit flips never crash obscurely', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 4 }), (flips) => {
        const bytes = Uint8Array.from(good);
        for (const [index, bit] of flips) bytes[index] ^= 1 << bit;
        return parsesCleanly(bytes);
      }),
      { numRuns: 500 },
    );
  });

  it('random bytes never crash obscurely', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => parsesCleanly(bytes)), { numRuns: 300 });
  });

  it('a flipped byte inside the data region is read back as data', () => {
    const bytes = Uint8Array.from(good);
    bytes[bytes.length - 9] ^= 0x40; // inside the last (smallest-alignment) tensors' data
    expect(parseSafetensors(bytes)._tag).toBe('Right');
  });
});
