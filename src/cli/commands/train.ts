/**
 * `ssmjit train`: flags -> run config -> datasets -> model -> training loop, with a run
 * directory `<out>/<name>/` (run.lock, metrics.jsonl, plot.svg, last/best checkpoints).
 *
 * `--resume <dir>/last` continues a saved run in its directory (settings come from the
 * checkpoint, the metrics and checkpoint intervals included; an explicit --epochs, --max-steps,
 * --log-every or --checkpoint-every changes them; the backend is the one the run was trained on
 * unless --backend is given). Resuming from any other checkpoint (e.g.
 * `<dir>/best`), or with --name/--out, branches: the run continues in a new directory
 * (`<dir>-from-best-step<n>` by default) that starts with the metrics up to the checkpoint's
 * step, so the original run's `last` is never overwritten.
 *
 * A run holds its directory's lock; a second run into the same directory is refused naming the
 * process. Ctrl-C (SIGINT) stops after the current step, saves a resumable `last` and exits
 * 130; a second Ctrl-C exits at once (every saved file is replaced atomically, so none is left
 * half written).
 *
 * Prints the test score at the best validation epoch on standard output; progress and epoch
 * lines go to standard error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../../io/atomic';
import { FormatError } from '../../io/formatError';
import { checkpointPaths, readCheckpoint } from '../../io/checkpoint';
import { rollbackMetrics } from '../../io/metrics';
import { acquireRunLock } from '../../io/runLock';
import { type RunConfig, type TaskSettings } from '../../train/config';
import { type OpenedCheckpoint, openCheckpoint, snapshotOf, splitCheckpointPath, type TrainingSnapshot } from '../../train/checkpointing';
import { modelLimitError } from '../../train/limits';
import { type FitResult, fit, freshSnapshot } from '../../train/loop';
import { BEST_CHECKPOINT, LAST_CHECKPOINT, METRICS_FILE } from '../../train/runFiles';
import { type RunSetup, setupRun } from '../../train/setup';
import { type TaskData, dataModelMismatch, dataShape, ignoredDataSettings, loadTask } from '../../train/tasks';
import { kebabCase } from '../argv';
import { flagForModelField, modelConfigFromFlags } from '../modelFlags';
import { formatDuration } from '../progress';
import { withInterrupts } from '../interrupts';
import { type CliIO, activeBackend, selectBackend, selectBackendFor, warn } from './shared';
import { type FreshTrainFlags, type TrainCommandFlags, TRAIN_TABLE, explicitFlags, freshFlags, withPreset } from './trainFlags';

export function taskSettingsOf(flags: Pick<FreshTrainFlags, 'task' | 'channels' | 'valFraction' | 'seqLen' | 'data' | 'valData' | 'testData' | 'nTrain' | 'nVal' | 'nTest' | 'minLength' | 'maxLength'>): TaskSettings {
  const optional = { data: flags.data, valData: flags.valData, testData: flags.testData, nTrain: flags.nTrain, nVal: flags.nVal, nTest: flags.nTest, minLength: flags.minLength, maxLength: flags.maxLength };
  return {
    name: flags.task,
    channels: flags.channels,
    valFraction: flags.valFraction,
    seqLen: flags.seqLen,
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
  };
}

/** The run config of fresh training from flags (presets already applied) and the loaded data. */
export function runConfigOf(flags: FreshTrainFlags, data: TaskData): RunConfig {
  const model = modelConfigFromFlags(flags, dataShape(data.train));
  if (model._tag === 'Left') throw model.left;
  const tooLarge = modelLimitError(model.right);
  if (tooLarge !== undefined) {
    const fromData = tooLarge.field !== undefined && /^(dInput|head)/.test(tooLarge.field);
    throw new FormatError(tooLarge.problem, {
      file: fromData ? 'dataset' : 'command line',
      field: tooLarge.field === undefined ? undefined : fromData ? tooLarge.field : flagForModelField(tooLarge.field),
      expected: tooLarge.expected,
      actual: tooLarge.actual,
    });
  }
  return {
    task: taskSettingsOf(flags),
    model: model.right,
    optim: {
      lr: flags.lr,
      ssmLr: flags.ssmLr,
      weightDecay: flags.weightDecay,
      optConfig: flags.optConfig,
      dtGlobal: flags.dtGlobal,
      epochs: flags.epochs,
      batchSize: flags.batchSize,
      warmupEpochs: flags.warmup,
      decay: flags.schedule,
      lrMin: flags.lrMin,
      clipNorm: flags.clipNorm,
      s5Quirks: flags.s5Schedule,
      ...(flags.maxSteps !== undefined ? { maxSteps: flags.maxSteps } : {}),
    },
    seed: flags.seed,
    execution: flags.jit ? 'jit' : 'eager',
  };
}

