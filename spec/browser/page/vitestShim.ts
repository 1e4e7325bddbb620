/**
 * Stands in for `vitest` in the browser page bundle: the shared spec modules (oracle.ts,
 * knownDefects.ts) import it for their vitest-only helpers, which the page never calls.
 */
const absent = (name: string) => () => {
  throw new Error(`vitest's ${name} is not available in the browser page`);
};
export const expect = Object.assign(absent('expect'), { fail: absent('expect.fail') });
export const it = Object.assign(absent('it'), { fails: absent('it.fails') });
export const describe = absent('describe');
