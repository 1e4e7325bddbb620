/**
 * What `ssmjit train` adds to the shared flag table (src/cli/flags.ts): the execution mode,
 * the optimizer grouping options and the schedule variant, plus per-task presets.
 *
 * Presets replace the table's defaults (S5's run_train.py values, sized for a GPU) for flags the
 * user did not give, so that `ssmjit train --task smnist --model s5` trains a small model that
 * finishes on a laptop CPU. A flag given on the command line always wins.
 */
import * as t from 'io-ts';
import { type Either, left, right } from 'fp-ts/Either';
import { FormatError } from '../../io/formatError';
import { oneOf, refine } from '../../io/codecs';
import { type FlagSpec, type FlagTable, type FlagValues, kebabCase } from '../argv';
import { TRAIN_FLAGS, type TrainFlags } from '../flags';

/** One help heading for the flags added here (the shared table's headings come first). */
const EXTRA = 'Execution and S5 optimizer options';
const OPTIM = EXTRA;
const RUN = EXTRA;
const Bool = refine(t.boolean, () => true, 'true or false');

function withDefault<A>(kind: FlagSpec<A>['kind'], codec: t.Type<A, unknown, unknown>, value: A, group: string, help: string, placeholder?: string): FlagSpec<A> & { default: A } {
  return { kind, codec, group, help, placeholder, default: value };
}

export const TRAIN_EXTRA_FLAGS = {
  jit: withDefault('boolean', Bool, true, RUN, 'compile the training and evaluation steps with the JIT (--no-jit: run them in the interpreter)'),
  optConfig: withDefault(
    'string',
    oneOf(['standard', 'BandCdecay', 'BfastandCdecay', 'noBCdecay'] as const),
    'standard',
    OPTIM,
    'S5 optimizer grouping of the SSM parameters: standard|BandCdecay|BfastandCdecay|noBCdecay',
    '<name>',
  ),
  dtGlobal: withDefault('boolean', Bool, false, OPTIM, 'train the SSM step sizes with the regular group (lr and weight decay)'),
  s5Schedule: withDefault('boolean', Bool, false, OPTIM, "reproduce S5's schedule exactly (rate set after each step, cosine over the global step)"),
};

/** --task may be left out with --resume (the checkpoint names the task); see requireTask. */
const taskFlag: FlagSpec<TrainFlags['task']> = { ...TRAIN_FLAGS.task, required: false };

export const TRAIN_TABLE = { ...TRAIN_FLAGS, task: taskFlag, ...TRAIN_EXTRA_FLAGS };
export type TrainCommandFlags = FlagValues<typeof TRAIN_TABLE>;
/** Flags of a fresh run, where --task is known. */
export type FreshTrainFlags = TrainCommandFlags & { task: TrainFlags['task'] };

const missingTask = () => new FormatError('missing required flag', { file: 'command line', field: '--task', expected: TRAIN_FLAGS.task.codec.name });

/** The flags, or a usage error when neither --task nor --resume is given. */
export const checkTask = (flags: TrainCommandFlags): Either<FormatError, TrainCommandFlags> =>
  flags.task !== undefined || flags.resume !== undefined ? right(flags) : left(missingTask());

/** The flags of a fresh run (--task given). */
export function freshFlags(flags: TrainCommandFlags): FreshTrainFlags {
  const { task } = flags;
  if (task === undefined) throw missingTask();
  return { ...flags, task };
}
export type { TrainFlags };

/** Keys of the flags written on the command line (`--d-model 64`, `--d_model=64`, `--no-prenorm`). */
export function explicitFlags(args: readonly string[], table: FlagTable): Set<string> {
  const byFlag = new Map(Object.keys(table).map((key) => [kebabCase(key), key]));
  const given = new Set<string>();
  for (const arg of args) {
    if (!arg.startsWith('--')) continue;
    const name = arg.slice(2).split('=')[0].replace(/_/g, '-');
    const key = byFlag.get(name) ?? (name.startsWith('no-') ? byFlag.get(name.slice(3)) : undefined);
    if (key !== undefined) given.add(key);
  }
  return given;
}

/**
 * Task presets. smnist / psmnist: one bidirectional S5 layer of width 16 (P 16, one HiPPO
 * block), batch 16, 4 epochs, lr 0.015 / ssm_lr 0.006 with a cosine decay and no warm-up, weight
 * decay 0.01. Measured on a shared 2-core CPU with JIT-compiled steps (webasm): 0.25-0.34 s per
 * step, 90.65% sMNIST test accuracy at the best validation epoch (4) in 8-11 minutes depending
 * on the machine's other load. The smaller and unidirectional variants tried reached 88-89%.
 */
const SMALL_S5: Partial<FreshTrainFlags> = {
  layers: 1,
  dModel: 16,
  ssmSize: 16,
  blocks: 1,
  bidirectional: true,
  epochs: 4,
  batchSize: 16,
  lr: 0.015,
  ssmLr: 0.006,
  weightDecay: 0.01,
  warmup: 0,
  logEvery: 10,
};

export const TASK_PRESETS: Readonly<Record<string, Partial<FreshTrainFlags>>> = { smnist: SMALL_S5, psmnist: SMALL_S5 };

/** Help lines listing the presets. */
export function presetHelp(): string {
  const lines = Object.entries(TASK_PRESETS).map(([task, preset]) => {
    const flags = Object.entries(preset).map(([key, value]) => `--${kebabCase(key)} ${String(value)}`);
    return `  ${task}: ${flags.join(' ')}`;
  });
  return ['Task presets (used for flags not given on the command line):', ...lines].join('\n');
}

/** The flags with the task's preset applied to every flag not given explicitly. */
export function withPreset(flags: FreshTrainFlags, explicit: ReadonlySet<string>): FreshTrainFlags {
  const preset = TASK_PRESETS[flags.task] ?? {};
  const chosen = Object.fromEntries(Object.entries(preset).filter(([key]) => !explicit.has(key)));
  return { ...flags, ...chosen };
}
