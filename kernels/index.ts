/**
 * Public surface of the kernel layer: backend management, kernel plans and
 * their runtime, operands/epilogues (the fusion hooks), and the templates.
 */
export * from './backends';
export * from './plan';
export * from './operand';
export * from './runtime';
export { assertCallerIdentifier, balancedSum, f32, int, product, rowMajorOffset, stridesOf, unravel, type Shape } from './source';
export * from './templates/elementwise';
export * from './templates/associative-scan';
export * from './templates/linear-recurrence';
export * from './templates/cumulative-sum';
export * from './templates/reduce';
export * from './templates/fft';
export * from './templates/fft-stockham';
export * from './templates/fft-bluestein';
export * from './templates/fft-real';
export { bluesteinFilterSpectrum, chirp, fftRadix2InPlace, isPowerOfTwo, nextPowerOfTwo, twiddles } from './templates/fft-tables';
export * from './templates/matmul';
export * from './templates/transpose';
export * from './templates/gather';