const timestamp = (now: Date): string => now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

interface Prepared {
  readonly config: RunConfig;
  readonly data: TaskData;
  /** The run directory this segment writes. */
  readonly dir: string;
  readonly start: (setup: RunSetup) => TrainingSnapshot;
  readonly resumedFrom?: OpenedCheckpoint;
  /** A resumed run continuing in a new directory: the directory it came from. */
  readonly branchedFrom?: string;
  readonly warnings: readonly string[];
}

async function prepareFresh(flags: FreshTrainFlags, explicit: ReadonlySet<string>): Promise<Prepared> {
  const warnings: string[] = [];
  const ignored = ignoredDataSettings(flags.task, explicit);
  if (ignored.length > 0) warnings.push(`${ignored.map((k) => `--${kebabCase(k)}`).join(', ')} ${ignored.length === 1 ? 'does' : 'do'} not apply to task ${flags.task} and ${ignored.length === 1 ? 'is' : 'are'} ignored`);
  await selectBackend(flags.backend);
  const data = loadTask(taskSettingsOf(flags), flags.seed);
  const base: RunConfig = { ...runConfigOf(flags, data), logEvery: flags.logEvery, checkpointEvery: flags.checkpointEvery };
  const config: RunConfig = base.execution === 'jit' ? { ...base, backend: await activeBackend() } : base;
  const dir = join(flags.out, flags.name ?? `${flags.task}-${flags.model}-${timestamp(new Date())}`);
  return { config, data, dir, start: (setup) => freshSnapshot(config, setup), warnings };
}

/** Flags that still apply to a resumed run; every other setting comes from the checkpoint. */
const RESUME_FLAGS = new Set(['resume', 'epochs', 'maxSteps', 'backend', 'quiet', 'logEvery', 'checkpointEvery', 'plot', 'name', 'out']);

/** The explicitly given flags a resumed run does not use (to say so). */
export const ignoredOnResume = (explicit: ReadonlySet<string>): string[] => [...explicit].filter((key) => !RESUME_FLAGS.has(key)).map((key) => `--${kebabCase(key)}`);

/**
 * Where a resumed run writes: `<dir>` itself when resuming `<dir>/last` (without --name/--out),
 * else a new directory: <--out or the parent of dir>/<--name or "<dir>-from-<checkpoint>-step<n>">.
 */
export function resumeDirectory(checkpoint: string, step: number, flags: { name?: string; out: string }, explicit: ReadonlySet<string>): { dir: string; branched: boolean } {
  const source = splitCheckpointPath(checkpoint);
  const sourceName = basename(resolve(source.dir));
  if (source.name === LAST_CHECKPOINT && !explicit.has('name') && !explicit.has('out')) return { dir: source.dir, branched: false };
  const parent = explicit.has('out') ? flags.out : dirname(source.dir);
  const name = explicit.has('name') && flags.name !== undefined ? flags.name : source.name === LAST_CHECKPOINT ? sourceName : `${sourceName}-from-${source.name}-step${step}`;
  const dir = join(parent, name);
  if (resolve(dir) !== resolve(source.dir)) return { dir, branched: true };
  if (source.name === LAST_CHECKPOINT) return { dir: source.dir, branched: false };
  throw new FormatError(`resuming ${checkpoint} in its own run directory would overwrite ${join(source.dir, LAST_CHECKPOINT)}`, {
    file: 'command line',
    field: '--name',
    expected: 'another run name (the resumed run continues in a new directory)',
    actual: JSON.stringify(name),
  });
}

async function prepareResume(flags: TrainCommandFlags, explicit: ReadonlySet<string>, path: string): Promise<Prepared> {
  const opened = openCheckpoint(path);
  const warnings: string[] = [...opened.loaded.notes];
  const backendWarning = await selectBackendFor(opened.config, flags.backend, explicit.has('backend'));
  if (backendWarning !== undefined) warnings.push(backendWarning);
  const optim = {
    ...opened.config.optim,
    ...(explicit.has('epochs') ? { epochs: flags.epochs } : {}),
    ...(explicit.has('maxSteps') && flags.maxSteps !== undefined ? { maxSteps: flags.maxSteps } : {}),
  };
  const config: RunConfig = {
    ...opened.config,
    optim,
    ...(explicit.has('logEvery') ? { logEvery: flags.logEvery } : {}),
    ...(explicit.has('checkpointEvery') ? { checkpointEvery: flags.checkpointEvery } : {}),
  };
  const { model } = config;
  const data = loadTask(config.task, config.seed, model.head.kind === 'classification' ? model.head.nClasses : undefined);
  const mismatch = dataModelMismatch(dataShape(data.train), model);
  if (mismatch !== undefined) throw new FormatError(`the training data no longer fits the model of ${opened.file}`, { file: data.train.name, ...mismatch });
  const { dir, branched } = resumeDirectory(path, opened.loaded.step, { name: flags.name, out: flags.out }, explicit);
  return {
    config,
    data,
    dir,
    start: (setup) => ({ ...snapshotOf(opened, setup.initial), config }),
    resumedFrom: opened,
    ...(branched ? { branchedFrom: splitCheckpointPath(path).dir } : {}),
    warnings,
  };
}

