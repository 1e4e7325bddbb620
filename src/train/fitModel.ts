/**
 * `fit` for any model: a loss function `(params, state, batch, key) → { loss, aux?, state }`
 * over any parameter tree, an optimizer from ssmjit/optim, and batches from any iterable. One
 * compiled step per batch (T.valueAndGrad, the optimizer update and the new model state in one
 * program, or the interpreter with `execution: 'eager'`); with a run directory, the files of
 * the built-in runs: `metrics.jsonl`, `plot.svg`, and checkpoints `last` (every epoch and when
 * stopped) and `best` (lowest validation loss), written atomically with checksums
 * (src/io/checkpoint.ts), under the directory's lock. `resume: true` continues from `last`
 * exactly: same parameters, model and optimizer state, step and PRNG key, and the batches of the
 * interrupted epoch already taken are skipped.
 *
 * Train records hold the mean loss and the mean of every scalar in aux since the previous
 * record; val records the means over the validation batches. A non-finite loss stops the run
 * before its update; a state holding a non-finite value is never saved.
 */
import { existsSync } from 'node:fs';
import * as T from '../index';
import { type ProgressStream, createProgress } from '../cli/progress';
import { checkpointPaths, loadCheckpoint, saveCheckpoint } from '../io/checkpoint';
import { FormatError } from '../io/formatError';
import type { MetricRecord } from '../io/metrics';
import type { Tensor as HostTensor } from '../io/tensor';
import { type GradientTransformation, applyUpdates } from '../optim/transform';
import { addTree, restoreTree } from './checkpointing';
import { yieldToEventLoop } from './evaluate';
import { BEST_CHECKPOINT, LAST_CHECKPOINT, RunFiles } from './runFiles';
import { roundToFloat32 } from './step';

/** What a model's loss function returns for one batch. */
export interface LossOutput<S, Aux = unknown> {
  /** The batch loss, an f32 scalar (what is minimised). */
  readonly loss: T.Tensor<'f32'>;
  /** Anything else to return (its f32 scalars are averaged into the metrics). */
  readonly aux?: Aux;
  /** The model state after the batch (BatchNorm statistics, …); return the input state if there is none. */
  readonly state: S;
}

export type LossFunction<P, S, B, Aux = unknown> = (params: P, state: S, batch: B, key: T.random.Key) => LossOutput<S, Aux>;

export interface FitModelOptions<P, S, B, Aux = unknown> {
  /** Initial parameters and model state (also the templates a checkpoint is restored into). */
  readonly init: { readonly params: P; readonly state: S };
  readonly loss: LossFunction<P, S, B, Aux>;
  /** Validation scoring (default: `loss` with a fixed key, its state discarded). */
  readonly evaluate?: (params: P, state: S, batch: B) => Omit<LossOutput<S, Aux>, 'state'>;
  readonly optimizer: GradientTransformation<any>;
  /** The training batches of an epoch (0-based); shuffle by epoch inside. */
  readonly trainBatches: (epoch: number) => Iterable<B>;
  readonly valBatches?: () => Iterable<B>;
  readonly epochs: number;
  readonly maxSteps?: number;
  /** Batches per epoch, for the progress bar (default: counted in the first epoch). */
  readonly stepsPerEpoch?: number;
  /** Seed of the run's PRNG key (the key of step k is foldIn(key(seed), k)). */
  readonly seed?: number;
  /** Run directory (checkpoints, metrics, plot); omitted: nothing is written. */
  readonly dir?: string;
  /** Continue from `<dir>/last` when it exists. */
  readonly resume?: boolean;
  readonly execution?: 'jit' | 'eager';
  /** A train record every n steps (default 50). */
  readonly logEvery?: number;
  readonly progress?: ProgressStream | false;
  readonly log?: (line: string) => void;
  readonly plotTitle?: string | false;
  /** Stored in every checkpoint's record (any JSON object: what the run was). */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Checked before every step; true stops the run after saving `last`. */
  readonly shouldStop?: () => boolean;
}

export interface FitModelResult<P, S> {
  readonly params: P;
  readonly state: S;
  readonly opt: unknown;
  readonly step: number;
  readonly epoch: number;
  readonly reason: 'completed' | 'max-steps' | 'interrupted' | 'diverged';
  readonly message?: string;
  readonly bestValLoss?: number;
  readonly metrics: readonly MetricRecord[];
}

interface History {
  bestValLoss?: number;
  bestEpoch?: number;
  /** Batches of the current epoch already taken. */
  epochStep: number;
}

