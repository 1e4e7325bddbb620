/**
 * Training state <-> checkpoint content, on bytes and tensors only (browsers too; the files are
 * checkpointing.ts's). Tensor names are tree paths under a prefix:
 *   params.<path>        model parameters, e.g. params.layers[0].ssm.B
 *   model_state.<path>   BatchNorm running statistics
 *   opt.mu.<path>, opt.nu.<path>, opt.count   optimizer moments and step count
 * Complex tensors are stored as F32 with a trailing dimension 2 (re, im), as S5 stores B and C.
 * The record holds the run config, the step and completed epochs, the run's PRNG key, the
 * optimizer description and the run history (best validation epoch and its test score).
 *
 * Opening a checkpoint checks its record against the tensors before anything is built from it
 * (model sizes and parameter count, see checkModelAgainstTensors); loading then checks every
 * tensor against a template (the freshly initialised state of the same config).
 */
import * as t from 'io-ts';
import * as T from '../index';
import { NonNegativeInt } from '../io/codecs';
import { decodeWith } from '../io/ioTsReport';
import { type Checkpoint, type LoadedCheckpoint, decodeCheckpoint } from '../io/checkpointRecord';
import { FormatError } from '../io/formatError';
import type { Tensor as HostTensor, TensorMap } from '../io/tensor';
import { type RunConfig, decodeRunConfig } from './config';
import type { Optimizer } from './optimizer';
import type { TrainCarry } from './step';
import type { ModelParams } from '../models/seqModel';
import type { ModelConfig } from '../models/config';
import { expectedParameterCount } from './limits';

/** Sums over the training steps since the last 'train' metrics record (so a resumed run logs the same records). */
export const TrainWindowCodec = t.type({ loss: t.number, correct: t.number, examples: NonNegativeInt, steps: NonNegativeInt });
export type TrainWindow = t.TypeOf<typeof TrainWindowCodec>;

/** Progress that survives a restart: the best validation epoch so far and its scores, and the open metrics window. */
export const RunHistoryCodec = t.partial({
  bestValAccuracy: t.number,
  bestValLoss: t.number,
  bestEpoch: NonNegativeInt,
  testAtBest: t.intersection([t.type({ loss: t.number }), t.partial({ accuracy: t.number })]),
  trainWindow: TrainWindowCodec,
});
export type RunHistory = t.TypeOf<typeof RunHistoryCodec>;

export interface TrainingSnapshot {
  readonly config: RunConfig;
  readonly carry: TrainCarry;
  /** Optimizer steps taken. */
  readonly step: number;
  /** Completed epochs. */
  readonly epoch: number;
  /** The run's PRNG key (i32[2]); shuffles and dropout keys are derived from it. */
  readonly key: T.random.Key;
  readonly history: RunHistory;
}

const PREFIXES = { params: 'params', modelState: 'model_state', mu: 'opt.mu', nu: 'opt.nu' } as const;

export function hostTensor(leaf: T.Tensor): HostTensor {
  switch (leaf.dtype) {
    case 'f32':
      return { dtype: 'F32', shape: [...leaf.shape], data: leaf.data() as Float32Array };
    case 'c64':
      return { dtype: 'F32', shape: [...leaf.shape, 2], data: leaf.data() as Float32Array };
    case 'i32':
      return { dtype: 'I32', shape: [...leaf.shape], data: leaf.data() as Int32Array };
    case 'bool':
      return { dtype: 'BOOL', shape: [...leaf.shape], data: leaf.data() as Uint8Array };
  }
}

export function addTree(out: Record<string, HostTensor>, prefix: string, tree: unknown): void {
  const [leaves] = T.tree.flatten(tree);
  T.tree.treePaths(tree).forEach((path, i) => {
    out[`${prefix}.${path}`] = hostTensor(leaves[i] as T.Tensor);
  });
}

/** All tensors of a training state, by name. */
export function carryTensors(carry: TrainCarry): TensorMap {
  const out: Record<string, HostTensor> = {};
  addTree(out, PREFIXES.params, carry.params);
  addTree(out, PREFIXES.modelState, carry.modelState);
  addTree(out, PREFIXES.mu, carry.opt.mu);
  addTree(out, PREFIXES.nu, carry.opt.nu);
  out['opt.count'] = hostTensor(carry.opt.count);
  return out;
}

const HOST_DTYPE: Record<string, HostTensor['dtype']> = { f32: 'F32', c64: 'F32', i32: 'I32', bool: 'BOOL' };

