/**
 * Threefry-2x32 written from the Random123 specification (Salmon, Moraes, Dror, Shaw,
 * "Parallel random numbers: as easy as 1, 2, 3", SC 2011), round by round: each round is
 * x0 += x1; x1 = rotl(x1, R[r mod 8]) ^ x0, and after every 4th round the key schedule
 * ks[s], ks[s+1] + s is injected (ks[2] = k0 ^ k1 ^ 0x1BD11BDA). Used as an independent
 * oracle for the library's random bits.
 */

const ROTATION_CONSTANTS = [13, 15, 26, 6, 17, 29, 16, 24];
const SKEIN_PARITY = 0x1bd11bda;

const u32 = (x: number): number => x >>> 0;
const rotateLeft = (x: number, r: number): number => u32((x << r) | (x >>> (32 - r)));

/** The two output words (unsigned) of Threefry-2x32 with `rounds` rounds. */
export function threefry2x32Reference(key: readonly [number, number], counter: readonly [number, number], rounds = 20): [number, number] {
  const ks = [u32(key[0]), u32(key[1]), u32(SKEIN_PARITY ^ key[0] ^ key[1])];
  let x0 = u32(counter[0] + ks[0]);
  let x1 = u32(counter[1] + ks[1]);
  for (let r = 0; r < rounds; r++) {
    x0 = u32(x0 + x1);
    x1 = u32(rotateLeft(x1, ROTATION_CONSTANTS[r % 8]) ^ x0);
    if (r % 4 === 3) {
      const s = (r + 1) / 4;
      x0 = u32(x0 + ks[s % 3]);
      x1 = u32(x1 + ks[(s + 1) % 3] + s);
    }
  }
  return [x0, x1];
}

/** The signed 32-bit view of an unsigned word. */
export const asInt32 = (x: number): number => x | 0;
