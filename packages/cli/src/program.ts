import { Command } from 'commander';
import { registerDownloadCommand } from './commands/download-command.js';
import { registerInfoCommand } from './commands/info-command.js';
import { registerItemCommand } from './commands/item-command.js';

/** Builds the `pyramids` command with every subcommand. */
export function createProgram(): Command {
  const program = new Command('pyramids')
    .description('From a STAC catalog to analysis-ready rasters.')
    .option('--debug', 'show stack traces on errors')
    .exitOverride()
    .showHelpAfterError();
  registerInfoCommand(program);
  registerItemCommand(program);
  registerDownloadCommand(program);
  return program;
}
