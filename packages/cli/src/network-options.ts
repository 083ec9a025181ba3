import type { Command } from 'commander';
import { ALLOW_LOCAL_VARIABLE, HTTP_TIMEOUT_VARIABLE, parseTimeoutSeconds } from '@pyramids/core';

/**
 * Applies the global `--timeout SECONDS` and `--allow-local` before a command runs: validated first, then set as
 * `PYRAMIDS_HTTP_TIMEOUT`, which every HTTP request (core, readers, signers, workers started
 * from here) reads as its default. An invalid PYRAMIDS_HTTP_TIMEOUT fails here too, before any work.
 */
export function addNetworkOptions(
  program: Command,
  env: Record<string, string | undefined> = process.env,
): Command {
  return program.hook('preAction', () => {
    const given = program.opts()['timeout'] as string | undefined;
    if (given !== undefined) {
      parseTimeoutSeconds(given, '--timeout');
      env[HTTP_TIMEOUT_VARIABLE] = given.trim();
    } else if (env[HTTP_TIMEOUT_VARIABLE]) {
      parseTimeoutSeconds(env[HTTP_TIMEOUT_VARIABLE], HTTP_TIMEOUT_VARIABLE);
    }
    // `--allow-local`: core's href policy reads the variable wherever Items are resolved.
    if (program.opts()['allowLocal'] === true) env[ALLOW_LOCAL_VARIABLE] = '1';
  });
}
