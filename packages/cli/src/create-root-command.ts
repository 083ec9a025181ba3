import { Command } from 'commander';

/**
 * The bare `pyramids` command: description and global options, no subcommands.
 * Both the full program and the light one that answers `pyramids --help` start
 * here, so global options are defined once.
 */
export function createRootCommand(): Command {
  return (
    new Command('pyramids')
      .description('From a STAC catalog to analysis-ready rasters.')
      .option('--debug', 'show stack traces on errors')
      // Loaded by plugin-option.ts before a command runs; defined here so `pyramids --help` lists it without loading anything.
      .option(
        '--plugin <package or path>',
        'load readers, signers, codecs or writers from a module (its default or `plugins` export); repeatable; also PYRAMIDS_PLUGINS (comma-separated)',
        (value: string, previous: string[] = []) => [...previous, value],
      )
      // Applied by timeout-option.ts before a command runs (it sets PYRAMIDS_HTTP_TIMEOUT).
      .option(
        '--timeout <seconds>',
        'wait this long for a server to answer (connect + headers, or between bytes of a download) before retrying once and giving up; default 30, also PYRAMIDS_HTTP_TIMEOUT',
      )
      .option(
        '--allow-local',
        'let Items from remote catalogs (an http(s) self link) name local files; without it such hrefs are refused (also PYRAMIDS_ALLOW_LOCAL=1)',
      )
      .exitOverride()
      .showHelpAfterError()
  );
}
