// Node's built-in modules, fetched at call time with `process.getBuiltinModule`
// (Node ≥ 20.16) instead of an `import`, so code that only touches the file system on
// some paths (a local href, a file output) still bundles for a browser unchanged.
import type * as Crypto from 'node:crypto';
import type * as Fs from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import type * as Os from 'node:os';
import type * as Path from 'node:path';
import type * as Readline from 'node:readline';
import type * as Url from 'node:url';
import type * as Zlib from 'node:zlib';
import { OptionError } from '../errors/option-error.js';

/** The built-in modules pyramids uses, by name. */
export interface NodeBuiltins {
  'node:crypto': typeof Crypto;
  'node:fs': typeof Fs;
  'node:fs/promises': typeof FsPromises;
  'node:os': typeof Os;
  'node:path': typeof Path;
  'node:readline': typeof Readline;
  'node:url': typeof Url;
  'node:zlib': typeof Zlib;
}

type GetBuiltinModule = (name: string) => unknown;

/** True when running on Node (or a runtime with Node's `process.getBuiltinModule`). */
export function hasNodeBuiltins(): boolean {
  return (
    typeof (globalThis as { process?: { getBuiltinModule?: GetBuiltinModule } }).process
      ?.getBuiltinModule === 'function'
  );
}

/**
 * A Node built-in module, or an {@link OptionError} saying that `purpose` needs Node
 * (in a browser: pass an http(s) URL, bytes or a Blob instead of a local path).
 */
export function nodeBuiltin<Name extends keyof NodeBuiltins>(
  name: Name,
  purpose: string,
): NodeBuiltins[Name] {
  const getBuiltinModule = (globalThis as { process?: { getBuiltinModule?: GetBuiltinModule } })
    .process?.getBuiltinModule;
  const module = typeof getBuiltinModule === 'function' ? getBuiltinModule(name) : undefined;
  if (!module) {
    throw new OptionError(
      `${purpose} needs Node.js ≥ 20.16 (${name}); in a browser use an http(s) URL, bytes or a Blob instead of a local path`,
    );
  }
  return module as NodeBuiltins[Name];
}

/** `file:` URL → local path, with Node's rules where available (Windows drive letters, UNC). */
export function fileUrlToPath(href: string): string {
  if (hasNodeBuiltins()) return nodeBuiltin('node:url', 'reading a file: URL').fileURLToPath(href);
  return decodeURIComponent(new URL(href).pathname);
}
