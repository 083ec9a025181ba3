// `pyramids --plugin <package or path>` (repeatable; also PYRAMIDS_PLUGINS):
// third-party readers, signers, codecs and writers, loaded before a command runs
// and registered on every registry the CLI builds.
import { isAbsolute, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import {
  createRegistry,
  IncompatiblePluginError,
  OptionError,
  type Plugin,
  type Signer,
} from '@pyramids/core';
import type { Command } from 'commander';

/** Plugins loaded by `--plugin` / `PYRAMIDS_PLUGINS` for the command being run. */
let loaded: readonly Plugin[] = [];
let loadedSpecifiers: readonly string[] = [];

/** The specifiers of the plugins loaded for this command (for worker threads to load them too). */
export function loadedPluginSpecifiers(): readonly string[] {
  return loadedSpecifiers;
}

/** The plugins loaded for this run, in the order given. */
export function loadedPlugins(): readonly Plugin[] {
  return loaded;
}

/** The signers among the loaded plugins. */
export function loadedSigners(): Signer[] {
  return loaded.filter((plugin): plugin is Signer => plugin.kind === 'signer');
}

/** True when `specifier` names a file rather than a package. */
function isPath(specifier: string): boolean {
  return (
    specifier.startsWith('.') ||
    isAbsolute(specifier) ||
    specifier.startsWith('file:') ||
    /\.[cm]?js$/.test(specifier)
  );
}

/** Imports a plugin module: a path relative to `cwd`, or a package installed beside the CLI or under `cwd`. */
async function importModule(specifier: string, cwd: string): Promise<Record<string, unknown>> {
  const attempts: string[] = [];
  if (isPath(specifier)) {
    attempts.push(
      specifier.startsWith('file:') ? specifier : pathToFileURL(resolve(cwd, specifier)).href,
    );
  } else {
    attempts.push(specifier);
    try {
      attempts.push(
        pathToFileURL(createRequire(resolve(cwd, 'package.json')).resolve(specifier)).href,
      );
    } catch {
      // Not installed under cwd either; the import below reports it.
    }
  }
  let lastError: unknown;
  for (const target of attempts) {
    try {
      return (await import(target)) as Record<string, unknown>;
    } catch (error) {
      lastError = error;
    }
  }
  throw new OptionError(
    `--plugin ${specifier}: cannot import it (${(lastError as Error)?.message ?? String(lastError)}); ` +
      'give an installed package name or a path to a JavaScript module',
    { cause: lastError },
  );
}

/**
 * Loads plugin modules. Each module's default export, or else its `plugins`
 * export, is a plugin or a list of plugins; each is checked against this core's
 * plugin contract.
 * @throws OptionError when a module cannot be imported.
 * @throws IncompatiblePluginError when a module exports no plugin, or one built for another contract.
 */
export async function importPlugins(
  specifiers: readonly string[],
  cwd = process.cwd(),
): Promise<Plugin[]> {
  const plugins: Plugin[] = [];
  for (const specifier of specifiers) {
    const module = await importModule(specifier, cwd);
    const exported = module['default'] ?? module['plugins'];
    if (exported === undefined) {
      throw new IncompatiblePluginError(
        `--plugin ${specifier}: the module has no default export and no 'plugins' export; export a plugin or a list of plugins`,
      );
    }
    const list = (Array.isArray(exported) ? exported : [exported]) as Plugin[];
    const check = createRegistry();
    for (const plugin of list) {
      try {
        check.use(plugin);
      } catch (error) {
        if (!IncompatiblePluginError.isInstance(error)) throw error;
        throw new IncompatiblePluginError(`--plugin ${specifier}: ${error.message}`, {
          cause: error,
          plugin: error.plugin,
        });
      }
      plugins.push(plugin);
    }
  }
  return plugins;
}

/** The specifiers in `PYRAMIDS_PLUGINS` (comma-separated). */
function pluginsFromEnvironment(env: Record<string, string | undefined>): string[] {
  return (env['PYRAMIDS_PLUGINS'] ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/**
 * Loads the plugins that `--plugin` (defined with the root command, see
 * create-root-command.ts) and `PYRAMIDS_PLUGINS` name before any command runs.
 */
export function addPluginOption(
  program: Command,
  env: Record<string, string | undefined> = process.env,
): Command {
  loaded = [];
  loadedSpecifiers = [];
  return program.hook('preAction', async () => {
    const given = (program.opts()['plugin'] as string[] | undefined) ?? [];
    loadedSpecifiers = [...pluginsFromEnvironment(env), ...given];
    loaded = await importPlugins(loadedSpecifiers);
  });
}
