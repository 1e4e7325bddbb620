/**
 * Upper bounds on every size that comes from outside (flags, checkpoint records, labels in user
 * data, generated-task settings), so that a typo or a hostile file is refused with a message
 * before gigabytes are allocated, and the exact parameter count a model config implies (checked
 * against the tensors a checkpoint file holds before the model is built).
 *
 * The bounds are far above anything this CPU-oriented trainer can train in reasonable time; the
 * parameter bound (1e8 floats: 400 MB, times four with the gradients and the two AdamW moments)
 * is the one that binds first.
 */
import { FormatError, type FormatLocation } from '../io/formatError';
import type { ModelConfig } from '../models/config';
import type { RunConfig, TaskSettings } from './config';

export const LIMITS = {
  layers: 256,
  dModel: 16_384,
  /** S5 latent size P and block count J. */
  ssmSize: 65_536,
  /** S4/S4D state size N. */
  stateSize: 16_384,
  /** Classes of a classification head (labels are below it). */
  classes: 100_000,
  /** Width of a regression target. */
  outputs: 100_000,
  /** Input channels (CSV --channels, NDJSON steps, token vocabularies). */
  inputChannels: 100_000,
  batchSize: 65_536,
  /** Model parameters (real numbers; a complex one counts two). */
  parameters: 100_000_000,
  /** Adding problem: sequence length. */
  seqLen: 1_000_000,
  /** Generated tasks: examples per split. */
  examples: 10_000_000,
  /** ListOps: expression length bounds. */
  listopsLength: 100_000,
  /** Generated tasks: values held in memory over all splits (1 GiB of float32). */
  dataValues: 2 ** 28,
  epochs: 1_000_000,
} as const;

const SSM_STORED = (model: ModelConfig): number => {
  const ssm = model.ssm;
  return ssm.kind === 's5' ? (ssm.conjSym ? ssm.P / 2 : ssm.P) : ssm.N / 2;
};

/** Exact number of parameters (complex counted twice) of a model config, without building it. */
export function expectedParameterCount(model: ModelConfig): number {
  const H = model.dModel;
  const outputs = model.head.kind === 'classification' ? model.head.nClasses : model.head.dOutput;
  const dense = (inputs: number, out: number) => inputs * out + out;
  const norm = 2 * H;
  const glu = model.activation === 'full_glu' ? 2 * dense(H, H) : model.activation === 'gelu' ? 0 : dense(H, H);
  const ssm = model.ssm;
  const directions = ssm.bidirectional ? 2 : 1;
  const stored = SSM_STORED(model);
  let layer: number;
  if (ssm.kind === 's5') {
    // B [P', H] and C [H, dirs*P'] complex, D [H], Lambda re/im and log step [P'].
    layer = 2 * stored * H + 2 * H * directions * stored + H + 3 * stored;
  } else {
    // A_imag and log_A_real [H, N/2], B [H, N/2] complex, C [dirs, H, N/2] complex, D and log_dt [H]; S4 adds P [H, N/2] complex.
    layer = 2 * H * stored + 2 * H * stored + 2 * directions * H * stored + 2 * H + (ssm.kind === 's4' ? 2 * H * stored : 0);
  }
  return dense(model.dInput, H) + model.nLayers * (layer + glu + norm) + (model.finalNorm ? norm : 0) + dense(H, outputs);
}

const fail = (where: FormatLocation, field: string, problem: string, expected: string, actual: string): FormatError =>
  new FormatError(problem, { ...where, field: where.field !== undefined ? `${where.field}.${field}` : field, expected, actual });

