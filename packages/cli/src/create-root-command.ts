import { Command } from 'commander';

/**
 * The bare `pyramids` command: description and global options, no subcommands.
 * Both the full program and the light one that answers `pyramids --help` start
 * here, so global options are defined once.
 */
export function createRootCommand(): Command {
  return new Command('pyramids')
    .description('From a STAC catalog to analysis-ready rasters.')
    .option('--debug', 'show stack traces on errors')
    .exitOverride()
    .showHelpAfterError();
}
