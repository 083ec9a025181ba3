// Bundles a package entry for browsers with esbuild: `platform: 'browser'`,
// no polyfills, workspace packages resolved to their sources. A Node built-in anywhere
// in the import graph fails the build, which is what the bundle tests assert against.
import path from 'node:path';
import { build, type Message, type Metafile } from 'esbuild';
import { workspaceAliases } from '../vitest.shared.js';

/** What {@link bundleForBrowser} produced. */
export interface BrowserBundle {
  errors: Message[];
  /** Minified output, when the build succeeded. */
  code?: string;
  /** Every input file that went into the bundle, relative to the repository. */
  inputs: string[];
}

const root = path.resolve(import.meta.dirname, '..');

/** Bundles `entry` (a file path) for `platform: 'browser'`, minified, into memory. */
export async function bundleForBrowser(entry: string): Promise<BrowserBundle> {
  try {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      minify: true,
      write: false,
      metafile: true,
      logLevel: 'silent',
      alias: workspaceAliases,
    });
    return {
      errors: result.errors,
      code: result.outputFiles[0]!.text,
      inputs: inputsOf(result.metafile),
    };
  } catch (error) {
    const failure = error as { errors?: Message[] };
    if (!failure.errors) throw error;
    return { errors: failure.errors, inputs: [] };
  }
}

function inputsOf(metafile: Metafile): string[] {
  return Object.keys(metafile.inputs).map((input) => path.relative(root, path.resolve(input)));
}
