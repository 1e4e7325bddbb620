/**
 * `ssmjit eval --checkpoint <dir>/<name>`: rebuilds the checkpoint's model and task, and
 * prints the loss (and accuracy) on the validation or test split. Data flags given on the
 * command line replace the checkpoint's (e.g. another --test-data file).
 */
import { FormatError } from '../../io/formatError';
import type { TaskSettings } from '../../train/config';
import { compileEvalStep, evaluate } from '../../train/evaluate';
import { loadTask } from '../../train/tasks';
import { EVAL_FLAGS, type EvalFlags } from '../flags';
import { type CliIO, loadRun, selectBackend } from './shared';
import { explicitFlags } from './trainFlags';

const DATA_KEYS = ['data', 'valData', 'testData', 'channels', 'valFraction', 'seqLen', 'nTrain', 'nVal', 'nTest', 'minLength', 'maxLength'] as const;

/** The checkpoint's task settings with the explicitly given data flags replacing theirs. */
export function evalTaskSettings(saved: TaskSettings, flags: EvalFlags, explicit: ReadonlySet<string>): TaskSettings {
  const changed = Object.fromEntries(DATA_KEYS.filter((k) => explicit.has(k)).map((k) => [k, flags[k]]));
  return { ...saved, ...(flags.task !== undefined ? { name: flags.task } : {}), ...changed };
}

export async function evalCommand(flags: EvalFlags, args: readonly string[], io: CliIO): Promise<number> {
  await selectBackend(flags.backend);
  const { opened, setup, snapshot } = loadRun(flags.checkpoint);
  const settings = evalTaskSettings(opened.config.task, flags, explicitFlags(args, EVAL_FLAGS));
  const data = loadTask(settings, opened.config.seed);
  const dataset = flags.split === 'val' ? data.val : data.test;
  if (dataset === undefined) {
    throw new FormatError('there is no test split for this task', { file: 'command line', field: '--test-data', expected: 'a test file, or --split val' });
  }
  const step = compileEvalStep(setup.model, opened.config.execution);
  const scores = await evaluate(step, snapshot.carry.params, snapshot.carry.modelState, dataset, flags.batchSize);
  const accuracy = scores.accuracy !== undefined ? `, accuracy ${(100 * scores.accuracy).toFixed(2)}%` : '';
  if (!flags.quiet) io.stderr.write(`checkpoint ${opened.file} (step ${snapshot.step}, epoch ${snapshot.epoch})\n`);
  io.stdout.write(`${flags.split}: loss ${scores.loss.toFixed(4)}${accuracy} (${scores.examples} examples of ${dataset.name})\n`);
  return 0;
}
