/**
 * Source sites of traced equations: where in the user's code a primitive was applied, so a
 * kernel can say which lines it computes (`jit(f).lower()`, the SSMJIT_PROFILE=1 table).
 *
 * Capturing is cheap: V8 records the stack's frames when a site is taken and formats them only
 * when `.stack` is first read, which happens only when a site is shown. The shown line is the
 * first frame outside ssmjit's own code (compiler/, src/, kernels/, dist/) and its
 * dependencies, as `file:line` relative to the working directory.
 */

/** An object whose `stack` (formatted on first read) holds the frames of a primitive's application. */
export interface Site {
  readonly stack?: string;
}

/** Frames deep enough to get from bind() through composite ops to the user's call. */
const FRAMES = 32;

type CaptureStackTrace = (target: object, constructorOpt?: (...args: never[]) => unknown) => void;

export function captureSite(): Site {
  const E = Error as unknown as { captureStackTrace?: CaptureStackTrace; stackTraceLimit?: number };
  const limit = E.stackTraceLimit;
  E.stackTraceLimit = FRAMES;
  try {
    if (E.captureStackTrace) {
      const site: { stack?: string } = {};
      E.captureStackTrace(site, captureSite);
      return site;
    }
    return new Error();
  } finally {
    E.stackTraceLimit = limit;
  }
}

const INTERNAL_FRAME = /[\\/](compiler|src|kernels)[\\/].*\.(ts|js)|[\\/]dist[\\/]|node:internal|node_modules|\(<anonymous>\)|\(native\)|^\s*Error\s*$|^\s*$/;
const LOCATION = /\(?((?:file:\/\/)?[^()\s]+?):(\d+):\d+\)?\s*$/;

const cwd = (): string => (globalThis as { process?: { cwd?: () => string } }).process?.cwd?.() ?? '';

const lines = new WeakMap<Site, string | undefined>();

/** The user's `file:line` of a site, or undefined when no frame is outside ssmjit (memoised). */
export function siteLine(site: Site | undefined): string | undefined {
  if (!site) return undefined;
  if (lines.has(site)) return lines.get(site);
  const line = userLine(site.stack);
  lines.set(site, line);
  return line;
}

function userLine(stack: string | undefined): string | undefined {
  if (!stack) return undefined;
  for (const frame of stack.split('\n')) {
    if (INTERNAL_FRAME.test(frame)) continue;
    const m = LOCATION.exec(frame);
    if (!m) continue;
    let file = m[1].replace(/^file:\/\//, '');
    const root = cwd();
    if (root && file.startsWith(root + '/')) file = file.slice(root.length + 1);
    return `${file}:${m[2]}`;
  }
  return undefined;
}
