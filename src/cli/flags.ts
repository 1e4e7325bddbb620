/**
 * The `ssmjit train | eval | predict` command line: flag tables (io-ts codecs, defaults,
 * help), `parseCli` and `helpText`.
 *
 * Defaults follow S5's run_train.py (spec §2.5): 6 layers, d_model 128, P 256, J 8, lr and
 * ssm_lr 1e-3, weight decay 0.05, 100 epochs, batch 64, 1 warm-up epoch, cosine schedule,
 * dropout 0, seed 1919. Cross-field model rules (P divisible by J, ...) are checked when the
 * flags are turned into a ModelConfig (modelFlags.ts).
 */
import * as t from 'io-ts';
import { Either, left, right } from 'fp-ts/Either';
import { NonEmptyString, NonNegativeIntUpTo, NonNegativeNumber, PlainName, PositiveInt, PositiveIntUpTo, PositiveNumber, UnitIntervalOpen, NonNegativeInt, oneOf, refine } from '../io/codecs';
import { LIMITS } from '../train/limits';
import { FormatError } from '../io/formatError';
import { FlagKind, FlagSpec, FlagValues, formatFlagHelp, parseFlags, suggest } from './argv';

export const TASKS = ['smnist', 'psmnist', 'fashion', 'listops', 'adding', 'csv', 'ndjson'] as const;
export const MODELS = ['s5', 's4d', 's4'] as const;
export const BACKENDS = ['auto', 'wasm', 'cpu', 'webasm', 'webgpu', 'headlessgl', 'webgl2', 'webgl'] as const;
export const SCHEDULES = ['cosine', 'linear', 'constant'] as const;
export const COMMANDS = ['train', 'eval', 'predict'] as const;
export type Command = (typeof COMMANDS)[number];

const Path = refine(NonEmptyString, () => true, 'a path');
const Bool = refine(t.boolean, () => true, 'true or false');

function required<A>(kind: FlagKind, codec: t.Type<A, unknown, unknown>, group: string, help: string, placeholder?: string): FlagSpec<A> & { required: true } {
  return { kind, codec, group, help, placeholder, required: true };
}
function withDefault<A>(kind: FlagKind, codec: t.Type<A, unknown, unknown>, value: A, group: string, help: string, placeholder?: string): FlagSpec<A> & { default: A } {
  return { kind, codec, group, help, placeholder, default: value };
}
function optional<A>(kind: FlagKind, codec: t.Type<A, unknown, unknown>, group: string, help: string, placeholder?: string): FlagSpec<A> {
  return { kind, codec, group, help, placeholder };
}

const DATA = 'Data';
const MODEL = 'Model';
const OPTIM = 'Optimization';
const RUN = 'Run';

const dataFlags = {
  data: optional('string', Path, DATA, 'training data: a .csv/.ndjson/.jsonl file (tasks csv, ndjson) or the Fashion-MNIST directory', '<path>'),
  valData: optional('string', Path, DATA, 'validation data file (csv, ndjson); default: hold out --val-fraction of --data', '<path>'),
  testData: optional('string', Path, DATA, 'test data file (csv, ndjson)', '<path>'),
  channels: withDefault('number', PositiveIntUpTo(LIMITS.inputChannels), 1, DATA, 'values per time step in CSV files', '<n>'),
  valFraction: withDefault('number', UnitIntervalOpen, 0.1, DATA, 'fraction of the training data held out for validation', '<f>'),
  seqLen: withDefault('number', refine(PositiveIntUpTo(LIMITS.seqLen), (n) => n >= 2, `an integer from 2 to ${LIMITS.seqLen}`), 200, DATA, 'adding problem: sequence length', '<n>'),
  nTrain: optional('number', PositiveIntUpTo(LIMITS.examples), DATA, 'generated tasks: training examples (listops 96000, adding 10000)', '<n>'),
  nVal: optional('number', PositiveIntUpTo(LIMITS.examples), DATA, 'generated tasks: validation examples (listops 2000, adding 1000)', '<n>'),
  nTest: optional('number', PositiveIntUpTo(LIMITS.examples), DATA, 'generated tasks: test examples (listops 2000, adding 1000)', '<n>'),
  minLength: optional('number', NonNegativeIntUpTo(LIMITS.listopsLength), DATA, 'listops: keep expressions longer than this (500)', '<n>'),
  maxLength: optional('number', PositiveIntUpTo(LIMITS.listopsLength), DATA, 'listops: keep expressions shorter than this (2000)', '<n>'),
};

