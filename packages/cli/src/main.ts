import { escapeControlCharacters, PyramidsError, redactSecretLooking } from '@pyramids/core';
import { CommanderError } from 'commander';
import { createProgram } from './program.js';

/**
 * Runs the CLI and returns the exit code. Expected failures print one line
 * naming what failed; `--debug` adds the stack and causes.
 */
export async function main(argv: string[]): Promise<number> {
  const program = createProgram();
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    const raw = PyramidsError.isInstance(error) || error instanceof Error ? error.message : String(error);
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
