/**
 * The demo page's run config, computed on the Node side by the CLI's own code: the flags of
 * `npm start` (`ssmjit train --task smnist --model s5`, with the sMNIST preset) plus
 * `--no-bidirectional`, because the page classifies a drawing in recurrent step mode, which
 * needs causal layers (the preset's S5 is bidirectional). The web server serves it as
 * /default-config.json.
 */
import { runConfigOf, taskSettingsOf } from '../../src/cli/commands/train';
import { TRAIN_TABLE, explicitFlags, freshFlags, withPreset } from '../../src/cli/commands/trainFlags';
import { parseFlags } from '../../src/cli/argv';
import type { RunConfig } from '../../src/train/config';
import { loadTask } from '../../src/train/tasks';

export const DEMO_ARGS = ['--task', 'smnist', '--model', 's5', '--no-bidirectional'] as const;

export function demoRunConfig(args: readonly string[] = DEMO_ARGS): RunConfig {
  const parsed = parseFlags(args, TRAIN_TABLE);
  if (parsed._tag === 'Left') throw parsed.left;
  const flags = withPreset(freshFlags(parsed.right), explicitFlags(args, TRAIN_TABLE));
  const data = loadTask(taskSettingsOf(flags), flags.seed);
  return { ...runConfigOf(flags, data), logEvery: flags.logEvery, checkpointEvery: flags.checkpointEvery };
}
