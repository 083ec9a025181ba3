import { Command } from 'commander';
import { registerInfoCommand } from './commands/info-command.js';
import { registerParquetCommand } from './commands/parquet-command.js';

/** Builds the `pyramids` command with every subcommand. */
export function createProgram(): Command {
  const program = new Command('pyramids')
    .description('From a STAC catalog to analysis-ready rasters.')
    .option('--debug', 'show stack traces on errors')
    .exitOverride()
    .showHelpAfterError();
  registerInfoCommand(program);
  registerParquetCommand(program);
  return program;
}
