/**
 * Ctrl-C during a training command: the first stops the run after the current step (the loop
 * yields to the event loop between steps, so the handler runs) and saves a resumable `last`;
 * the second quits at once with status 130.
 */
import type { CliIO } from './commands/shared';

export async function withInterrupts(io: CliIO, run: (stopRequested: () => boolean) => Promise<number>): Promise<number> {
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts > 1) {
      io.stderr.write('\nsecond Ctrl-C: quitting now (files already saved are complete)\n');
      process.exit(130);
    }
    io.stderr.write('\nCtrl-C: stopping after this step to save a resumable checkpoint (Ctrl-C again to quit at once)\n');
  };
  process.on('SIGINT', onSigint);
  try {
    return await run(() => interrupts > 0);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
