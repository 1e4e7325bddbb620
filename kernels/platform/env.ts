/**
 * Environment switches (SSMJIT_BACKEND, SSMJIT_THREADS, SSMJIT_PROFILE, ...): the one place the
 * library reads them. Under Node they come from `process.env`; in a browser there is no process
 * and every switch reads as unset. Nothing here touches `process` at module load.
 */

type EnvHolder = { process?: { env?: Record<string, string | undefined> } };

/** The value of environment variable `name`, or undefined (always undefined in a browser). */
export function envVar(name: string): string | undefined {
  const env = (globalThis as EnvHolder).process?.env;
  return env === undefined ? undefined : env[name];
}

/** A read-only view of the environment (empty in a browser). */
export function environment(): Readonly<Record<string, string | undefined>> {
  return (globalThis as EnvHolder).process?.env ?? {};
}
