import { Command } from 'commander';
import { registerDownloadCommand } from './commands/download-command.js';
import { registerCubeCommand } from './commands/cube-command.js';
import { registerInfoCommand } from './commands/info-command.js';
import { registerReadCommand } from './commands/read-command.js';
import { registerSearchCommand } from './commands/search-command.js';
import { registerSignCommand } from './commands/sign-command.js';
import { addSignerOption, signerFromOptions } from './signer-option.js';
import { addPluginOption } from './plugin-option.js';
import { registerItemCommand } from './commands/item-command.js';
import { registerVrtCommand } from './commands/vrt-command.js';
import { registerParquetCommand } from './commands/parquet-command.js';
import { registerPointCommand } from './commands/point-command.js';

/** Builds the `pyramids` command with every subcommand. */
export function createProgram(): Command {
  const program = new Command('pyramids')
    .description('From a STAC catalog to analysis-ready rasters.')
    .option('--debug', 'show stack traces on errors')
    .exitOverride()
    .showHelpAfterError();
  addPluginOption(program);
  registerInfoCommand(program);
  addSignerOption(registerReadCommand(program));
  addSignerOption(
    registerCubeCommand(program, {
      resolveSigner: (options) => signerFromOptions(options as { signer?: string }),
    }),
  );
  addSignerOption(
    registerSearchCommand(program, {
      // A bearer token without PYRAMIDS_BEARER_HOSTS goes only to the searched API's host.
      resolveSigner: (options) => signerFromOptions(options as { signer?: string }, { targets: [String(options['url'])] }),
    }),
  );
  registerSignCommand(program);
  registerItemCommand(program);
  addSignerOption(registerDownloadCommand(program));
  addSignerOption(registerVrtCommand(program));
  registerParquetCommand(program);
  addSignerOption(
    registerPointCommand(program, {
      // A bearer token without PYRAMIDS_BEARER_HOSTS goes only to the searched API's host.
      resolveSigner: (options) => signerFromOptions(options as { signer?: string }, { targets: [String(options['stac'])] }),
    }),
  );
  return program;
}
