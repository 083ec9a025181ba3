import { Command } from 'commander';
import { registerInfoCommand } from './commands/info-command.js';
import { registerVrtCommand } from './commands/vrt-command.js';

/** Builds the `pyramids` command with every subcommand. */
export function createProgram(): Command {
  const program = new Command('pyramids')
    .description('From a STAC catalog to analysis-ready rasters.')
    .option('--debug', 'show stack traces on errors')
    .exitOverride()
    .showHelpAfterError();
  registerInfoCommand(program);
  registerVrtCommand(program);
  return program;
}
