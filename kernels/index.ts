/**
 * Public surface of the kernel layer: backend management, kernel plans and their runtime, the
 * operands the jit's gpu.js lowering reads through, the gpu.js source helpers, and the FFT host
 * tables.
 */
export * from './backends';
export * from './plan';
export * from './operand';
export * from './runtime';
export { assertCallerIdentifier, literal, product, stridesOf, type Shape } from './source';
export { bluesteinFilterSpectrum, chirp, fftRadix2InPlace, isPowerOfTwo, nextPowerOfTwo, stockhamRadices, twiddles } from './fft-tables';