/** The first size of a model config beyond the limits, as a FormatError at `where` (fields under it). */
export function modelLimitError(model: ModelConfig, where: FormatLocation = {}): FormatError | undefined {
  const bound = (field: string, value: number, max: number, what: string): FormatError | undefined =>
    value > max ? fail(where, field, `${what} too large`, `at most ${max}`, `${value}`) : undefined;
  const ssm = model.ssm;
  const first =
    bound('nLayers', model.nLayers, LIMITS.layers, 'layer count') ??
    bound('dModel', model.dModel, LIMITS.dModel, 'model width') ??
    bound('dInput', model.dInput, LIMITS.inputChannels, 'input width') ??
    (model.head.kind === 'classification'
      ? bound('head.nClasses', model.head.nClasses, LIMITS.classes, 'class count')
      : bound('head.dOutput', model.head.dOutput, LIMITS.outputs, 'output width')) ??
    (ssm.kind === 's5'
      ? bound('ssm.P', ssm.P, LIMITS.ssmSize, 'SSM size') ?? bound('ssm.blocks', ssm.blocks, LIMITS.ssmSize, 'block count')
      : bound('ssm.N', ssm.N, LIMITS.stateSize, 'state size'));
  if (first !== undefined) return first;
  const count = expectedParameterCount(model);
  if (count > LIMITS.parameters) {
    return new FormatError('model too large', {
      ...where,
      expected: `at most ${LIMITS.parameters.toExponential(0)} parameters`,
      actual: `${count.toExponential(2)} parameters (${model.nLayers} layers of width ${model.dModel})`,
    });
  }
  return undefined;
}

/** Values a task's generated or held data needs, when the settings decide it (generated tasks). */
export function generatedDataValues(task: TaskSettings): number | undefined {
  if (task.name === 'adding') {
    const n = (task.nTrain ?? 10_000) + (task.nVal ?? 1_000) + (task.nTest ?? 1_000);
    return n * task.seqLen * 2;
  }
  if (task.name === 'listops') {
    const n = (task.nTrain ?? 96_000) + (task.nVal ?? 2_000) + (task.nTest ?? 2_000);
    return n * Math.min(task.maxLength ?? 2_000, LIMITS.listopsLength);
  }
  return undefined;
}

/** The first task setting beyond the limits, as a FormatError at `where` (fields under it). */
export function taskLimitError(task: TaskSettings, where: FormatLocation = {}): FormatError | undefined {
  const bound = (field: keyof TaskSettings, max: number): FormatError | undefined => {
    const value = task[field];
    return typeof value === 'number' && value > max ? fail(where, field, 'value too large', `at most ${max}`, `${value}`) : undefined;
  };
  const first =
    bound('channels', LIMITS.inputChannels) ??
    bound('seqLen', LIMITS.seqLen) ??
    bound('nTrain', LIMITS.examples) ??
    bound('nVal', LIMITS.examples) ??
    bound('nTest', LIMITS.examples) ??
    bound('minLength', LIMITS.listopsLength) ??
    bound('maxLength', LIMITS.listopsLength);
  if (first !== undefined) return first;
  const values = generatedDataValues(task);
  if (values !== undefined && values > LIMITS.dataValues) {
    return new FormatError('generated data too large', {
      ...where,
      expected: `at most ${LIMITS.dataValues} values over all splits (lower the example counts or the sequence length)`,
      actual: `${values}`,
    });
  }
  return undefined;
}

/** The first size of a run config beyond the limits (model, task, batch size, epochs). */
export function runLimitError(config: RunConfig, where: FormatLocation = {}): FormatError | undefined {
  const at = (field: string): FormatLocation => ({ ...where, field: where.field !== undefined ? `${where.field}.${field}` : field });
  return (
    modelLimitError(config.model, at('model')) ??
    taskLimitError(config.task, at('task')) ??
    (config.optim.batchSize > LIMITS.batchSize ? fail(where, 'optim.batchSize', 'batch size too large', `at most ${LIMITS.batchSize}`, `${config.optim.batchSize}`) : undefined) ??
    (config.optim.epochs > LIMITS.epochs ? fail(where, 'optim.epochs', 'epoch count too large', `at most ${LIMITS.epochs}`, `${config.optim.epochs}`) : undefined)
  );
}
