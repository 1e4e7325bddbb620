/**
 * The commands for a model written by the user: `ssmjit train --model ./my_model.ts` trains the
 * file's `init`/`apply` (src/usermodel/load.ts) on any task with the run flags (--epochs,
 * --batch-size, --lr, --weight-decay, --clip-norm, --schedule, --warmup, --lr-min, --max-steps,
 * --seed, --jit, --backend, --out, --name, --log-every), writing the run directory of the
 * built-in models (checkpoints, metrics.jsonl, plot.svg); `ssmjit eval` and `ssmjit predict`
 * recognise its checkpoints by their record (the model file's path and SHA-256) and load the
 * file again. A changed model file is a warning; a model whose tensors no longer match the
 * checkpoint is an error naming the tensor. `--resume <dir>/last` continues such a run exactly.
 */
import { withInterrupts } from '../interrupts';
import { basename, join } from 'node:path';
import { loadUserData } from '../../data/userData';
import { writeFileAtomic } from '../../io/atomic';
import { readCheckpoint } from '../../io/checkpoint';
import { FormatError } from '../../io/formatError';
import type { TensorMap } from '../../io/tensor';
import { splitCheckpointPath } from '../../train/checkpointing';
import type { TaskSettings } from '../../train/config';
import { loadTask } from '../../train/tasks';
import { loadModelFile, type ModelInfo } from '../../usermodel/load';
import { type UserTrainOptions, evaluateUserModel, initUserModel, modelInfo, predictUserModel, restoreUserModel, trainUserModel } from '../../usermodel/run';
import type { BackendName } from '../../../kernels/backends';
import type { EvalFlags, PredictFlags } from '../flags';
import { type CliIO, activeBackend, selectBackend, warn } from './shared';
import { taskSettingsOf } from './train';
import { TRAIN_TABLE, type TrainCommandFlags, explicitFlags, freshFlags } from './trainFlags';

/** The `--model` value of a train command line, when given. */
export function modelFlagValue(args: readonly string[]): { value: string; index: number; inline: boolean } | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--model' && i + 1 < args.length) return { value: args[i + 1], index: i + 1, inline: false };
    if (args[i].startsWith('--model=')) return { value: args[i].slice('--model='.length), index: i, inline: true };
  }
  return undefined;
}

/** The settings of a run that a resumed run keeps (all but the directory and its record). */
type TrainSettings = Omit<UserTrainOptions, 'dir' | 'resume' | 'config' | 'progress' | 'log' | 'shouldStop'>;

/** What a user model's checkpoint record holds besides the tensors. */
interface UserRunConfig {
  readonly userModel: { readonly file: string; readonly sha256: string };
  readonly task: TaskSettings;
  readonly seed: number;
  readonly info: ModelInfo;
  readonly execution: 'jit' | 'eager';
  readonly train: TrainSettings;
}

const timestamp = (now: Date): string => now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

/**
 * A fresh run from the flags, or with `--resume <dir>/last` the run of that checkpoint continued
 * in its directory (its settings from the record; an explicit --epochs or --max-steps changes them).
 */
export async function trainUserModelCommand(parsed: TrainCommandFlags, modelPath: string, args: readonly string[], io: CliIO): Promise<number> {
  return withInterrupts(io, (interrupted) => trainUserModelRun(parsed, modelPath, args, io, interrupted));
}

async function trainUserModelRun(parsed: TrainCommandFlags, modelPath: string, args: readonly string[], io: CliIO, interrupted: () => boolean): Promise<number> {
  const loaded = await loadModelFile(modelPath);
  let dir: string;
  let config: UserRunConfig & Record<string, unknown>;
  if (parsed.resume !== undefined) {
    const opened = userModelCheckpoint(parsed.resume);
    const { dir: from, name } = splitCheckpointPath(parsed.resume);
    if (opened === undefined || name !== 'last') {
      throw new FormatError('a model file resumes from the `last` checkpoint of a run of a model file', { file: parsed.resume, field: '--resume', expected: '<run directory>/last' });
    }
    if (opened.config.userModel.sha256 !== loaded.sha256) warn(io, `${loaded.file} is not the file the checkpoint was trained with (its SHA-256 differs)`);
    const explicit = explicitFlags(args, TRAIN_TABLE);
    const train: TrainSettings = {
      ...opened.config.train,
      ...(explicit.has('epochs') ? { epochs: parsed.epochs } : {}),
      ...(explicit.has('maxSteps') && parsed.maxSteps !== undefined ? { maxSteps: parsed.maxSteps } : {}),
    };
    dir = from;
    config = { ...opened.config, train };
    await selectBackend(explicit.has('backend') ? parsed.backend : ((opened.config as { backend?: BackendName }).backend ?? parsed.backend));
  } else {
    const flags = freshFlags(parsed);
    await selectBackend(flags.backend);
    const task = taskSettingsOf(flags);
    const execution = flags.jit ? 'jit' : 'eager';
    const train: TrainSettings = {
      batchSize: flags.batchSize,
      epochs: flags.epochs,
      lr: flags.lr,
      weightDecay: flags.weightDecay,
      clipNorm: flags.clipNorm,
      decay: flags.schedule,
      warmupEpochs: flags.warmup,
      lrMin: flags.lrMin,
      seed: flags.seed,
      execution,
      logEvery: flags.logEvery,
      ...(flags.maxSteps !== undefined ? { maxSteps: flags.maxSteps } : {}),
    };
    config = {
      userModel: { file: loaded.file, sha256: loaded.sha256 },
      task,
      seed: flags.seed,
      info: modelInfo(loadTask(task, flags.seed).train),
      execution,
      train,
      ...(execution === 'jit' ? { backend: await activeBackend() } : {}),
    };
    dir = join(flags.out, flags.name ?? `${flags.task}-${basename(loaded.file).replace(/\.[^.]+$/, '')}-${timestamp(new Date())}`);
  }
  const data = loadTask(config.task, config.seed);
  const result = await trainUserModel(loaded, data, {
    ...config.train,
    dir,
    resume: parsed.resume !== undefined,
    config,
    shouldStop: interrupted,
    progress: parsed.quiet ? false : io.stderr,
    log: (line) => {
      if (!parsed.quiet) io.stderr.write(`${line}\n`);
    },
  });
  if (result.reason === 'diverged') {
    io.stderr.write(`error: ${result.message ?? 'training diverged'}\n`);
    return 1;
  }
  if (result.reason === 'interrupted') {
    io.stderr.write(`interrupted at step ${result.step}; resume with: ssmjit train --model ${modelPath} --resume ${join(dir, 'last')}\n`);
    return 130;
  }
  const best = result.bestValLoss !== undefined ? `; best validation loss ${result.bestValLoss.toFixed(4)}` : '';
  io.stdout.write(`trained ${result.step} steps (${result.reason})${best}; checkpoints in ${dir}\n`);
  return 0;
}

