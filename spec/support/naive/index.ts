/**
 * Naive references, written independently of the library's interpreter.
 */
export * from './scalar';
export * from './structural';
export * from './reductions';
export * from './scans';
export * from './dft';
export * from './threefry';
