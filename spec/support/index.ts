/**
 * Shared test support: seeded inputs, reference arrays, a located tolerance comparison, and
 * naive plain-TS references (DFT, scans, matmul, reductions, structural index maps, Threefry).
 */
export * from './refArray';
export * from './seeded';
export * from './compare';
export * as naive from './naive/index';