/** The tensor `name` of a loaded file as a DSL tensor shaped like `like`. */
function restoreLeaf(tensors: TensorMap, name: string, like: T.Tensor, file: string): T.Tensor {
  const stored = tensors[name];
  const shape = like.dtype === 'c64' ? [...like.shape, 2] : [...like.shape];
  const expected = `${HOST_DTYPE[like.dtype]} [${shape.join(', ')}]${like.dtype === 'c64' ? ' (complex as re, im)' : ''}`;
  if (stored === undefined) throw new FormatError('checkpoint is missing a tensor', { file, field: name, expected });
  if (stored.dtype !== HOST_DTYPE[like.dtype] || stored.shape.join(',') !== shape.join(',')) {
    throw new FormatError('checkpoint tensor has the wrong type or shape for this model', {
      file,
      field: name,
      expected,
      actual: `${stored.dtype} [${stored.shape.join(', ')}]`,
    });
  }
  return T.tensor(stored.data, like.dtype, like.shape);
}

export function restoreTree<X>(tensors: TensorMap, prefix: string, template: X, file: string): X {
  const [leaves, def] = T.tree.flatten(template);
  const paths = T.tree.treePaths(template);
  return T.tree.unflatten<X>(def, paths.map((path, i) => restoreLeaf(tensors, `${prefix}.${path}`, leaves[i] as T.Tensor, file)));
}

/** Rebuilds a training state from checkpoint tensors, shaped like `template`. */
export function restoreCarry(tensors: TensorMap, template: TrainCarry, file: string): TrainCarry {
  const expectedNames = new Set(Object.keys(carryTensors(template)));
  const extra = Object.keys(tensors).find((name) => !expectedNames.has(name));
  if (extra !== undefined) throw new FormatError('checkpoint has a tensor this model does not', { file, field: extra, expected: 'only tensors of the configured model and optimizer' });
  return {
    params: restoreTree(tensors, PREFIXES.params, template.params, file),
    modelState: restoreTree(tensors, PREFIXES.modelState, template.modelState, file),
    opt: {
      count: restoreLeaf(tensors, 'opt.count', template.opt.count, file) as T.Tensor<'f32'>,
      mu: restoreTree(tensors, PREFIXES.mu, template.opt.mu, file),
      nu: restoreTree(tensors, PREFIXES.nu, template.opt.nu, file),
    },
  };
}

/** How the optimizer is described in the record (its tensors are in the file). */
export function optimizerRecord(optimizer: Optimizer<ModelParams>, params: ModelParams): Record<string, unknown> {
  const paths = T.tree.treePaths(params);
  return {
    name: 'adamw',
    ...optimizer.hyper,
    leaves: Object.fromEntries(paths.map((path, i) => [path, optimizer.rules[i]])),
  };
}

/** A checkpoint's run config and raw content, before the model is rebuilt. */
export interface OpenedCheckpoint {
  readonly file: string;
  readonly config: RunConfig;
  readonly history: RunHistory;
  readonly loaded: LoadedCheckpoint;
}

/** The parameter tensors' sizes a model config must agree with, read from the file's shapes. */
function fileDims(tensors: TensorMap): { kind?: 's5' | 's4' | 's4d'; layers: number; encoder?: readonly number[]; decoder?: readonly number[]; ssm?: readonly number[]; parameters: number } {
  const indices = new Set<number>();
  let parameters = 0;
  for (const [name, tensor] of Object.entries(tensors)) {
    const layer = /^params\.layers\[(\d+)\]\./.exec(name);
    if (layer) indices.add(Number(layer[1]));
    if (name.startsWith('params.')) parameters += tensor.shape.reduce((a, b) => a * b, 1) * (tensor.dtype === 'C64' ? 2 : 1);
  }
  const ssm = tensors['params.layers[0].ssm.Lambda_re'] ?? tensors['params.layers[0].ssm.A_imag'];
  const kind = tensors['params.layers[0].ssm.Lambda_re'] ? 's5' : tensors['params.layers[0].ssm.P'] ? 's4' : tensors['params.layers[0].ssm.A_imag'] ? 's4d' : undefined;
  return {
    kind,
    layers: indices.size,
    encoder: tensors['params.encoder.kernel']?.shape,
    decoder: tensors['params.decoder.kernel']?.shape,
    ssm: ssm?.shape,
    parameters,
  };
}

/**
 * Refuses a run config whose model sizes disagree with the tensors of its file (checked before
 * the model is built, so an edited record cannot make the loader allocate an arbitrary amount).
 */
