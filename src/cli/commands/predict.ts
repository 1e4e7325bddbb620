/**
 * `ssmjit predict --checkpoint <dir>/<name> --input file.ndjson`: runs the checkpoint's model
 * on the sequences of a CSV/NDJSON file (targets optional) and writes one JSON line per
 * sequence, in input order:
 *   classification  {"index":0,"label":3,"probabilities":[...]}  (+ "target" when the file has one)
 *   regression      {"index":0,"prediction":[...]}               (+ "target")
 * When the file has labels, the accuracy is reported on standard error.
 *
 * The output file is written atomically (a failed run leaves no partial file) and never over
 * one of the command's inputs (the checkpoint's files or the input file). A non-finite model
 * output (a diverged checkpoint) is an error naming the input line, not a `null` in the output.
 */
import { realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadUserData } from '../../data/userData';
import { writeFileAtomic } from '../../io/atomic';
import { checkpointPaths } from '../../io/checkpoint';
import { FormatError } from '../../io/formatError';
import { openCheckpoint, splitCheckpointPath } from '../../train/checkpointing';
import { predictAll } from '../../train/evaluate';
import { PREDICT_FLAGS, type PredictFlags } from '../flags';
import { type CliIO, restoreRun, selectBackendFor, warn } from './shared';
import { explicitFlags } from './trainFlags';
import { predictUserModelCommand, userModelCheckpoint } from './userModel';

/** A path's identity: device and inode when it exists, else its resolved path. */
function identity(path: string): string {
  try {
    const stat = statSync(path);
    return `${stat.dev}:${stat.ino}`;
  } catch {
    try {
      return realpathSync(resolve(path));
    } catch {
      return resolve(path);
    }
  }
}

/** Refuses an --output that is one of the files the command reads. */
function checkOutput(output: string, inputs: readonly { path: string; what: string }[]): void {
  const target = identity(output);
  for (const input of inputs) {
    if (identity(input.path) === target) {
      throw new FormatError(`refusing to write the predictions over ${input.what}`, { file: 'command line', field: '--output', expected: 'a new file, or - for standard output', actual: JSON.stringify(output) });
    }
  }
  try {
    if (statSync(output).isDirectory()) throw new FormatError('the output is a directory', { file: 'command line', field: '--output', expected: 'a file path, or - for standard output', actual: JSON.stringify(output) });
  } catch (err) {
    if (err instanceof FormatError) throw err;
  }
}

export async function predictCommand(flags: PredictFlags, io: CliIO, args: readonly string[] = []): Promise<number> {
  if (flags.output !== '-') {
    const { dir, name } = splitCheckpointPath(flags.checkpoint);
    const paths = checkpointPaths(dir, name);
    checkOutput(flags.output, [
      { path: paths.tensors, what: 'the checkpoint it reads' },
      { path: paths.json, what: "the checkpoint's record it reads" },
      { path: flags.input, what: 'its input file' },
    ]);
  }
  const userModel = userModelCheckpoint(flags.checkpoint);
  if (userModel) return predictUserModelCommand(userModel, flags, io);
  const opened = openCheckpoint(flags.checkpoint);
  for (const note of opened.loaded.notes) warn(io, note);
  await selectBackendFor(opened.config, flags.backend, explicitFlags(args, PREDICT_FLAGS).has('backend'));
  const model = opened.config.model;
  const classes = model.head.kind === 'classification' ? model.head.nClasses : undefined;
  const dataset = loadUserData(flags.input, { channels: flags.channels, ...(classes !== undefined ? { numClasses: classes } : {}) });
  if (model.inputKind !== 'float' || dataset.inputs.kind !== 'float' || dataset.inputs.channels !== model.dInput) {
    throw new FormatError('input sequences do not fit the model', {
      file: flags.input,
      field: 'sequence',
      expected: model.inputKind === 'float' ? `${model.dInput} value(s) per time step` : `token ids (the model was trained on ${opened.config.task.name})`,
      actual: dataset.inputs.kind === 'float' ? `${dataset.inputs.channels} value(s) per time step` : 'token ids',
    });
  }
  const { setup, snapshot } = restoreRun(opened);
  const rows = await predictAll(setup.model, opened.config.execution, snapshot.carry.params, snapshot.carry.modelState, dataset, flags.batchSize);
  const targets = dataset.targets;
  let correct = 0;
  const lines = rows.map((row, index) => {
    const values = Array.from(row);
    const bad = values.find((v) => !Number.isFinite(v));
    if (bad !== undefined) {
      throw new FormatError(`the model's output is ${bad} for this sequence (the checkpoint ${opened.file} holds a diverged state); nothing was written`, {
        file: flags.input,
        ...(dataset.sourceLines !== undefined ? { line: dataset.sourceLines[index] } : { field: `sequence ${index}` }),
      });
    }
    if (classes !== undefined) {
      let label = 0;
      for (let k = 1; k < values.length; k++) if (values[k] > values[label]) label = k;
      const target = targets.kind === 'classes' ? targets.labels[index] : undefined;
      if (target !== undefined && target === label) correct += 1;
      return JSON.stringify({ index, label, probabilities: values.map((v) => Number(Math.exp(v).toPrecision(6))), ...(target !== undefined ? { target } : {}) });
    }
    const target = targets.kind === 'regression' ? Array.from(targets.values.subarray(index * targets.dim, (index + 1) * targets.dim)) : undefined;
    return JSON.stringify({ index, prediction: values, ...(target !== undefined ? { target } : {}) });
  });
  const text = lines.length > 0 ? `${lines.join('\n')}\n` : '';
  if (flags.output === '-') io.stdout.write(text);
  else writeFileAtomic(flags.output, text);
  if (!flags.quiet && targets.kind === 'classes') io.stderr.write(`accuracy ${((100 * correct) / rows.length).toFixed(2)}% on ${rows.length} labelled sequences\n`);
  return 0;
}
