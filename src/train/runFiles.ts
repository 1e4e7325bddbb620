/**
 * The files of a run directory:
 *   metrics.jsonl                 training/validation/test records (src/io/metrics.ts)
 *   plot.svg                      loss and accuracy curves (src/cli/plot.ts), redrawn each epoch
 *                                 (unless the plot is turned off)
 *   last.safetensors / last.json  the latest checkpoint (resume from it)
 *   best.safetensors / best.json  the checkpoint of the best validation epoch
 * Without a directory (library use, tests) nothing is written and records stay in memory.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeTrainingPlot } from '../cli/plot';
import { type MetricRecord, appendMetrics, readMetrics } from '../io/metrics';
import type { ModelParams } from '../models/seqModel';
import { type TrainingSnapshot, saveSnapshot } from './checkpointing';
import type { Optimizer } from './optimizer';

export const LAST_CHECKPOINT = 'last';
export const BEST_CHECKPOINT = 'best';

export class RunFiles {
  private readonly records: MetricRecord[] = [];

  constructor(
    readonly dir: string | undefined,
    private readonly optimizer: Optimizer<ModelParams>,
    /** false: no plot.svg. */
    private readonly plotTitle: string | false,
  ) {
    // A resumed run continues its metrics file; the plot shows the whole history.
    if (dir !== undefined && existsSync(this.metricsFile)) this.records.push(...readMetrics(this.metricsFile));
  }

  get metricsFile(): string {
    return join(this.dir ?? '.', 'metrics.jsonl');
  }

  get plotFile(): string {
    return join(this.dir ?? '.', 'plot.svg');
  }

  /** Every record of the run so far (including those of earlier, resumed segments). */
  get metrics(): readonly MetricRecord[] {
    return this.records;
  }

  record(...records: MetricRecord[]): void {
    this.records.push(...records);
    if (this.dir !== undefined) appendMetrics(this.metricsFile, ...records);
  }

  plot(): void {
    if (this.dir !== undefined && this.plotTitle !== false) writeTrainingPlot(this.plotFile, this.records, { title: this.plotTitle });
  }

  /** Saves a checkpoint (atomically); returns its path without extension, or undefined without a directory. */
  checkpoint(name: string, snapshot: TrainingSnapshot): string | undefined {
    if (this.dir === undefined) return undefined;
    saveSnapshot(this.dir, name, snapshot, this.optimizer);
    return join(this.dir, name);
  }
}