/** Whether a checkpoint's tensors are all finite. */
function finiteCheckpoint(dir: string, name: string): { step: number; epoch?: number } | undefined {
  const loaded = readCheckpoint(dir, name);
  if (loaded._tag === 'Left') return undefined;
  for (const tensor of Object.values(loaded.right.tensors)) {
    if (tensor.dtype !== 'F32' && tensor.dtype !== 'C64' && tensor.dtype !== 'F64') continue;
    for (const v of tensor.data as Float32Array | Float64Array) if (!Number.isFinite(v)) return undefined;
  }
  return { step: loaded.right.step, ...(loaded.right.epoch !== undefined ? { epoch: loaded.right.epoch } : {}) };
}

/** The line naming the last finite checkpoint of a diverged run. */
export function keptCheckpointLine(dir: string): string {
  for (const name of [LAST_CHECKPOINT, BEST_CHECKPOINT]) {
    if (!existsSync(checkpointPaths(dir, name).tensors)) continue;
    const kept = finiteCheckpoint(dir, name);
    if (kept !== undefined) return `the last finite checkpoint is kept: ${join(dir, name)} (step ${kept.step}${kept.epoch !== undefined ? `, epoch ${kept.epoch}` : ''})`;
  }
  return 'no finite checkpoint had been saved yet';
}

function summary(result: FitResult, dir: string, totalSeconds: number): string[] {
  const { history } = result.snapshot;
  const lines: string[] = [];
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  if (history.testAtBest) {
    const test = history.testAtBest;
    const val = history.bestValAccuracy !== undefined ? `validation accuracy ${pct(history.bestValAccuracy)}` : `validation loss ${history.bestValLoss?.toFixed(4)}`;
    lines.push(`test ${test.accuracy !== undefined ? `accuracy ${pct(test.accuracy)}` : `loss ${test.loss.toFixed(4)}`} at the best validation epoch ${history.bestEpoch} (${val})`);
  } else if (history.bestEpoch !== undefined) {
    lines.push(`best validation epoch ${history.bestEpoch}: ${history.bestValAccuracy !== undefined ? `accuracy ${pct(history.bestValAccuracy)}` : `loss ${history.bestValLoss?.toFixed(4)}`} (no test set)`);
  } else {
    lines.push('no epoch completed, so there is no validation or test score yet');
  }
  const timing = [`${formatDuration(totalSeconds)} in all`, `${result.snapshot.step} steps`];
  if (result.secondsPerStep !== undefined) timing.push(`${result.secondsPerStep.toFixed(3)} s/step`);
  if (result.firstStepSeconds !== undefined) timing.push(`first step ${result.firstStepSeconds.toFixed(1)} s`);
  if (result.secondsPerEpoch !== undefined) timing.push(`${formatDuration(result.secondsPerEpoch)}/epoch`);
  lines.push(`time: ${timing.join(', ')}`);
  lines.push(`run directory: ${dir}`);
  return lines;
}

export async function trainCommand(flagsIn: TrainCommandFlags, args: readonly string[], io: CliIO): Promise<number> {
  const began = Date.now();
  return withInterrupts(io, (interrupted) => train(flagsIn, args, io, interrupted, began));
}

