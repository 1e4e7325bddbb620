/**
 * The training loop. Each epoch shuffles the training set with the run's shuffle key, runs one
 * compiled training step per full batch (drop_last), then evaluates on the validation set; when
 * validation improves (accuracy, or loss for regression) it evaluates the test set and saves the
 * `best` checkpoint, so the reported test score is the one at the best validation epoch. The
 * `last` checkpoint is saved every `checkpointEvery` epochs, at the end, and when the run is
 * stopped early (max steps, interruption), including in the middle of an epoch: a resumed run
 * skips the batches of the epoch already taken and continues exactly as an uninterrupted run.
 *
 * A non-finite loss stops the run before its update is applied; so do non-finite validation or
 * test scores, and a checkpoint is never written from a state holding a NaN or an infinity: the
 * checkpoints on disk are left as they were (the last good state).
 *
 * Metrics: a 'train' record at every step that is a multiple of `logEvery` (mean loss and
 * accuracy over the steps since the previous one, the rate, examples per second; its `epoch` is
 * the 0-based epoch in progress; the open sums are saved in checkpoints so a resumed run writes
 * the same records), and 'val' / 'test' records after each epoch (their `epoch` counts the
 * epochs completed).
 */
import * as T from '../index';
import { batches } from '../data/batching';
import { type ProgressReporter, type ProgressStream, createProgress } from '../cli/progress';
import type { MetricRecord } from '../io/metrics';
import { batchTensors } from './batchTensors';
import { type RunHistory, type TrainWindow, type TrainingSnapshot, firstNonFinite } from './snapshot';
import type { RunConfig } from './config';
import { type Scores, compileEvalStep, evaluate, evaluateUnlessStopped, yieldToEventLoop } from './evaluate';
import { ratesOf } from './optimizer';
// runFiles.ts under Node, runFilesMemory.ts in a browser (package.json `imports`).
import { BEST_CHECKPOINT, LAST_CHECKPOINT, RunFiles } from '#run-files';
import { learningRate } from './schedule';
import { type RunSetup, scheduleOf, shuffleOf } from './setup';
import { type TrainCarry, compileStep, stepBatch, trainStepFunction } from './step';
import type { TaskData } from './tasks';

export interface StepInfo {
  /** Steps completed (1-based index of the step just taken). */
  readonly step: number;
  /** 0-based epoch the step belongs to. */
  readonly epoch: number;
  readonly loss: number;
  readonly lr: number;
  readonly ssmLr: number;
  readonly seconds: number;
}

export interface FitOptions {
  /** Run directory for metrics, plot and checkpoints; omitted: nothing is written. */
  readonly dir?: string;
  /** Save `last` every n epochs (default 1). */
  readonly checkpointEvery?: number;
  /** Write a training metrics record every n steps (default 50). */
  readonly logEvery?: number;
  /** Where progress goes (default process.stderr under Node, none in a browser); false for none. */
  readonly progress?: ProgressStream | false;
  /** Status lines, one per epoch (default: written to the progress stream). */
  readonly log?: (line: string) => void;
  readonly onStep?: (info: StepInfo) => void;
  /**
   * Checked before every step and between evaluation batches (the loop yields to the event loop
   * after each, so a signal handler can set it); true stops the run after saving `last`.
   */
  readonly shouldStop?: () => boolean;
  /** Title of plot.svg; false writes no plot. */
  readonly plotTitle?: string | false;
}

export type StopReason = 'completed' | 'max-steps' | 'interrupted' | 'diverged';

export interface FitResult {
  readonly snapshot: TrainingSnapshot;
  readonly reason: StopReason;
  /** Why the run diverged, when it did. */
  readonly message?: string;
  readonly stepsPerEpoch: number;
  /** Seconds of the first step of this segment (it includes compilation under jit). */
  readonly firstStepSeconds?: number;
  /** Mean seconds of the later steps. */
  readonly secondsPerStep?: number;
  /** Mean seconds per completed epoch of training (evaluation excluded). */
  readonly secondsPerEpoch?: number;
  readonly metrics: readonly MetricRecord[];
  readonly lastCheckpoint?: string;
}

