/**
 * ssmjit: a functional array DSL with a compile-to-kernel JIT for state-space sequence models.
 * `import * as T from 'ssmjit'` gives tensors, ops (data-first and data-last for fp-ts pipe),
 * tracing, PRNG keys and parameter trees.
 *
 * @module ssmjit
 */
export * from './ops/creation';
export * from './ops/elementwise';
export * from './ops/structural';
export * from './ops/reductions';
export * from './ops/linalg';
export * from './ops/scans';
export * from './ops/fft';
export * from './ops/special';
export { broadcastShapes } from '../compiler/shape';
export type { DType } from '../compiler/dtype';
export type { Shape } from '../compiler/shape';
export { ShapeDtypeError } from '../compiler/errors';
export { Tensor, type Complex } from './tensor';
export { makeIR, spec, checked, type ShapeSpec, type TracedProgram } from './trace';
export * as random from './random';
export * as tree from './pytree';
export { printIR } from '../compiler/printer';
export { typecheck } from '../compiler/typecheck';
export { grad, valueAndGrad, vjp, jvp, type GradOptions } from './autodiff';
export { stopGradient } from './stopGradient';
export { customJvp, customVjp } from './customRules';
export { checkpoint } from './checkpoint';
export { vmap, type VmapOptions, type AxisSpec } from './vmap';
export { jit, isJitted, deviceGet, releaseDevice, type Jitted, type JitOptions, type Lowered } from './jit';
export { setBackend, currentBackend, availableBackends } from './backend';
export { pipe, flow } from 'fp-ts/function';
