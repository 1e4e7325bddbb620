/**
 * `ssmjit eval --checkpoint <dir>/<name>`: rebuilds the checkpoint's model and task, and
 * prints the loss (and accuracy) on the validation or test split. Data flags given on the
 * command line replace the checkpoint's (e.g. another --test-data file). The data must fit the
 * model (input encoding and width, class count or regression width): a checkpoint of a 2-class
 * model evaluated on a 10-class task is refused, naming the flag or file and the checkpoint.
 */
import { FormatError, type FormatLocation } from '../../io/formatError';
import { openCheckpoint } from '../../train/checkpointing';
import type { TaskSettings } from '../../train/config';
import { compileEvalStep, evaluate } from '../../train/evaluate';
import { dataModelMismatch, dataShape, ignoredDataSettings, loadTask } from '../../train/tasks';
import { kebabCase } from '../argv';
import { EVAL_FLAGS, type EvalFlags } from '../flags';
import { type CliIO, restoreRun, selectBackendFor, warn } from './shared';
import { explicitFlags } from './trainFlags';
import { evalUserModelCommand, userModelCheckpoint } from './userModel';

const DATA_KEYS = ['data', 'valData', 'testData', 'channels', 'valFraction', 'seqLen', 'nTrain', 'nVal', 'nTest', 'minLength', 'maxLength'] as const;

/** The checkpoint's task settings with the explicitly given data flags replacing theirs. */
export function evalTaskSettings(saved: TaskSettings, flags: EvalFlags, explicit: ReadonlySet<string>): TaskSettings {
  const changed = Object.fromEntries(DATA_KEYS.filter((k) => explicit.has(k)).map((k) => [k, flags[k]]));
  return { ...saved, ...(flags.task !== undefined ? { name: flags.task } : {}), ...changed };
}

/** Where the evaluated data came from, for messages: the flag that chose it, else the dataset. */
function dataSource(explicit: ReadonlySet<string>, flags: EvalFlags, datasetName: string): FormatLocation {
  const file = flags.split === 'test' ? 'testData' : 'valData';
  if (explicit.has(file)) return { file: flags[file] as string, field: `--${kebabCase(file)}` };
  if (explicit.has('data')) return { file: flags.data as string, field: '--data' };
  if (explicit.has('task')) return { file: 'command line', field: '--task' };
  return { file: datasetName };
}

export async function evalCommand(flags: EvalFlags, args: readonly string[], io: CliIO): Promise<number> {
  const userModel = userModelCheckpoint(flags.checkpoint);
  if (userModel) return evalUserModelCommand(userModel, flags, io);
  const explicit = explicitFlags(args, EVAL_FLAGS);
  const opened = openCheckpoint(flags.checkpoint);
  for (const note of opened.loaded.notes) warn(io, note);
  await selectBackendFor(opened.config, flags.backend, explicit.has('backend'));
  const settings = evalTaskSettings(opened.config.task, flags, explicit);
  const ignored = ignoredDataSettings(settings.name, explicit);
  if (ignored.length > 0) warn(io, `${ignored.map((k) => `--${kebabCase(k)}`).join(', ')} ${ignored.length === 1 ? 'does' : 'do'} not apply to task ${settings.name} and ${ignored.length === 1 ? 'is' : 'are'} ignored`);
  const model = opened.config.model;
  const data = loadTask(settings, opened.config.seed, model.head.kind === 'classification' ? model.head.nClasses : undefined);
  const dataset = flags.split === 'val' ? data.val : data.test;
  if (dataset === undefined) {
    throw new FormatError('there is no test split for this task', { file: 'command line', field: '--test-data', expected: 'a test file, or --split val' });
  }
  const mismatch = dataModelMismatch(dataShape(dataset), model);
  if (mismatch !== undefined) {
    throw new FormatError(`the ${flags.split} data of task ${settings.name} does not fit the model of ${opened.file}`, { ...dataSource(explicit, flags, dataset.name), ...mismatch });
  }
  const { setup, snapshot } = restoreRun(opened);
  const step = compileEvalStep(setup.model, opened.config.execution);
  const scores = await evaluate(step, snapshot.carry.params, snapshot.carry.modelState, dataset, flags.batchSize);
  if (!Number.isFinite(scores.loss)) {
    throw new FormatError(`the model's ${flags.split} loss is ${scores.loss} (the checkpoint holds a diverged state)`, { file: opened.file });
  }
  const accuracy = scores.accuracy !== undefined ? `, accuracy ${(100 * scores.accuracy).toFixed(2)}%` : '';
  if (!flags.quiet) io.stderr.write(`checkpoint ${opened.file} (step ${snapshot.step}, epoch ${snapshot.epoch})\n`);
  io.stdout.write(`${flags.split}: loss ${scores.loss.toFixed(4)}${accuracy} (${scores.examples} examples of ${dataset.name})\n`);
  return 0;
}