/** The starting point of a fresh run. */
export const freshSnapshot = (config: RunConfig, setup: RunSetup): TrainingSnapshot => ({
  config,
  carry: setup.initial,
  step: 0,
  epoch: 0,
  key: setup.runKey,
  history: {},
});

/** Better validation: higher accuracy (classification), else lower loss. Ties keep the earlier epoch. */
function improves(val: Scores, history: RunHistory): boolean {
  if (val.accuracy !== undefined) return history.bestValAccuracy === undefined || val.accuracy > history.bestValAccuracy;
  return history.bestValLoss === undefined || val.loss < history.bestValLoss;
}

const scoreText = (s: Scores): string => `loss ${s.loss.toFixed(4)}${s.accuracy !== undefined ? `, accuracy ${(100 * s.accuracy).toFixed(2)}%` : ''}`;

const finiteScores = (s: Scores): boolean => Number.isFinite(s.loss) && (s.accuracy === undefined || Number.isFinite(s.accuracy));

const EMPTY_WINDOW: TrainWindow = { loss: 0, correct: 0, examples: 0, steps: 0 };

export async function fit(config: RunConfig, setup: RunSetup, data: TaskData, start: TrainingSnapshot, options: FitOptions = {}): Promise<FitResult> {
  const { checkpointEvery = 1, logEvery = 50 } = options;
  const { stepsPerEpoch, schedule } = scheduleOf(config, data.train.size);
  const stream = options.progress === false ? undefined : (options.progress ?? (globalThis as { process?: { stderr?: ProgressStream } }).process?.stderr);
  const log = options.log ?? ((line: string) => stream?.write(`${line}\n`));
  const files = new RunFiles(options.dir, setup.optimizer, options.plotTitle ?? `${config.task.name} / ${config.model.ssm.kind}`, start.step);
  try {
    const rollback = files.rollback;
    if (rollback !== undefined && (rollback.droppedAfter > 0 || rollback.repaired.length > 0)) {
      if (rollback.droppedAfter > 0) log(`${files.metricsFile}: dropped ${rollback.droppedAfter} record(s) after step ${start.step} (written after the checkpoint)`);
      for (const line of rollback.repaired) log(`dropped an unreadable line: ${line}`);
      files.plot();
    }
    return await fitSteps(config, setup, data, start, options, files, log, stream, { checkpointEvery, logEvery, stepsPerEpoch, schedule });
  } finally {
    files.close();
  }
}

interface Plan {
  readonly checkpointEvery: number;
  readonly logEvery: number;
  readonly stepsPerEpoch: number;
  readonly schedule: ReturnType<typeof scheduleOf>['schedule'];
}

