/**
 * Images as pixel sequences (sMNIST, psMNIST, sequential Fashion-MNIST).
 *
 * A 28x28 grey image becomes a 784 x 1 sequence in raster order (row by row), with pixel
 * values byte/255 in [0, 1] and no normalisation (as torchvision's ToTensor, used by S5).
 * The permuted variant reorders the steps by the bit-reversal permutation used by S4/S5: the
 * 10-bit bit-reversal of 0..1023, keeping entries below 784, in order.
 */
import { Dataset } from './dataset';

export const IMAGE_SIDE = 28;
export const IMAGE_PIXELS = IMAGE_SIDE * IMAGE_SIDE;

/** Reverses the lowest `bits` bits of k. */
export function reverseBits(k: number, bits: number): number {
  let reversed = 0;
  for (let b = 0; b < bits; b++) reversed |= ((k >> b) & 1) << (bits - 1 - b);
  return reversed;
}

/**
 * The bit-reversal permutation of 0..length-1: bit-reverse 0..2^bits-1 (bits = the smallest
 * width with 2^bits >= length) and keep the entries below `length`, in order.
 * For length 784 this is the psMNIST permutation (bits = 10).
 */
export function bitReversalPermutation(length: number): Int32Array {
  if (!Number.isSafeInteger(length) || length < 1) throw new RangeError(`bitReversalPermutation: length must be a positive integer, got ${length}`);
  const bits = Math.max(1, Math.ceil(Math.log2(length)));
  const permutation = new Int32Array(length);
  let next = 0;
  for (let k = 0; k < 1 << bits; k++) {
    const r = reverseBits(k, bits);
    if (r < length) permutation[next++] = r;
  }
  return permutation;
}

export interface ImageSet {
  /** count * 784 pixel bytes (0..255), raster order. */
  readonly pixels: Uint8Array;
  /** count labels in 0..9. */
  readonly labels: Int32Array;
  readonly count: number;
}

/**
 * Converts an ImageSet into a classification Dataset of [N, 784, 1] sequences.
 * With `permutation`, step t of the sequence is pixel permutation[t].
 */
export function imageSequenceDataset(name: string, images: ImageSet, permutation?: Int32Array): Dataset {
  const { pixels, labels, count } = images;
  const data = new Float32Array(count * IMAGE_PIXELS);
  for (let n = 0; n < count; n++) {
    const base = n * IMAGE_PIXELS;
    for (let t = 0; t < IMAGE_PIXELS; t++) {
      const source = permutation === undefined ? t : permutation[t];
      data[base + t] = pixels[base + source] / 255;
    }
  }
  return {
    name,
    size: count,
    seqLen: IMAGE_PIXELS,
    inputs: { kind: 'float', data, channels: 1 },
    targets: { kind: 'classes', labels: Int32Array.from(labels), numClasses: 10 },
  };
}
