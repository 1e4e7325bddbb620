/**
 * The files of a run directory:
 *   run.lock                      the lock of the process writing the directory (src/io/runLock.ts)
 *   metrics.jsonl                 training/validation/test records (src/io/metrics.ts)
 *   plot.svg                      loss and accuracy curves (src/cli/plot.ts), redrawn each epoch
 *                                 (unless the plot is turned off)
 *   last.safetensors / last.json  the latest checkpoint (resume from it)
 *   best.safetensors / best.json  the checkpoint of the best validation epoch
 * Without a directory (library use, tests) nothing is written and records stay in memory.
 *
 * Opening the files of a run that starts at step S takes the directory's lock and rolls
 * metrics.jsonl back to S: a fresh run (S = 0) starts an empty file, a resumed one drops the
 * records its interrupted predecessor wrote after the checkpoint and any torn line, so that the
 * file never holds a step twice.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeTrainingPlot } from '../cli/plot';
import { removeStaleTemps } from '../io/atomic';
import { checkpointPaths } from '../io/checkpoint';
import { type MetricRecord, type MetricsRollback, appendMetrics, rollbackMetrics } from '../io/metrics';
import { type RunLock, acquireRunLock } from '../io/runLock';
import type { ModelParams } from '../models/seqModel';
import { type TrainingSnapshot, saveSnapshot } from './checkpointing';
import type { Optimizer } from './optimizer';

export const LAST_CHECKPOINT = 'last';
export const BEST_CHECKPOINT = 'best';
export const METRICS_FILE = 'metrics.jsonl';

export class RunFiles {
  private readonly records: MetricRecord[] = [];
  private readonly lock?: RunLock;
  /** What opening the metrics file dropped (undefined without a directory). */
  readonly rollback?: MetricsRollback;

  constructor(
    readonly dir: string | undefined,
    /** The built-in models' optimizer, described in their checkpoints (undefined: checkpoint() is not used). */
    private readonly optimizer: Optimizer<ModelParams> | undefined,
    /** false: no plot.svg. */
    private readonly plotTitle: string | false,
    /** The step the run starts from (0 for a fresh run). */
    startStep = 0,
  ) {
    if (dir === undefined) return;
    this.lock = acquireRunLock(dir);
    try {
      // Temporary files of writers that were killed (the lock says no other writer is active).
      for (const file of [this.metricsFile, this.plotFile]) removeStaleTemps(file);
      this.rollback = rollbackMetrics(this.metricsFile, startStep);
    } catch (err) {
      this.lock.release();
      throw err;
    }
    for (const record of this.rollback.records) this.records.push(record);
  }

  get metricsFile(): string {
    return join(this.dir ?? '.', METRICS_FILE);
  }

  get plotFile(): string {
    return join(this.dir ?? '.', 'plot.svg');
  }

  /** Every record of the run so far (including those of earlier, resumed segments). */
  get metrics(): readonly MetricRecord[] {
    return this.records;
  }

  record(...records: MetricRecord[]): void {
    for (const record of records) this.records.push(record);
    if (this.dir !== undefined) appendMetrics(this.metricsFile, ...records);
  }

  plot(): void {
    if (this.dir !== undefined && this.plotTitle !== false) writeTrainingPlot(this.plotFile, this.records, { title: this.plotTitle });
  }

  hasCheckpoint(name: string): boolean {
    return this.dir !== undefined && existsSync(checkpointPaths(this.dir, name).tensors);
  }

  /** Saves a checkpoint (atomically); returns its path without extension, or undefined without a directory. */
  checkpoint(name: string, snapshot: TrainingSnapshot): string | undefined {
    if (this.dir === undefined) return undefined;
    if (this.optimizer === undefined) throw new Error('RunFiles.checkpoint: these run files were opened without an optimizer');
    saveSnapshot(this.dir, name, snapshot, this.optimizer);
    return join(this.dir, name);
  }

  /** Releases the directory's lock. */
  close(): void {
    this.lock?.release();
  }
}
