/**
 * `ssmjit train`: flags -> run config -> datasets -> model -> training loop, with a run
 * directory `<out>/<name>/` (metrics.jsonl, plot.svg, last/best checkpoints). `--resume
 * <dir>/<name>` continues a saved run from its checkpoint (settings come from the checkpoint;
 * an explicit --epochs or --max-steps extends or limits it). Ctrl-C stops after the current
 * step and saves a resumable checkpoint.
 *
 * Prints the test score at the best validation epoch on standard output; progress and epoch
 * lines go to standard error.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError } from '../../io/formatError';
import { checkpointPaths } from '../../io/checkpoint';
import { type RunConfig, type TaskSettings } from '../../train/config';
import { openCheckpoint, snapshotOf, splitCheckpointPath, type TrainingSnapshot } from '../../train/checkpointing';
import { type FitResult, fit, freshSnapshot } from '../../train/loop';
import { LAST_CHECKPOINT } from '../../train/runFiles';
import { type RunSetup, setupRun } from '../../train/setup';
import { type TaskData, dataShape, loadTask } from '../../train/tasks';
import { kebabCase } from '../argv';
import { modelConfigFromFlags } from '../modelFlags';
import { formatDuration } from '../progress';
import { type CliIO, selectBackend } from './shared';
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
  readonly dir: string;
  readonly start: (setup: RunSetup) => TrainingSnapshot;
  readonly resumedFrom?: string;
}

function prepareFresh(flags: FreshTrainFlags): Prepared {
  const data = loadTask(taskSettingsOf(flags), flags.seed);
  const config = runConfigOf(flags, data);
  const dir = join(flags.out, flags.name ?? `${flags.task}-${flags.model}-${timestamp(new Date())}`);
  if (existsSync(checkpointPaths(dir, LAST_CHECKPOINT).tensors)) {
    throw new FormatError('the run directory already holds a checkpoint', {
      file: dir,
      field: '--name',
      expected: `a new run name, or --resume ${join(dir, LAST_CHECKPOINT)} to continue that run`,
    });
  }
  return { config, data, dir, start: (setup) => freshSnapshot(config, setup) };
}

/** Flags that still apply to a resumed run; every other setting comes from the checkpoint. */
const RESUME_FLAGS = new Set(['resume', 'epochs', 'maxSteps', 'backend', 'quiet', 'logEvery', 'checkpointEvery', 'plot']);

/** The explicitly given flags a resumed run does not use (to say so). */
export const ignoredOnResume = (explicit: ReadonlySet<string>): string[] => [...explicit].filter((key) => !RESUME_FLAGS.has(key)).map((key) => `--${kebabCase(key)}`);

function prepareResume(flags: TrainCommandFlags, explicit: ReadonlySet<string>, path: string): Prepared {
  const opened = openCheckpoint(path);
  const optim = {
    ...opened.config.optim,
    ...(explicit.has('epochs') ? { epochs: flags.epochs } : {}),
    ...(explicit.has('maxSteps') && flags.maxSteps !== undefined ? { maxSteps: flags.maxSteps } : {}),
  };
  const config: RunConfig = { ...opened.config, optim };
  const data = loadTask(config.task, config.seed);
  return { config, data, dir: splitCheckpointPath(path).dir, start: (setup) => ({ ...snapshotOf(opened, setup.initial), config }), resumedFrom: opened.file };
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
  const explicit = explicitFlags(args, TRAIN_TABLE);
  // Presets apply to fresh runs; a resumed run takes its settings from the checkpoint.
  const fresh = flagsIn.resume === undefined ? withPreset(freshFlags(flagsIn), explicit) : undefined;
  const flags: TrainCommandFlags = fresh ?? flagsIn;
  await selectBackend(flags.backend);
  const prepared = fresh ? prepareFresh(fresh) : prepareResume(flags, explicit, flags.resume as string);
  const { config, data, dir } = prepared;
  const setup = setupRun(config);
  const start = prepared.start(setup);
  const say = (line: string) => {
    if (!flags.quiet) io.stderr.write(`${line}\n`);
  };
  say(prepared.resumedFrom ? `resuming ${prepared.resumedFrom} at step ${start.step} (epoch ${start.epoch + 1})` : `run directory: ${dir}`);
  const ignored = prepared.resumedFrom ? ignoredOnResume(explicit) : [];
  if (ignored.length > 0) say(`settings come from the checkpoint; ignored: ${ignored.join(' ')}`);
  say(`task ${config.task.name}: ${data.train.size} train / ${data.val.size} validation / ${data.test?.size ?? 0} test examples of length ${data.train.seqLen}`);
  const m = config.model;
  say(`model ${m.ssm.kind}: ${m.nLayers} layer${m.nLayers === 1 ? '' : 's'}, width ${m.dModel}${m.ssm.kind === 's5' ? `, P ${m.ssm.P}, ${m.ssm.blocks} block(s)` : `, N ${m.ssm.N}`}; ` +
    `${config.optim.epochs} epochs of batch ${config.optim.batchSize}, lr ${config.optim.lr}, ssm lr ${config.optim.ssmLr}; ${config.execution === 'jit' ? 'JIT-compiled steps' : 'interpreted steps'}`);

  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    io.stderr.write('\nstopping after this step (Ctrl-C again to quit at once)\n');
  };
  process.on('SIGINT', onSigint);
  let result: FitResult;
  try {
    result = await fit(config, setup, data, start, {
      dir,
      checkpointEvery: flags.checkpointEvery,
      logEvery: flags.logEvery,
      progress: flags.quiet ? false : io.stderr,
      shouldStop: () => interrupted,
      plotTitle: flags.plot ? `${config.task.name} / ${config.model.ssm.kind}` : false,
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
  const lines = summary(result, dir, (Date.now() - began) / 1000);
  if (result.reason === 'diverged') {
    const last = checkpointPaths(dir, LAST_CHECKPOINT).tensors;
    io.stderr.write(`error: ${result.message}\n`);
    io.stderr.write(existsSync(last) ? `the last good checkpoint is kept: ${last}\n` : 'no checkpoint had been saved yet\n');
    return 1;
  }
  if (result.reason === 'interrupted') say(`interrupted; continue with: ssmjit train --resume ${join(dir, LAST_CHECKPOINT)}`);
  if (result.reason === 'max-steps') say(`stopped after ${result.snapshot.step} steps (--max-steps); continue with --resume ${join(dir, LAST_CHECKPOINT)} --max-steps <n>`);
  io.stdout.write(`${lines.join('\n')}\n`);
  return result.reason === 'interrupted' ? 130 : 0;
}
