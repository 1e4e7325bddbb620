/**
 * Tensor: the value users compute with. The class lives in the compiler (compiler/tensor.ts),
 * whose tracer creates tracers of it; this module is its user-facing name.
 */
export * from '../compiler/tensor';
