/**
 * `ssmjit predict --checkpoint <dir>/<name> --input file.ndjson`: runs the checkpoint's model
 * on the sequences of a CSV/NDJSON file (targets optional) and writes one JSON line per
 * sequence, in input order:
 *   classification  {"index":0,"label":3,"probabilities":[...]}  (+ "target" when the file has one)
 *   regression      {"index":0,"prediction":[...]}               (+ "target")
 * When the file has labels, the accuracy is reported on standard error.
 */
import { writeFileSync } from 'node:fs';
import { loadUserData } from '../../data/userData';
import { FormatError } from '../../io/formatError';
import { predictAll } from '../../train/evaluate';
import type { PredictFlags } from '../flags';
import { type CliIO, loadRun, selectBackend } from './shared';

export async function predictCommand(flags: PredictFlags, io: CliIO): Promise<number> {
  await selectBackend(flags.backend);
  const { opened, setup, snapshot } = loadRun(flags.checkpoint);
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
  const rows = await predictAll(setup.model, opened.config.execution, snapshot.carry.params, snapshot.carry.modelState, dataset, flags.batchSize);
  const targets = dataset.targets;
  let correct = 0;
  const lines = rows.map((row, index) => {
    const values = Array.from(row);
    if (classes !== undefined) {
      const label = values.indexOf(Math.max(...values));
      const target = targets.kind === 'classes' ? targets.labels[index] : undefined;
      if (target !== undefined && target === label) correct += 1;
      return JSON.stringify({ index, label, probabilities: values.map((v) => Number(Math.exp(v).toPrecision(6))), ...(target !== undefined ? { target } : {}) });
    }
    const target = targets.kind === 'regression' ? Array.from(targets.values.subarray(index * targets.dim, (index + 1) * targets.dim)) : undefined;
    return JSON.stringify({ index, prediction: values, ...(target !== undefined ? { target } : {}) });
  });
  const text = lines.length > 0 ? `${lines.join('\n')}\n` : '';
  if (flags.output === '-') io.stdout.write(text);
  else writeFileSync(flags.output, text);
  if (!flags.quiet && targets.kind === 'classes') io.stderr.write(`accuracy ${((100 * correct) / rows.length).toFixed(2)}% on ${rows.length} labelled sequences\n`);
  return 0;
}