/** The record of a user model's checkpoint, or undefined for a built-in model's (or an unreadable file: the built-in path reports it). */
export function userModelCheckpoint(path: string): { config: UserRunConfig; tensors: TensorMap; file: string; notes: readonly string[] } | undefined {
  const { dir, name } = splitCheckpointPath(path);
  const read = readCheckpoint(dir, name);
  if (read._tag === 'Left') return undefined;
  const fit = read.right.config.fit as Partial<UserRunConfig> | undefined;
  if (typeof fit !== 'object' || fit === null || fit.userModel === undefined) return undefined;
  return { config: fit as UserRunConfig, tensors: read.right.tensors, file: join(dir, `${name}.safetensors`), notes: read.right.notes };
}

async function restore(opened: NonNullable<ReturnType<typeof userModelCheckpoint>>, io: CliIO) {
  for (const note of opened.notes) warn(io, note);
  const loaded = await loadModelFile(opened.config.userModel.file);
  if (loaded.sha256 !== opened.config.userModel.sha256) warn(io, `${loaded.file} changed since the checkpoint was written (its SHA-256 differs)`);
  const templates = initUserModel(loaded, opened.config.info, opened.config.seed);
  return { loaded, ...restoreUserModel(opened.tensors, templates, opened.file) };
}

export async function evalUserModelCommand(opened: NonNullable<ReturnType<typeof userModelCheckpoint>>, flags: EvalFlags, io: CliIO): Promise<number> {
  await selectBackend(flags.backend);
  const { loaded, params, state } = await restore(opened, io);
  const data = loadTask(opened.config.task, opened.config.seed);
  const dataset = flags.split === 'val' ? data.val : data.test;
  if (dataset === undefined) throw new FormatError('there is no test split for this task', { file: 'command line', field: '--test-data', expected: 'a test file, or --split val' });
  const scores = await evaluateUserModel(loaded.model, opened.config.info, loaded.file, params, state, dataset, flags.batchSize);
  const accuracy = scores.accuracy !== undefined ? `, accuracy ${(100 * scores.accuracy).toFixed(2)}%` : '';
  io.stdout.write(`${flags.split}: loss ${scores.loss.toFixed(4)}${accuracy} (${scores.examples} examples of ${dataset.name})\n`);
  return 0;
}

export async function predictUserModelCommand(opened: NonNullable<ReturnType<typeof userModelCheckpoint>>, flags: PredictFlags, io: CliIO): Promise<number> {
  await selectBackend(flags.backend);
  const { loaded, params, state } = await restore(opened, io);
  const info = opened.config.info;
  const classes = info.head.kind === 'classification' ? info.head.nClasses : undefined;
  const dataset = loadUserData(flags.input, { channels: flags.channels, ...(classes !== undefined ? { numClasses: classes } : {}) });
  if (dataset.inputs.kind !== info.inputKind || (dataset.inputs.kind === 'float' && dataset.inputs.channels !== info.dInput)) {
    throw new FormatError('input sequences do not fit the model', { file: flags.input, field: 'sequence', expected: `${info.dInput} value(s) per time step` });
  }
  const rows = await predictUserModel(loaded.model, info, loaded.file, params, state, dataset, flags.batchSize);
  const lines = rows.map((row, index) => {
    const values = Array.from(row);
    if (classes !== undefined) {
      let label = 0;
      for (let k = 1; k < values.length; k++) if (values[k] > values[label]) label = k;
      return JSON.stringify({ index, label, probabilities: values.map((v) => Number(Math.exp(v).toPrecision(6))) });
    }
    return JSON.stringify({ index, prediction: values });
  });
  const text = lines.length > 0 ? `${lines.join('\n')}\n` : '';
  if (flags.output === '-') io.stdout.write(text);
  else writeFileAtomic(flags.output, text);
  return 0;
}
