import type { Command } from 'commander';
import { createRootCommand } from './create-root-command.js';
import { registerDownloadCommand } from './commands/download-command.js';
import { registerCubeCommand } from './commands/cube-command.js';
import { registerInfoCommand } from './commands/info-command.js';
import { registerReadCommand } from './commands/read-command.js';
import { registerSearchCommand } from './commands/search-command.js';
import { registerSignCommand } from './commands/sign-command.js';
import {
  addSignerOption,
  createSignerFromEnvironment,
  signerFromOptions,
} from './signer-option.js';
import { registerWorkerCommand } from './commands/worker-command.js';
import { addPluginOption } from './plugin-option.js';
import { addNetworkOptions } from './network-options.js';
import { registerItemCommand } from './commands/item-command.js';
import { registerVrtCommand } from './commands/vrt-command.js';
import { registerParquetCommand } from './commands/parquet-command.js';
import { registerPointCommand } from './commands/point-command.js';
import { registerCollectionsCommand } from './commands/collections-command.js';
import { registerPointValuesCommand } from './commands/point-values-command.js';

/**
 * Builds the `pyramids` command with every subcommand (importing every command's
 * code). `main` loads this only to run a subcommand; `pyramids --help` is answered
 * from `command-summaries.ts`, which a test keeps equal to this program's help.
 */
export function createProgram(): Command {
  const program = createRootCommand();
  addPluginOption(program);
  addNetworkOptions(program);
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
      resolveSigner: (options) =>
        signerFromOptions(options as { signer?: string }, { targets: [String(options['url'])] }),
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
      resolveSigner: (options) =>
        signerFromOptions(options as { signer?: string }, { targets: [String(options['stac'])] }),
    }),
  );
  addSignerOption(
    registerCollectionsCommand(program, {
      resolveSigner: (options) =>
        signerFromOptions(options as { signer?: string }, { targets: [String(options['url'])] }),
    }),
  );
  addSignerOption(
    registerPointValuesCommand(program, {
      resolveSigner: (options) =>
        signerFromOptions(options as { signer?: string }, { targets: [String(options['source'])] }),
    }),
  );
  // A worker rebuilds each chunk's signer from its own machine's environment.
  registerWorkerCommand(program, {
    resolveSigner: (description) => createSignerFromEnvironment(description.id),
  });
  return program;
}
