/**
 * The backends the jit specs run on: every gpu.js backend that `detectBackends` finds in this
 * process (SSMJIT_BACKENDS restricts the list). A backend that is unavailable gets a skipped
 * block whose name says why; one that SSMJIT_REQUIRE_BACKENDS names gets a failing test
 * instead, so a CI machine that lost its webgpu or headless-gl setup goes red rather than
 * quietly testing less. Each spec file prints one line saying which backends ran.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type BackendName, type BackendStatus, detectBackends, parseBackendList, releaseBackends } from '../../kernels/backends';

const REQUIRE = 'SSMJIT_REQUIRE_BACKENDS';

/**
 * Probes the backends. detectBackends throws when a required backend is missing; the probe is
 * then repeated with the requirement lifted, so the available backends still run and each
 * missing one becomes a failing test below.
 */
async function probeBackends(): Promise<BackendStatus[]> {
  try {
    return await detectBackends();
  } catch (e) {
    const required = process.env[REQUIRE];
    if (required === undefined) throw e;
    delete process.env[REQUIRE];
    try {
      return await detectBackends();
    } finally {
      process.env[REQUIRE] = required;
    }
  }
}

export const BACKEND_STATUSES: readonly BackendStatus[] = await probeBackends();
const REQUIRED: readonly BackendName[] = parseBackendList(REQUIRE, process.env[REQUIRE]) ?? [];

/** Names of the backends the specs run on, in detection order. */
export const JIT_BACKENDS: readonly BackendName[] = BACKEND_STATUSES.filter((s) => s.available).map((s) => s.name);

/** Backends whose shader compilers are slow (a few tens of ms per kernel): random-program runs use fewer programs there. */
export const isSlowCompiler = (b: BackendName): boolean => b === 'webgpu' || b === 'headlessgl' || b === 'webgl2' || b === 'webgl';

/** One line: which backends the suite runs on, which are skipped and why. */
export function backendSummary(suite: string): string {
  const ran = JIT_BACKENDS.join(', ') || 'none';
  const skipped = BACKEND_STATUSES.filter((s) => !s.available).map((s) => `${s.name} (${s.reason})`);
  return `${suite}: backends ran: ${ran}; skipped: ${skipped.length ? skipped.join('; ') : 'none'}`;
}

let summaryRegistered = false;

/**
 * Registers `body` once per backend, each inside `describe("<title> [<backend>]")`. Unavailable
 * backends appear as skipped blocks named with the reason, or as a failing test when required.
 * Also prints the backend summary once per file and releases the backends after the file.
 */
export function describeEachBackend(title: string, body: (backend: BackendName) => void): void {
  if (!summaryRegistered) {
    summaryRegistered = true;
    beforeAll(() => console.log(backendSummary(title)));
    afterAll(releaseBackends);
  }
  for (const status of BACKEND_STATUSES) {
    const name = status.name;
    if (!status.available && REQUIRED.includes(name)) {
      describe(`${title} [${name}] (required by ${REQUIRE}, unavailable: ${status.reason})`, () => {
        it(`${name} is available`, () => {
          throw new Error(`${REQUIRE}=${process.env[REQUIRE]} names '${name}', which is unavailable: ${status.reason}`);
        });
      });
      continue;
    }
    const label = status.available ? `${title} [${name}]` : `${title} [${name}] (unavailable: ${status.reason})`;
    describe.skipIf(!status.available)(label, () => body(name));
  }
}