const modelFlags = {
  model: withDefault('string', oneOf(MODELS), 's5', MODEL, `sequence layer: ${MODELS.join('|')}`, '<name>'),
  layers: withDefault('number', PositiveIntUpTo(LIMITS.layers), 6, MODEL, 'number of layers', '<n>'),
  dModel: withDefault('number', PositiveIntUpTo(LIMITS.dModel), 128, MODEL, 'model width H', '<n>'),
  ssmSize: withDefault('number', PositiveIntUpTo(LIMITS.ssmSize), 256, MODEL, 'S5: full latent size P', '<n>'),
  blocks: withDefault('number', PositiveIntUpTo(LIMITS.ssmSize), 8, MODEL, 'S5: number of HiPPO blocks J (P/J per block)', '<n>'),
  stateSize: withDefault('number', PositiveIntUpTo(LIMITS.stateSize), 64, MODEL, 'S4/S4D: state size N', '<n>'),
  cInit: withDefault('string', oneOf(['trunc_standard_normal', 'lecun_normal', 'complex_normal'] as const), 'trunc_standard_normal', MODEL, 'S5: C initialisation', '<name>'),
  s4dInit: withDefault('string', oneOf(['lin', 'inv', 'legs', 'real'] as const), 'legs', MODEL, 'S4D: A initialisation', '<name>'),
  discretization: withDefault('string', oneOf(['zoh', 'bilinear'] as const), 'zoh', MODEL, 'S5/S4D discretization: zoh|bilinear', '<name>'),
  conjSym: withDefault('boolean', Bool, true, MODEL, 'S5: keep P/2 conjugate-symmetric states'),
  clipEigs: withDefault('boolean', Bool, false, MODEL, 'S5: clip eigenvalue real parts below zero'),
  bidirectional: withDefault('boolean', Bool, false, MODEL, 'run the SSM in both directions'),
  dtMin: withDefault('number', PositiveNumber, 0.001, MODEL, 'smallest initial time step', '<x>'),
  dtMax: withDefault('number', PositiveNumber, 0.1, MODEL, 'largest initial time step', '<x>'),
  pooling: withDefault('string', oneOf(['mean', 'last'] as const), 'mean', MODEL, 'sequence pooling before the head: mean|last', '<name>'),
  activation: withDefault('string', oneOf(['gelu', 'full_glu', 'half_glu1', 'half_glu2'] as const), 'half_glu1', MODEL, 'activation after the SSM', '<name>'),
  prenorm: withDefault('boolean', Bool, true, MODEL, 'normalize before (not after) each layer'),
  norm: withDefault('string', oneOf(['batch', 'layer'] as const), 'batch', MODEL, 'normalization: batch|layer', '<name>'),
  bnMomentum: withDefault('number', UnitIntervalOpen, 0.95, MODEL, 'BatchNorm running-average momentum', '<x>'),
  dropout: withDefault('number', UnitIntervalOpen, 0, MODEL, 'dropout rate', '<p>'),
};

const optimFlags = {
  lr: withDefault('number', PositiveNumber, 1e-3, OPTIM, 'learning rate of the non-SSM parameters', '<x>'),
  ssmLr: withDefault('number', PositiveNumber, 1e-3, OPTIM, 'learning rate of the SSM parameters (Lambda, B, log step; no weight decay)', '<x>'),
  weightDecay: withDefault('number', NonNegativeNumber, 0.05, OPTIM, 'AdamW weight decay', '<x>'),
  epochs: withDefault('number', PositiveIntUpTo(LIMITS.epochs), 100, OPTIM, 'training epochs', '<n>'),
  batchSize: withDefault('number', PositiveIntUpTo(LIMITS.batchSize), 64, OPTIM, 'batch size', '<n>'),
  warmup: withDefault('number', NonNegativeInt, 1, OPTIM, 'linear warm-up epochs', '<n>'),
  schedule: withDefault('string', oneOf(SCHEDULES), 'cosine', OPTIM, `learning-rate schedule after warm-up: ${SCHEDULES.join('|')}`, '<name>'),
  lrMin: withDefault('number', NonNegativeNumber, 0, OPTIM, 'final learning rate of the cosine/linear schedule', '<x>'),
  clipNorm: withDefault('number', NonNegativeNumber, 0, OPTIM, 'clip the global gradient norm to this value (0: off)', '<x>'),
  maxSteps: optional('number', PositiveInt, OPTIM, 'stop after this many optimizer steps', '<n>'),
};

const backendFlag = withDefault('string', oneOf(BACKENDS), 'auto', RUN, `compute backend: ${BACKENDS.join('|')}`, '<name>');
const quietFlag = withDefault('boolean', Bool, false, RUN, 'print only errors and the final result');

export const TRAIN_FLAGS = {
  task: required('string', oneOf(TASKS), DATA, `task: ${TASKS.join('|')}`, '<name>'),
  ...dataFlags,
  ...modelFlags,
  ...optimFlags,
  seed: withDefault('number', NonNegativeInt, 1919, RUN, 'random seed (initialisation, shuffling, dropout)', '<n>'),
  backend: backendFlag,
  out: withDefault('string', Path, 'runs', RUN, 'output directory (a sub-directory per run)', '<dir>'),
  name: optional('string', PlainName, RUN, 'run name: a sub-directory of --out (default: <task>-<model>-<time>; with --resume: a new run directory to continue in)', '<name>'),
  resume: optional('string', Path, RUN, 'resume from a checkpoint: <dir>/last continues that run in <dir>; any other checkpoint (e.g. <dir>/best), or --name, continues in a new run directory', '<path>'),
  logEvery: withDefault('number', PositiveInt, 50, RUN, 'log training metrics every n steps', '<n>'),
  checkpointEvery: withDefault('number', PositiveInt, 1, RUN, 'save a checkpoint every n epochs', '<n>'),
  plot: withDefault('boolean', Bool, true, RUN, 'write plot.svg (loss and accuracy curves) in the run directory'),
  quiet: quietFlag,
};

