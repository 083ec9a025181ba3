// `pyramids` with global options only (`--help`, `--debug`, none): the program that lists
// every command without loading one. main.ts uses it; so does bin/pyramids.js, as the
// CommonJS bundle dist/help.cjs, to answer `pyramids --help` without Node's ES module loader.
import { CommanderError, Help, type Command } from 'commander';
import { COMMAND_SUMMARIES } from './command-summaries.js';
import { createRootCommand } from './create-root-command.js';

/** The top-level program with every subcommand listed but none loaded: enough for `pyramids --help`. */
export function createHelpProgram(): Command {
  const program = createRootCommand();
  const terms = new Map(COMMAND_SUMMARIES.map((summary) => [summary.name, summary.term]));
  const help = new Help();
  program.configureHelp({
    subcommandTerm: (command) => terms.get(command.name()) ?? help.subcommandTerm(command),
  });
  for (const summary of COMMAND_SUMMARIES)
    program.command(summary.name).description(summary.description);
  return program;
}

/** True when `argv` names no command, only global options: the help program answers it. */
export function namesNoCommand(argv: string[]): boolean {
  return argv.slice(2).every((argument) => argument.startsWith('-'));
}

/** Answers an `argv` that names no command; resolves to the exit code (commander's own). */
export async function runWithoutCommand(argv: string[]): Promise<number> {
  try {
    await createHelpProgram().parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }
}