async function fitSteps(
  config: RunConfig,
  setup: RunSetup,
  data: TaskData,
  start: TrainingSnapshot,
  options: FitOptions,
  files: RunFiles,
  log: (line: string) => void,
  stream: ProgressStream | undefined,
  plan: Plan,
): Promise<FitResult> {
  const { checkpointEvery, logEvery, stepsPerEpoch, schedule } = plan;
  const { optim } = config;
  const trainStep = compileStep(trainStepFunction(setup.model, setup.optimizer, { clipNorm: optim.clipNorm }), config.execution, { deviceOutputs: true });
  const evalStep = compileEvalStep(setup.model, config.execution);
  const shuffle = shuffleOf(setup.keys);
  const useDropout = config.model.dropout > 0;
  const maxSteps = optim.maxSteps ?? Infinity;
  const startTime = Date.now();
  const seconds = () => (Date.now() - startTime) / 1000;
  const stopRequested = options.shouldStop ?? (() => false);

  let carry: TrainCarry = start.carry;
  let { step, epoch } = start;
  const { trainWindow: savedWindow, ...savedHistory } = start.history;
  let history: RunHistory = savedHistory;
  // Sums since the last 'train' record; records are written when the step is a multiple of logEvery.
  let window: TrainWindow = savedWindow ?? EMPTY_WINDOW;
  let segment = { examples: 0, started: Date.now() };
  let progress: ProgressReporter | undefined;
  const snapshot = (): TrainingSnapshot => ({ config, carry, step, epoch, key: start.key, history: window.steps > 0 ? { ...history, trainWindow: window } : history });

  const stepTimes: number[] = [];
  const epochTimes: number[] = [];
  let reason: StopReason = 'completed';
  let message: string | undefined;

  /**
   * Saves a checkpoint unless the state holds a non-finite value (then the run has diverged).
   * The state is read back from the device here, and only here and at the end of the run.
   */
  const save = async (name: string): Promise<boolean> => {
    await T.deviceGet(carry);
    const bad = firstNonFinite(carry);
    if (bad !== undefined) {
      reason = 'diverged';
      const shownEpoch = step > epoch * stepsPerEpoch ? epoch + 1 : epoch;
      message = `the training state became non-finite at step ${step} (epoch ${shownEpoch}): ${bad.name} holds ${bad.value}; nothing was saved from it. ` +
        'Try a lower --lr/--ssm-lr or --clip-norm.';
      return false;
    }
    files.checkpoint(name, snapshot());
    return true;
  };

  while (epoch < optim.epochs && reason === 'completed') {
    if (step >= maxSteps) {
      reason = 'max-steps';
      break;
    }
    const skip = step - epoch * stepsPerEpoch;
    const epochStart = Date.now();
    progress = stream && createProgress({ total: stepsPerEpoch, label: `epoch ${epoch + 1}/${optim.epochs}`, batchSize: optim.batchSize, stream });
    for (const batch of batches(data.train, { batchSize: optim.batchSize, shuffle, epoch, dropLast: true })) {
      if (batch.index < skip) continue;
      if (stopRequested()) {
        reason = 'interrupted';
        break;
      }
      if (step >= maxSteps) {
        reason = 'max-steps';
        break;
      }
      const lr = learningRate(schedule, optim.lr, step);
      const ssmLr = learningRate(schedule, optim.ssmLr, step);
      const key = useDropout ? T.random.foldIn(setup.keys.dropout, step) : undefined;
      const t0 = Date.now();
      const result = await trainStep(carry, stepBatch(batchTensors(batch)), ratesOf(lr, ssmLr), key);
      await T.deviceGet([result.loss, result.correct]);
      // Read (and kept on the host); the device copies and the unread grad-norm are freed now.
      T.releaseDevice([result.loss, result.correct, result.gradNorm]);
      const loss = result.loss.item() as number;
      const elapsed = (Date.now() - t0) / 1000;
      if (!Number.isFinite(loss)) {
        reason = 'diverged';
        message = `the training loss became ${loss} at step ${step + 1} (epoch ${epoch + 1}); training stopped without applying that update. ` +
          'Try a lower --lr/--ssm-lr or --clip-norm.';
        break;
      }
      // The previous state is dropped from the device now unless the caller handed it in (a
      // start snapshot stays usable); device memory does not wait for garbage collection.
      if (carry !== start.carry) T.releaseDevice(carry);
      carry = result.carry;
      step += 1;
      stepTimes.push(elapsed);
      window = { loss: window.loss + loss, correct: window.correct + (result.correct.item() as number), examples: window.examples + batch.size, steps: window.steps + 1 };
      segment = { ...segment, examples: segment.examples + batch.size };
      progress?.update({ step: batch.index + 1, loss, lr });
      options.onStep?.({ step, epoch, loss, lr, ssmLr, seconds: elapsed });
      if (step % logEvery === 0) {
        const span = (Date.now() - segment.started) / 1000;
        files.record({
          split: 'train', step, epoch, loss: window.loss / window.steps, lr, time: seconds(), throughput: segment.examples / span,
          ...(data.train.targets.kind === 'classes' ? { accuracy: window.correct / window.examples } : {}),
        });
        window = EMPTY_WINDOW;
        segment = { examples: 0, started: Date.now() };
      }
      // Let signal handlers (Ctrl-C) and pending I/O run between steps.
      await yieldToEventLoop();
    }
    progress?.finish();
    progress = undefined;
    if (reason !== 'completed') break;
    if (step < (epoch + 1) * stepsPerEpoch) break; // stopped inside the epoch
    epochTimes.push((Date.now() - epochStart) / 1000);

    const val = await evaluateUnlessStopped(evalStep, carry.params, carry.modelState, data.val, optim.batchSize, stopRequested);
    if (val === undefined) {
      // Interrupted before this epoch's evaluation finished: `last` keeps the epoch open, so a
      // resumed run evaluates it (the training state is the same).
      reason = 'interrupted';
      break;
    }
    if (!finiteScores(val)) {
      reason = 'diverged';
      message = `the validation scores after epoch ${epoch + 1} (step ${step}) are not finite (${scoreText(val)}); nothing was saved from that state. Try a lower --lr/--ssm-lr or --clip-norm.`;
      break;
    }
    epoch += 1;
    files.record({ split: 'val', step, epoch, loss: val.loss, ...(val.accuracy !== undefined ? { accuracy: val.accuracy } : {}), time: seconds() });
    let line = `epoch ${epoch}/${optim.epochs}: validation ${scoreText(val)}`;
    if (improves(val, history)) {
      const test = data.test ? await evaluate(evalStep, carry.params, carry.modelState, data.test, optim.batchSize) : undefined;
      if (test && !finiteScores(test)) {
        reason = 'diverged';
        message = `the test scores after epoch ${epoch} (step ${step}) are not finite (${scoreText(test)}); nothing was saved from that state.`;
        break;
      }
      if (test) files.record({ split: 'test', step, epoch, loss: test.loss, ...(test.accuracy !== undefined ? { accuracy: test.accuracy } : {}), time: seconds() });
      const previous = history;
      history = {
        bestEpoch: epoch,
        bestValLoss: val.loss,
        ...(val.accuracy !== undefined ? { bestValAccuracy: val.accuracy } : {}),
        ...(test ? { testAtBest: { loss: test.loss, ...(test.accuracy !== undefined ? { accuracy: test.accuracy } : {}) } } : {}),
      };
      if (!(await save(BEST_CHECKPOINT))) {
        history = previous;
        break;
      }
      line += ` (best so far${test ? `; test ${scoreText(test)}` : ''})`;
    }
    log(line);
    if (epoch % checkpointEvery === 0 || epoch === optim.epochs) {
      if (!(await save(LAST_CHECKPOINT))) break;
    }
    files.plot();
  }
  if ((reason === 'max-steps' || reason === 'interrupted') && (step !== start.step || !files.hasCheckpoint(LAST_CHECKPOINT))) await save(LAST_CHECKPOINT);
  files.plot();
  // The final state is read back once, so the returned snapshot's values read synchronously.
  await T.deviceGet(carry);
  const later = stepTimes.slice(1);
  return {
    snapshot: snapshot(),
    reason,
    ...(message !== undefined ? { message } : {}),
    stepsPerEpoch,
    ...(stepTimes.length > 0 ? { firstStepSeconds: stepTimes[0] } : {}),
    ...(later.length > 0 ? { secondsPerStep: later.reduce((a, b) => a + b, 0) / later.length } : {}),
    ...(epochTimes.length > 0 ? { secondsPerEpoch: epochTimes.reduce((a, b) => a + b, 0) / epochTimes.length } : {}),
    metrics: files.metrics,
    ...(files.dir !== undefined ? { lastCheckpoint: `${files.dir}/${LAST_CHECKPOINT}` } : {}),
  };
}