export const EVAL_FLAGS = {
  checkpoint: required('string', Path, RUN, 'checkpoint to evaluate (<dir>/<name>, without extension)', '<path>'),
  task: optional('string', oneOf(TASKS), DATA, 'task (default: the one the checkpoint was trained on)', '<name>'),
  ...dataFlags,
  split: withDefault('string', oneOf(['val', 'test'] as const), 'test', DATA, 'split to evaluate: val|test', '<name>'),
  batchSize: optimFlags.batchSize,
  backend: backendFlag,
  quiet: quietFlag,
};

export const PREDICT_FLAGS = {
  checkpoint: required('string', Path, RUN, 'checkpoint to use (<dir>/<name>, without extension)', '<path>'),
  input: required('string', Path, DATA, 'sequences to predict: a .csv/.ndjson/.jsonl file (targets optional)', '<path>'),
  output: withDefault('string', Path, '-', DATA, 'where to write predictions as NDJSON ("-": standard output)', '<path>'),
  channels: dataFlags.channels,
  batchSize: optimFlags.batchSize,
  backend: backendFlag,
  quiet: quietFlag,
};

export type TrainFlags = FlagValues<typeof TRAIN_FLAGS>;
export type EvalFlags = FlagValues<typeof EVAL_FLAGS>;
export type PredictFlags = FlagValues<typeof PREDICT_FLAGS>;

export type ParsedCli =
  | { readonly command: 'help'; readonly topic?: Command }
  | { readonly command: 'train'; readonly flags: TrainFlags }
  | { readonly command: 'eval'; readonly flags: EvalFlags }
  | { readonly command: 'predict'; readonly flags: PredictFlags };

const SUMMARIES: Record<Command, string> = {
  train: 'train a model on a task and save checkpoints, metrics and plots',
  eval: 'evaluate a checkpoint on the validation or test split',
  predict: 'write predictions of a checkpoint for sequences in a file',
};

/** Usage text: the command list, or one command's flags. */
export function helpText(command?: Command): string {
  if (command === undefined) {
    return [
      'Usage: ssmjit <command> [flags]',
      '',
      'Commands:',
      ...COMMANDS.map((c) => `  ${c.padEnd(9)}${SUMMARIES[c]}`),
      '',
      'Run `ssmjit <command> --help` for the flags of a command.',
      'Example: ssmjit train --task smnist --model s5 --epochs 10',
    ].join('\n');
  }
  const table = command === 'train' ? TRAIN_FLAGS : command === 'eval' ? EVAL_FLAGS : PREDICT_FLAGS;
  return [`Usage: ssmjit ${command} [flags]`, '', `${SUMMARIES[command][0].toUpperCase()}${SUMMARIES[command].slice(1)}.`, '', formatFlagHelp(table)].join('\n');
}

function isCommand(word: string): word is Command {
  return (COMMANDS as readonly string[]).includes(word);
}

/** Parses the arguments after the program name (process.argv.slice(2)). */
export function parseCli(argv: readonly string[]): Either<FormatError, ParsedCli> {
  const [first, ...rest] = argv;
  if (first === undefined) return left(new FormatError('missing command', { file: 'command line', expected: COMMANDS.join('|') }));
  if (first === '--help' || first === '-h' || first === 'help') {
    const topic = rest[0];
    return right(topic !== undefined && isCommand(topic) ? { command: 'help', topic } : { command: 'help' });
  }
  if (!isCommand(first)) {
    const hint = suggest(first, COMMANDS);
    return left(new FormatError(`unknown command${hint ? ` (did you mean ${hint}?)` : ''}`, { file: 'command line', expected: COMMANDS.join('|'), actual: JSON.stringify(first) }));
  }
  if (rest.includes('--help') || rest.includes('-h')) return right({ command: 'help', topic: first });
  switch (first) {
    case 'train': {
      const flags = parseFlags(rest, TRAIN_FLAGS);
      return flags._tag === 'Left' ? flags : right({ command: 'train', flags: flags.right });
    }
    case 'eval': {
      const flags = parseFlags(rest, EVAL_FLAGS);
      return flags._tag === 'Left' ? flags : right({ command: 'eval', flags: flags.right });
    }
    case 'predict': {
      const flags = parseFlags(rest, PREDICT_FLAGS);
      return flags._tag === 'Left' ? flags : right({ command: 'predict', flags: flags.right });
    }
  }
}
