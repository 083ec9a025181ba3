import { CommanderError, type Command } from 'commander';
import { createHelpProgram, namesNoCommand } from './help-program.js';

/**
 * The program to parse `argv` with. Only global options (`--help`, `--debug`, or
 * none) need no command code, so they get the light program; anything naming a
 * command loads the full one.
 */
async function loadProgram(argv: string[]): Promise<Command> {
  if (namesNoCommand(argv)) return createHelpProgram();
  const { createProgram } = await import('./program.js');
  return createProgram();
}

/**
 * Runs the CLI and returns the exit code. Expected failures print one line
 * naming what failed; `--debug` adds the stack and causes. Command code is
 * imported only when a command runs, so `pyramids --help` starts fast.
 */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    const program = await loadProgram(argv);
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    const { PyramidsError, escapeControlCharacters, redactSecretLooking } =
      await import('@pyramids/core');
    const raw =
      PyramidsError.isInstance(error) || error instanceof Error ? error.message : String(error);
    // One line whatever an href or a server put in the message, and no credential-looking value.
    const message = escapeControlCharacters(redactSecretLooking(raw));
    const label = PyramidsError.isInstance(error) ? error.name : 'error';
    process.stderr.write(`pyramids: ${label}: ${message}\n`);
    if (debug) {
      let current: unknown = error;
      while (current) {
        process.stderr.write(`${(current as Error).stack ?? String(current)}\n`);
        current = (current as { cause?: unknown }).cause;
        if (current) process.stderr.write('caused by:\n');
      }
    } else if (!PyramidsError.isInstance(error)) {
      process.stderr.write('pyramids: run again with --debug for details\n');
    }
    return 1;
  }
}