const scalarLeaves = (aux: unknown): [string, T.Tensor][] => {
  if (aux === undefined) return [];
  const leaves = T.tree.leaves(aux);
  const paths = T.tree.treePaths(aux);
  return leaves.flatMap((l, i) => (l.size === 1 && l.dtype === 'f32' ? [[paths[i] || 'aux', l] as [string, T.Tensor]] : []));
};

function firstNonFinite(trees: Record<string, unknown>): string | undefined {
  for (const [name, tree] of Object.entries(trees)) {
    const paths = T.tree.treePaths(tree);
    const bad = T.tree.leaves(tree).findIndex((l) => (l.dtype === 'f32' || l.dtype === 'c64') && !l.data64().every(Number.isFinite));
    if (bad >= 0) return `${name}.${paths[bad]}`;
  }
  return undefined;
}

class Means {
  private sums = new Map<string, number>();
  count = 0;
  add(values: [string, number][]): void {
    this.count += 1;
    for (const [k, v] of values) this.sums.set(k, (this.sums.get(k) ?? 0) + v);
  }
  take(): Record<string, number> {
    const out = Object.fromEntries([...this.sums].map(([k, v]) => [k, v / this.count]));
    this.sums = new Map();
    this.count = 0;
    return out;
  }
}

/** Trains `options.loss` with `options.optimizer`; see the module comment. */
export async function fitModel<P, S, B, Aux = unknown>(options: FitModelOptions<P, S, B, Aux>): Promise<FitModelResult<P, S>> {
  const { init, optimizer, epochs, dir, logEvery = 50 } = options;
  if (!(Number.isSafeInteger(epochs) && epochs >= 1)) throw new RangeError(`fit: epochs must be a positive integer, got ${epochs}`);
  if (typeof options.loss !== 'function') throw new TypeError('fit: options.loss must be a function (params, state, batch, key) => { loss, aux?, state }');
  const baseKey = T.random.key(options.seed ?? 0);
  const maxSteps = options.maxSteps ?? Infinity;
  const stream = options.progress === false ? undefined : (options.progress ?? process.stderr);
  const log = options.log ?? ((line: string) => stream?.write(`${line}\n`));

  let params = init.params;
  let state = init.state;
  let opt: unknown = optimizer.init(init.params);
  let step = 0;
  let epoch = 0;
  let history: History = { epochStep: 0 };

  if (options.resume && dir !== undefined && existsSync(checkpointPaths(dir, LAST_CHECKPOINT).tensors)) {
    const loaded = loadCheckpoint(dir, LAST_CHECKPOINT);
    const file = checkpointPaths(dir, LAST_CHECKPOINT).tensors;
    const expected = new Set(Object.keys(tensorsOf(params, state, opt)));
    const extra = Object.keys(loaded.tensors).find((n) => !expected.has(n));
    if (extra !== undefined) throw new FormatError('checkpoint has a tensor this model does not', { file, field: extra, expected: 'only tensors of this model and optimizer' });
    params = restoreTree(loaded.tensors, 'params', params, file);
    state = restoreTree(loaded.tensors, 'state', state, file);
    opt = restoreTree(loaded.tensors, 'opt', opt, file);
    step = loaded.step;
    epoch = loaded.epoch ?? 0;
    history = { epochStep: 0, ...((loaded.config.history ?? {}) as Partial<History>) };
    log(`resuming from ${dir}/${LAST_CHECKPOINT} at step ${step} (epoch ${epoch + 1})`);
  }

  // State from before this run's first step belongs to the caller and is never released here.
  const startStep = step;
  const lossAndAux = (p: P, s: S, b: B, k: T.random.Key) => {
    const out = options.loss(p, s, b, k);
    return [out.loss, { state: out.state, aux: out.aux }] as const;
  };
  const vg = T.valueAndGrad(lossAndAux, { hasAux: true });
  const stepFn = (p: P, s: S, o: unknown, b: B, k: T.random.Key) => {
    const [[loss, { state: next, aux }], grads] = vg(p, s, b, k);
    const u = optimizer.update(grads, o, p);
    return { params: applyUpdates(p, u.updates), state: next, opt: u.state, loss, aux };
  };
  const evalFn = (p: P, s: S, b: B) => {
    const out = options.evaluate ? options.evaluate(p, s, b) : options.loss(p, s, b, baseKey);
    return { loss: out.loss, aux: out.aux };
  };
  const jitted = options.execution !== 'eager';
  // The step's outputs stay on the device: parameters, state and optimizer state are read back
  // only for checkpoints and at the end; each step reads the loss and the scalar aux values.
  const runStep = jitted ? T.jit(stepFn, { deviceOutputs: true }) : async (...a: Parameters<typeof stepFn>) => roundToFloat32(stepFn(...a));
  const runEval = jitted ? T.jit(evalFn) : async (...a: Parameters<typeof evalFn>) => evalFn(...a);

  const files = new RunFiles(dir, undefined, options.plotTitle ?? 'training', step);
  const save = async (name: string): Promise<boolean> => {
    await T.deviceGet({ params, state, opt });
    const bad = firstNonFinite({ params, state, opt });
    if (bad !== undefined) {
      reason = 'diverged';
      message = `the training state became non-finite at step ${step}: ${bad}; nothing was saved from it`;
      return false;
    }
    if (dir === undefined) return true;
    saveCheckpoint(dir, name, {
      step,
      epoch,
      config: { fit: options.config ?? {}, history: { ...history } },
      optimizer: { name: 'gradient-transformation' },
      prngKey: Array.from(baseKey.data()),
      tensors: tensorsOf(params, state, opt),
    });
    return true;
  };

  let reason: FitModelResult<P, S>['reason'] = 'completed';
  let message: string | undefined;
  const means = new Means();
  let perEpoch = options.stepsPerEpoch;
  try {
    while (epoch < epochs && reason === 'completed') {
      const progress = stream && perEpoch !== undefined ? createProgress({ total: perEpoch, label: `epoch ${epoch + 1}/${epochs}`, stream }) : undefined;
      let index = 0;
      for (const batch of options.trainBatches(epoch)) {
        index += 1;
        if (index <= history.epochStep) continue;
        if (options.shouldStop?.()) reason = 'interrupted';
        else if (step >= maxSteps) reason = 'max-steps';
        if (reason !== 'completed') break;
        const out = await runStep(params, state, opt, batch, T.random.foldIn(baseKey, step));
        await T.deviceGet([out.loss, scalarLeaves(out.aux).map(([, v]) => v)]);
        const loss = out.loss.item() as number;
        if (!Number.isFinite(loss)) {
          reason = 'diverged';
          message = `the training loss became ${loss} at step ${step + 1} (epoch ${epoch + 1}); training stopped without applying that update`;
          break;
        }
        if (step > startStep) T.releaseDevice({ params, state, opt });
        ({ params, state, opt } = out);
        step += 1;
        history.epochStep = index;
        means.add([['loss', loss], ...scalarLeaves(out.aux).map(([k, v]) => [k, v.item() as number] as [string, number])]);
        // Read (and kept on the host); their device copies, and any aux value not read, are freed now.
        T.releaseDevice([out.loss, out.aux]);
        progress?.update({ step: index, loss });
        if (step % logEvery === 0) files.record({ split: 'train', step, epoch, ...means.take() });
        await yieldToEventLoop();
      }
      progress?.finish();
      if (reason !== 'completed') break;
      perEpoch ??= index;
      epoch += 1;
      history.epochStep = 0;
      let line = `epoch ${epoch}/${epochs}`;
      if (options.valBatches) {
        const val = new Means();
        for (const batch of options.valBatches()) {
          const out = await runEval(params, state, batch);
          val.add([['loss', out.loss.item() as number], ...scalarLeaves(out.aux).map(([k, v]) => [k, v.item() as number] as [string, number])]);
        }
        const scores = val.take();
        files.record({ split: 'val', step, epoch, ...scores });
        line += `: validation loss ${scores.loss?.toFixed(4)}`;
        if (Number.isFinite(scores.loss) && (history.bestValLoss === undefined || scores.loss < history.bestValLoss)) {
          history = { ...history, bestValLoss: scores.loss, bestEpoch: epoch };
          if (!(await save(BEST_CHECKPOINT))) break;
          line += ' (best so far)';
        }
      }
      log(line);
      if (!(await save(LAST_CHECKPOINT))) break;
      files.plot();
    }
    if (reason === 'max-steps' || reason === 'interrupted') await save(LAST_CHECKPOINT);
    files.plot();
    await T.deviceGet({ params, state, opt });
  } finally {
    files.close();
  }
  return {
    params,
    state,
    opt,
    step,
    epoch,
    reason,
    ...(message !== undefined ? { message } : {}),
    ...(history.bestValLoss !== undefined ? { bestValLoss: history.bestValLoss } : {}),
    metrics: files.metrics,
  };
}

/** Every tensor of a run's state, by name: params.<path>, state.<path>, opt.<path>. */
function tensorsOf(params: unknown, state: unknown, opt: unknown): Record<string, HostTensor> {
  const out: Record<string, HostTensor> = {};
  addTree(out, 'params', params);
  addTree(out, 'state', state);
  addTree(out, 'opt', opt);
  return out;
}
