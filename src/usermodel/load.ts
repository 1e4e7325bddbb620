/**
 * Loading a user's model file (`ssmjit train --model ./my_model.ts`): the file is bundled with
 * esbuild on the fly (TypeScript or JavaScript, its own imports included), and its imports of
 * `ssmjit` and `ssmjit/<subpath>` are bound to the library that is running, so its tensors,
 * traces and jit are the ones the command uses (one copy of the library, whatever way the
 * command was started). The module must export `init` and `apply` (see UserModel).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as T from '../index';
import * as data from '../api/data';
import * as nn from '../api/nn';
import * as optim from '../api/optim';
import * as train from '../api/train';
import { FormatError } from '../io/formatError';

/** What the data says about the model: its inputs and its head. */
export interface ModelInfo {
  /** 'float': inputs f32[B, L, dInput]; 'tokens': i32[B, L] ids below dInput. */
  readonly inputKind: 'float' | 'tokens';
  readonly dInput: number;
  readonly seqLen: number;
  /** classification: outputs are log-probabilities f32[B, nClasses]; regression: values f32[B, dOutput]. */
  readonly head: { readonly kind: 'classification'; readonly nClasses: number } | { readonly kind: 'regression'; readonly dOutput: number };
}

export interface ApplyContext {
  /** Training (dropout, batch statistics) or evaluation. */
  readonly train: boolean;
  /** A fresh PRNG key per training step (absent in evaluation). */
  readonly key?: T.random.Key;
  /** Real lengths i32[B] of padded sequences (tasks with variable lengths). */
  readonly lengths?: T.Tensor<'i32'>;
  /** The task's inputs and head, as given to init. */
  readonly info: ModelInfo;
}

/** The exports of a model file. `state` (e.g. BatchNorm statistics) is optional: {} when absent. */
export interface UserModel<P = unknown, S = unknown> {
  init(key: T.random.Key, info: ModelInfo): { readonly params: P; readonly state?: S };
  apply(params: P, state: S, inputs: T.Tensor, context: ApplyContext): T.Tensor<'f32'> | { readonly outputs: T.Tensor<'f32'>; readonly state?: S };
}

export interface LoadedModel {
  readonly model: UserModel;
  /** The absolute path of the file. */
  readonly file: string;
  /** SHA-256 of the file's text (recorded in checkpoints). */
  readonly sha256: string;
}

const LIBRARY = Symbol.for('ssmjit.library');
const MODULES: Readonly<Record<string, Record<string, unknown>>> = { ssmjit: T, 'ssmjit/nn': nn, 'ssmjit/optim': optim, 'ssmjit/train': train, 'ssmjit/data': data };

/** The source of the virtual module standing for `ssmjit` or one of its subpaths. */
function libraryModule(specifier: string): string {
  const names = Object.keys(MODULES[specifier]).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== 'default');
  return `const m = globalThis[Symbol.for('ssmjit.library')][${JSON.stringify(specifier)}];\nexport const { ${names.join(', ')} } = m;\nexport default m;\n`;
}

/** Bundles and imports the model file; errors name the file and what is missing. */
export async function loadModelFile(path: string): Promise<LoadedModel> {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new FormatError(`cannot read the model file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { file: path, field: '--model' });
  }
  const esbuild = await import('esbuild');
  (globalThis as Record<symbol, unknown>)[LIBRARY] = MODULES;
  const result = await esbuild.build({
    entryPoints: [file],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
    plugins: [
      {
        name: 'ssmjit-library',
        setup(build) {
          build.onResolve({ filter: /^ssmjit(\/(nn|optim|train|data))?$/ }, (args) => ({ path: args.path, namespace: 'ssmjit-library' }));
          build.onLoad({ filter: /.*/, namespace: 'ssmjit-library' }, (args) => ({ contents: libraryModule(args.path), loader: 'js' }));
        },
      },
    ],
  }).catch((err: { errors?: { text: string; location?: { line: number } | null }[] }) => {
    const first = err.errors?.[0];
    throw new FormatError(`the model file does not build: ${first?.text ?? String(err)}`, { file: path, ...(first?.location ? { line: first.location.line } : {}) });
  });
  const dir = mkdtempSync(join(tmpdir(), 'ssmjit-model-'));
  let mod: Record<string, unknown>;
  try {
    const out = join(dir, 'model.mjs');
    writeFileSync(out, result.outputFiles[0].text);
    mod = (await import(pathToFileURL(out).href)) as Record<string, unknown>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  for (const name of ['init', 'apply']) {
    if (typeof mod[name] !== 'function') {
      throw new FormatError(`the model file must export a function \`${name}\``, {
        file: path,
        expected: 'export function init(key, info) { return { params, state? } } and export function apply(params, state, inputs, context)',
        actual: `exports: ${Object.keys(mod).join(', ') || 'none'}`,
      });
    }
  }
  return { model: mod as unknown as UserModel, file, sha256: createHash('sha256').update(text).digest('hex') };
}

/** `--model` values that name a file rather than a built-in layer. */
export const isModelFile = (value: string): boolean => /[\\/]/.test(value) || /\.(m?[jt]s|cjs|mts|cts)$/.test(value);