async function train(flagsIn: TrainCommandFlags, args: readonly string[], io: CliIO, interrupted: () => boolean, began: number): Promise<number> {
  const explicit = explicitFlags(args, TRAIN_TABLE);
  // Presets apply to fresh runs; a resumed run takes its settings from the checkpoint.
  const fresh = flagsIn.resume === undefined ? withPreset(freshFlags(flagsIn), explicit) : undefined;
  const flags: TrainCommandFlags = fresh ?? flagsIn;
  const say = (line: string) => {
    if (!flags.quiet) io.stderr.write(`${line}\n`);
  };
  const prepared = fresh ? await prepareFresh(fresh, explicit) : await prepareResume(flags, explicit, flags.resume as string);
  for (const line of prepared.warnings) warn(io, line);
  const { config, data, dir } = prepared;

  const lock = acquireRunLock(dir, `ssmjit train ${args.join(' ')}`);
  let result: FitResult;
  try {
    if (lock.stale) say(`removed the lock of process ${lock.stale.pid} (started ${lock.stale.started}), which no longer runs`);
    if (prepared.resumedFrom === undefined || prepared.branchedFrom !== undefined) {
      if (existsSync(checkpointPaths(dir, LAST_CHECKPOINT).tensors)) {
        throw new FormatError('the run directory already holds a checkpoint', {
          file: dir,
          field: '--name',
          expected: `a new run name, or --resume ${join(dir, LAST_CHECKPOINT)} to continue that run`,
        });
      }
      // A run stopped before it ever saved `last` (killed between its first `best` and `last`)
      // cannot be resumed in place; this run starts it again and replaces what it left.
      if (existsSync(checkpointPaths(dir, BEST_CHECKPOINT).tensors)) warn(io, `${dir} holds a best checkpoint but no last one (a run stopped before saving it); starting afresh and replacing it`);
    }
    if (prepared.branchedFrom !== undefined) {
      // The branch starts with the original run's metrics; fit rolls them back to the checkpoint's step.
      const source = join(prepared.branchedFrom, METRICS_FILE);
      if (existsSync(source)) {
        writeFileAtomic(join(dir, METRICS_FILE), readFileSync(source));
        rollbackMetrics(join(dir, METRICS_FILE), prepared.resumedFrom?.loaded.step ?? 0);
      }
    }
    const setup = setupRun(config);
    const start = prepared.start(setup);
    if (prepared.resumedFrom !== undefined) {
      say(`resuming ${prepared.resumedFrom.file} at step ${start.step} (epoch ${start.epoch + 1})`);
      if (prepared.branchedFrom !== undefined) say(`continuing in a new run directory ${dir} (${join(prepared.branchedFrom, LAST_CHECKPOINT)} is left as it is)`);
    } else {
      say(`run directory: ${dir}`);
    }
    const ignored = prepared.resumedFrom ? ignoredOnResume(explicit) : [];
    if (ignored.length > 0) say(`settings come from the checkpoint; ignored: ${ignored.join(' ')}`);
    say(`task ${config.task.name}: ${data.train.size} train / ${data.val.size} validation / ${data.test?.size ?? 0} test examples of length ${data.train.seqLen}`);
    const m = config.model;
    say(`model ${m.ssm.kind}: ${m.nLayers} layer${m.nLayers === 1 ? '' : 's'}, width ${m.dModel}${m.ssm.kind === 's5' ? `, P ${m.ssm.P}, ${m.ssm.blocks} block(s)` : `, N ${m.ssm.N}`}; ` +
      `${config.optim.epochs} epochs of batch ${config.optim.batchSize}, lr ${config.optim.lr}, ssm lr ${config.optim.ssmLr}; ` +
      `${config.execution === 'jit' ? `JIT-compiled steps${config.backend !== undefined ? ` on ${config.backend}` : ''}` : 'interpreted steps'}`);
    result = await fit(config, setup, data, start, {
      dir,
      checkpointEvery: config.checkpointEvery ?? flags.checkpointEvery,
      logEvery: config.logEvery ?? flags.logEvery,
      progress: flags.quiet ? false : io.stderr,
      shouldStop: interrupted,
      plotTitle: flags.plot ? `${config.task.name} / ${config.model.ssm.kind}` : false,
    });
  } finally {
    lock.release();
  }
  const lines = summary(result, dir, (Date.now() - began) / 1000);
  const last = join(dir, LAST_CHECKPOINT);
  if (result.reason === 'diverged') {
    io.stderr.write(`error: ${result.message}\n`);
    io.stderr.write(`${keptCheckpointLine(dir)}\n`);
    return 1;
  }
  if (result.reason === 'interrupted') {
    const { step, epoch } = result.snapshot;
    io.stderr.write(`interrupted at step ${step} (epoch ${epoch + 1}); the resumable checkpoint is ${last}\n`);
    io.stderr.write(`continue with: ssmjit train --resume ${last}\n`);
  }
  if (result.reason === 'max-steps') say(`stopped after ${result.snapshot.step} steps (--max-steps); continue with --resume ${last} --max-steps <n>`);
  io.stdout.write(`${lines.join('\n')}\n`);
  return result.reason === 'interrupted' ? 130 : 0;
}
