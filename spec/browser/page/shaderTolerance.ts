/**
 * The one tolerance the browser widens: sin and cos in shaders on SwiftShader. Chromium
 * without a GPU runs WebGL and WebGPU on SwiftShader, whose GLSL/WGSL sin and cos are
 * approximations: measured in Chromium 156 over the primitive and VJP tables, the worst
 * normalised error was 1.4e-4 (cos of 3x, x normal) and 1.0e-4 (sin's VJP), on webgl2, webgl
 * and webgpu alike — far outside the transcendental class (1e-5) that cpu, webasm and wasm meet
 * in the same page (7e-8). Only those two primitives on the shader backends get a bound, 1e-3
 * absolute (seven times the worst seen); everything else keeps its documented class.
 */
import type { Prim } from '../../../compiler/primitives';
import type { BackendName } from '../../../kernels/backends';
import type { JitTolerance } from '../../jit/tolerances';

/** sin and cos, and the table entries whose cases compute them (custom_vjp: x·sin x; checkpoint: sin a). */
export const SHADER_TRIG: ReadonlySet<Prim> = new Set<Prim>(['sin', 'cos', 'custom_vjp', 'checkpoint']);

/** atol for sin/cos on webgl2, webgl and webgpu in the browser (measured: see above and docs/browser.md). */
export const SHADER_TRIG_ATOL = 1e-3;

const SHADER_BACKENDS: ReadonlySet<BackendName> = new Set<BackendName>(['webgl2', 'webgl', 'webgpu']);

export function shaderTolerance(backend: BackendName, tol: JitTolerance): JitTolerance {
  return SHADER_BACKENDS.has(backend) ? { ...tol, atol: Math.max(tol.atol, SHADER_TRIG_ATOL) } : tol;
}
