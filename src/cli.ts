#!/usr/bin/env node
/**
 * The `ssmjit` executable (bundled to dist/cli.js; esbuild keeps the shebang line): runs src/cli/main.ts on the process
 * arguments and exits with its status.
 */
import { main } from './cli/main';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
