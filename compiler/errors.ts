/**
 * Errors raised while tracing and checking programs. A ShapeDtypeError names the op, the
 * operand shapes and dtypes, and the user's call site (the first stack frame outside ssmjit).
 */
import type { AVal } from './ir';
import { showShape } from './shape';

export const showAVal = (a: AVal): string => `${a.dtype}${showShape(a.shape)}`;

export class ShapeDtypeError extends Error {
  override readonly name = 'ShapeDtypeError';
  constructor(
    readonly op: string,
    readonly operands: readonly AVal[],
    readonly reason: string,
    readonly callSite?: string,
  ) {
    super(
      `${op}: ${reason} (operands: ${operands.map(showAVal).join(', ') || 'none'})` +
        (callSite ? `\n    at ${callSite}` : ''),
    );
  }
}

/** Thrown by shape rules; the tracer re-raises it as a ShapeDtypeError with context. */
export class RuleError extends Error {
  override readonly name = 'RuleError';
}

export function check(cond: boolean, reason: string | (() => string)): asserts cond {
  if (!cond) throw new RuleError(typeof reason === 'string' ? reason : reason());
}

const INTERNAL_FRAME = /[\\/](compiler|src|kernels)[\\/].*\.(ts|js)|[\\/]dist[\\/]|node:internal|node_modules|\(<anonymous>\)|\(native\)/;

/** The first frame of the current stack that is not ssmjit's own code (or vitest's). */
export function userCallSite(): string | undefined {
  const stack = new Error().stack?.split('\n').slice(2) ?? [];
  for (const line of stack) {
    if (!INTERNAL_FRAME.test(line)) return line.trim().replace(/^at /, '');
  }
  return undefined;
}
