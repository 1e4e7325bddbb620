/**
 * The `ssmjit` command as a real child process, for specs that need signals, exit codes and
 * process limits: src/cli.ts is bundled (as scripts/build.mjs does for dist/cli.js) once per
 * spec file into node_modules/.cache/ssmjit-spec/, next to the external packages it imports,
 * so the specs always run the current source without a separate build step.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import type { Dataset } from '../../src/data/dataset';

const repo = fileURLToPath(new URL('../..', import.meta.url));

let bundle: string | undefined;

/**
 * Path of a fresh bundle of src/cli.ts (built on first use). SSMJIT_SPEC_CLI names another
 * build to run instead (e.g. an older dist/cli.js, to see a regression spec fail before a fix).
 */
export function cliBundle(): string {
  if (process.env.SSMJIT_SPEC_CLI) return process.env.SSMJIT_SPEC_CLI;
  if (bundle !== undefined) return bundle;
  const cache = join(repo, 'node_modules', '.cache', 'ssmjit-spec');
  mkdirSync(cache, { recursive: true });
  const out = join(mkdtempSync(join(cache, 'cli-')), 'cli.mjs');
  buildSync({
    entryPoints: [join(repo, 'src', 'cli.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['gpu.js', 'gl', 'webgpu', 'esbuild'],
    banner: { js: "import { createRequire as __ssmjitCreateRequire } from 'node:module'; const require = __ssmjitCreateRequire(import.meta.url);" },
    logLevel: 'silent',
  });
  bundle = out;
  return out;
}

const running = new Set<ChildProcess>();

/** Ends the processes this file started that still run, and deletes its bundle (call in afterAll). */
export function removeCliBundle(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
  if (bundle !== undefined) rmSync(dirname(bundle), { recursive: true, force: true });
  bundle = undefined;
}

export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

export interface Running {
  readonly child: ChildProcess;
  /** Everything written to standard error so far. */
  stderr(): string;
  /** Resolves when standard error contains `text` (rejects if the process ends first or after `ms`). */
  waitFor(text: string | RegExp, ms?: number): Promise<void>;
  readonly done: Promise<Finished>;
}

/** Starts `ssmjit <args>` (optionally through `sh -c '<prefix>; exec node ...'` for ulimit). */
export function startCli(args: readonly string[], options: { cwd?: string; shellPrefix?: string; env?: NodeJS.ProcessEnv } = {}): Running {
  const began = Date.now();
  const node = [process.execPath, cliBundle(), ...args];
  const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
  const child =
    options.shellPrefix !== undefined
      ? spawn('/bin/sh', ['-c', `${options.shellPrefix}; exec ${node.map(quote).join(' ')}`], { cwd: options.cwd, env: { ...process.env, ...options.env } })
      : spawn(node[0], node.slice(1), { cwd: options.cwd, env: { ...process.env, ...options.env } });
  running.add(child);
  child.on('close', () => running.delete(child));
  let out = '';
  let err = '';
  const watchers: { test: (s: string) => boolean; resolve: () => void }[] = [];
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
    for (const w of [...watchers]) {
      if (w.test(err)) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  const done = new Promise<Finished>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout: out, stderr: err, seconds: (Date.now() - began) / 1000 }));
  });
  return {
    child,
    stderr: () => err,
    done,
    waitFor: (text, ms = 30_000) =>
      new Promise<void>((resolve, reject) => {
        const test = (s: string) => (typeof text === 'string' ? s.includes(text) : text.test(s));
        if (test(err)) return resolve();
        const timer = setTimeout(() => reject(new Error(`no ${String(text)} on standard error after ${ms} ms:\n${err}`)), ms);
        watchers.push({ test, resolve: () => (clearTimeout(timer), resolve()) });
        void done.then((f) => {
          clearTimeout(timer);
          if (!test(err)) reject(new Error(`the process ended (code ${f.code}, signal ${f.signal}) before ${String(text)} appeared:\n${err}`));
        });
      }),
  };
}

/** Runs `ssmjit <args>` to the end. */
export function runCli(args: readonly string[], options: { cwd?: string; shellPrefix?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Finished> {
  return startCli(args, options).done;
}

/** Writes a float-input classification dataset as NDJSON. */
export function writeNdjson(file: string, d: Dataset): void {
  const data = d.inputs.data as Float32Array;
  const labels = d.targets.kind === 'classes' ? d.targets.labels : new Int32Array(d.size);
  const lines = Array.from({ length: d.size }, (_, i) => JSON.stringify({ sequence: Array.from(data.subarray(i * d.seqLen, (i + 1) * d.seqLen)), label: labels[i] }));
  writeFileSync(file, `${lines.join('\n')}\n`);
}
