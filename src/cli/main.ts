/**
 * The `ssmjit` command: parses the arguments (src/cli/flags.ts, plus the train extras of
 * commands/trainFlags.ts) and dispatches to train, eval or predict.
 *
 * Exit status: 0 success; 1 a failure while running (unreadable data or checkpoint, diverged
 * training, unavailable backend); 2 a usage error (unknown command or flag, invalid value);
 * 130 training interrupted with Ctrl-C (a resumable checkpoint was saved; a second Ctrl-C quits
 * at once, also with 130). Every error is one line on standard error naming what was wrong and
 * where (file, line or byte offset, field or flag); warnings (a stale checkpoint record, flags a
 * task ignores, a resume on another backend) are lines starting with "warning:".
 */
import { FormatError } from '../io/formatError';
import { formatFlagHelp, parseFlags } from './argv';
import { helpText, parseCli } from './flags';
import { evalCommand } from './commands/eval';
import { predictCommand } from './commands/predict';
import { type CliIO, processIO } from './commands/shared';
import { trainCommand } from './commands/train';
import { TRAIN_EXTRA_FLAGS, TRAIN_TABLE, presetHelp, checkTask } from './commands/trainFlags';
import { modelFlagValue, trainUserModelCommand } from './commands/userModel';
import { isModelFile } from '../usermodel/load';

const USAGE_ERROR = 2;
const RUN_ERROR = 1;

function usageError(io: CliIO, error: FormatError, command?: string): number {
  io.stderr.write(`error: ${error.message}\n`);
  io.stderr.write(`run \`ssmjit ${command !== undefined ? `${command} ` : ''}--help\` for the list of flags\n`);
  return USAGE_ERROR;
}

function trainHelp(): string {
  return [helpText('train'), formatFlagHelp(TRAIN_EXTRA_FLAGS), presetHelp()].join('\n\n');
}

const wantsHelp = (args: readonly string[]) => args.includes('--help') || args.includes('-h');

async function dispatch(argv: readonly string[], io: CliIO): Promise<number> {
  const [first, ...rest] = argv;
  if (first === 'train') {
    if (wantsHelp(rest)) {
      io.stdout.write(`${trainHelp()}\n`);
      return 0;
    }
    // --model ./file.ts: a model written by the user; the other flags parse as for the built-ins.
    const modelFlag = modelFlagValue(rest);
    const userModel = modelFlag !== undefined && isModelFile(modelFlag.value) ? modelFlag : undefined;
    const args = userModel ? rest.map((a, i) => (i === userModel.index ? (userModel.inline ? '--model=s5' : 's5') : a)) : rest;
    const parsedFlags = parseFlags(args, TRAIN_TABLE);
    const flags = parsedFlags._tag === 'Left' ? parsedFlags : checkTask(parsedFlags.right);
    if (flags._tag === 'Left') return usageError(io, flags.left, 'train');
    if (userModel) return trainUserModelCommand(flags.right, userModel.value, rest, io);
    return trainCommand(flags.right, rest, io);
  }
  const parsed = parseCli(argv);
  if (parsed._tag === 'Left') return usageError(io, parsed.left, first !== undefined && ['eval', 'predict'].includes(first) ? first : undefined);
  const cli = parsed.right;
  switch (cli.command) {
    case 'help':
      io.stdout.write(`${cli.topic === 'train' ? trainHelp() : helpText(cli.topic)}\n`);
      return 0;
    case 'train': // parsed above with the extra train flags
      throw new Error('internal: train arguments reached the shared parser');
    case 'eval':
      return evalCommand(cli.flags, rest, io);
    case 'predict':
      return predictCommand(cli.flags, io, rest);
  }
}

/** Runs the command line `argv` (without the program name); resolves to the exit status. */
export async function main(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    io.stderr.write(`error: ${error.message}\n`);
    if (process.env.SSMJIT_DEBUG) io.stderr.write(`${error.stack ?? ''}\n`);
    return RUN_ERROR;
  }
}
