import { Command } from 'commander';
import { registerCubeCommand } from './commands/cube-command.js';
import { registerInfoCommand } from './commands/info-command.js';
import { registerSearchCommand } from './commands/search-command.js';

/** Builds the `pyramids` command with every subcommand. */
export function createProgram(): Command {
  const program = new Command('pyramids')
    .description('From a STAC catalog to analysis-ready rasters.')
    .option('--debug', 'show stack traces on errors')
    .exitOverride()
    .showHelpAfterError();
  registerInfoCommand(program);
  registerCubeCommand(program);
  registerSearchCommand(program);
  return program;
}
