/**
 * The run files of `fit` where there is no file system (a browser page; package.json maps
 * `#run-files` here under the `browser` condition): the metrics records stay in memory, and a run
 * directory is refused. Same surface as runFiles.ts, which Node uses.
 */
import type { MetricRecord, MetricsRollback } from '../io/metrics';
import type { ModelParams } from '../models/seqModel';
import type { Optimizer } from './optimizer';
import type { RunFiles as NodeRunFiles } from './runFiles';
import type { TrainingSnapshot } from './snapshot';

export const LAST_CHECKPOINT = 'last';
export const BEST_CHECKPOINT = 'best';
export const METRICS_FILE = 'metrics.jsonl';

export class RunFiles {
  private readonly records: MetricRecord[] = [];
  readonly rollback?: MetricsRollback;

  constructor(
    readonly dir: string | undefined,
    _optimizer: Optimizer<ModelParams>,
    _plotTitle: string | false,
    _startStep = 0,
  ) {
    if (dir !== undefined) {
      throw new Error(`fit: a run directory (${dir}) needs a file system; here run fit without \`dir\` and save checkpoints with encodeCheckpoint (src/io/checkpointRecord.ts)`);
    }
  }

  get metricsFile(): string {
    return METRICS_FILE;
  }

  get plotFile(): string {
    return 'plot.svg';
  }

  get metrics(): readonly MetricRecord[] {
    return this.records;
  }

  record(...records: MetricRecord[]): void {
    for (const record of records) this.records.push(record);
  }

  plot(): void {}

  hasCheckpoint(_name: string): boolean {
    return false;
  }

  checkpoint(_name: string, _snapshot: TrainingSnapshot): string | undefined {
    return undefined;
  }

  close(): void {}
}

/** Both implementations offer the same public surface. */
export const sameSurface = (files: RunFiles): Pick<NodeRunFiles, keyof NodeRunFiles> => files;