export function checkModelAgainstTensors(model: ModelConfig, tensors: TensorMap, file: string): void {
  const dims = fileDims(tensors);
  const mismatch = (field: string, actual: number, expected: string) =>
    new FormatError("checkpoint record does not match the file's tensors", { file, field: `config.run.model.${field}`, expected, actual: `${actual}` });
  const shape = (s: readonly number[]) => `[${s.join(', ')}]`;
  if (dims.kind !== undefined && dims.kind !== model.ssm.kind) {
    throw new FormatError("checkpoint record does not match the file's tensors", { file, field: 'config.run.model.ssm.kind', expected: `"${dims.kind}" (the SSM tensors in the file)`, actual: `"${model.ssm.kind}"` });
  }
  if (model.nLayers !== dims.layers) throw mismatch('nLayers', model.nLayers, `${dims.layers} (the layers params.layers[i] in the file)`);
  if (dims.encoder?.length === 2) {
    if (model.dInput !== dims.encoder[0]) throw mismatch('dInput', model.dInput, `${dims.encoder[0]} (params.encoder.kernel is ${shape(dims.encoder)})`);
    if (model.dModel !== dims.encoder[1]) throw mismatch('dModel', model.dModel, `${dims.encoder[1]} (params.encoder.kernel is ${shape(dims.encoder)})`);
  }
  if (dims.decoder?.length === 2) {
    const [field, outputs] = model.head.kind === 'classification' ? ['head.nClasses', model.head.nClasses] : ['head.dOutput', model.head.dOutput];
    if (outputs !== dims.decoder[1]) throw mismatch(field, outputs, `${dims.decoder[1]} (params.decoder.kernel is ${shape(dims.decoder)})`);
  }
  if (dims.ssm !== undefined) {
    const ssm = model.ssm;
    const stored = dims.ssm[dims.ssm.length - 1];
    if (ssm.kind === 's5' && (ssm.conjSym ? ssm.P / 2 : ssm.P) !== stored) {
      throw mismatch('ssm.P', ssm.P, `${ssm.conjSym ? 2 * stored : stored} (${stored} ${ssm.conjSym ? 'conjugate pairs' : 'states'} in params.layers[0].ssm.Lambda_re)`);
    }
    if (ssm.kind !== 's5' && ssm.N / 2 !== stored) throw mismatch('ssm.N', ssm.N, `${2 * stored} (params.layers[0].ssm.A_imag is ${shape(dims.ssm)})`);
  }
  const expected = expectedParameterCount(model);
  if (expected !== dims.parameters) {
    throw new FormatError("checkpoint record does not match the file's tensors", {
      file,
      field: 'config.run.model',
      expected: `a model of ${dims.parameters} parameters (the params.* tensors in the file)`,
      actual: `a model of ${expected} parameters`,
    });
  }
}

/** The first tensor of a training state holding a NaN or an infinity, by checkpoint name. */
export function firstNonFinite(carry: TrainCarry): { name: string; value: number } | undefined {
  for (const [name, tensor] of Object.entries(carryTensors(carry))) {
    if (tensor.dtype !== 'F32') continue;
    const data = tensor.data as Float32Array;
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return { name, value: data[i] };
  }
  return undefined;
}

/** The full snapshot of an opened checkpoint, given the template state of its config. */
export function snapshotOf(opened: OpenedCheckpoint, template: TrainCarry): TrainingSnapshot {
  const { loaded, file } = opened;
  return {
    config: opened.config,
    carry: restoreCarry(loaded.tensors, template, file),
    step: loaded.step,
    epoch: loaded.epoch ?? 0,
    key: T.tensor(loaded.prngKey, 'i32', [2]) as T.random.Key,
    history: opened.history,
  };
}

/** The checkpoint of a snapshot: what `ssmjit train` saves (checkpointRecord.ts encodes it to bytes). */
export function snapshotCheckpoint(snapshot: TrainingSnapshot, optimizer: Optimizer<ModelParams>): Checkpoint {
  return {
    step: snapshot.step,
    epoch: snapshot.epoch,
    config: { run: snapshot.config, history: snapshot.history },
    optimizer: optimizerRecord(optimizer, snapshot.carry.params),
    prngKey: Array.from(snapshot.key.data()),
    tensors: carryTensors(snapshot.carry),
  };
}

/** Validates a loaded checkpoint's run config and history against its tensors (nothing is built yet). */
export function openLoadedCheckpoint(loaded: LoadedCheckpoint, file: string): OpenedCheckpoint {
  const stored = loaded.config as { run?: unknown; history?: unknown };
  const config = decodeRunConfig(stored.run, { file, field: 'config.run' });
  if (config._tag === 'Left') throw config.left;
  const history = decodeWith(RunHistoryCodec, stored.history ?? {}, { file, field: 'config.history' }, 'invalid run history');
  if (history._tag === 'Left') throw history.left;
  if (loaded.prngKey.length !== 2) throw new FormatError('checkpoint PRNG key must have 2 words', { file, field: 'prngKey', actual: `${loaded.prngKey.length} words` });
  checkModelAgainstTensors(config.right.model, loaded.tensors, file);
  return { file, config: config.right, history: history.right, loaded };
}

/** A checkpoint's .safetensors bytes (a file the user picked, a download) opened as `openCheckpoint` opens a path. */
export function openCheckpointBytes(bytes: Uint8Array, file: string): OpenedCheckpoint {
  const decoded = decodeCheckpoint(bytes, file);
  if (decoded._tag === 'Left') throw decoded.left;
  return openLoadedCheckpoint({ ...decoded.right.checkpoint, notes: [] }, file);
}
