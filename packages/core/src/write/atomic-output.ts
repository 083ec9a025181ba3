// The one place that decides whether an output path may be written and replaced:
// every writer writes a temporary file beside the target and renames it over the
// target with `replaceWithTemporary`, so a failure never leaves a partial file and
// a device, a directory or a FIFO at the target is never replaced.
import { WriteError } from '../errors/write-error.js';
import { nodeBuiltin } from '../platform/node-builtin.js';

// Node's file system, reached at call time so the default entry still bundles for a browser.
const fs = () => nodeBuiltin('node:fs/promises', 'writing a file');

/** What a non-regular file at a path is, in words, or undefined for a regular file or nothing. */
async function nonRegularKind(target: string): Promise<string | undefined> {
  let stats;
  try {
    stats = await fs().stat(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WriteError(
      `cannot write ${target}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      { cause: error },
    );
  }
  if (stats.isFile()) return undefined;
  if (stats.isDirectory()) return 'a directory';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Checks, before any work, that `target` can be written as a file: it is a regular
 * file or does not exist yet, and its folder exists and is writable.
 * @param flag the option that named it (`-o`, `--preview`), for the message
 * @throws WriteError saying what is wrong and what to do.
 */
export async function checkOutputTarget(target: string, flag = 'the output'): Promise<void> {
  const kind = await nonRegularKind(target);
  if (kind)
    throw new WriteError(`${flag} ${target} is ${kind}, not a file; name a regular file to write`, {
      details: { target },
    });
  const path = nodeBuiltin('node:path', 'writing a file');
  const folder = path.dirname(path.resolve(target));
  try {
    if (!(await fs().stat(folder)).isDirectory())
      throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    await fs().access(folder, fs().constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'ENOTDIR'
          ? 'is not a directory'
          : 'is not writable';
    throw new WriteError(
      `${flag} ${target} cannot be written: its folder ${folder} ${reason}; create it or pick another path`,
      {
        cause: error,
        details: { target },
      },
    );
  }
}

/**
 * Moves a finished temporary file over `target`. Refuses (and removes the temporary
 * file) when `target` is a device, a directory or anything but a regular file.
 * @throws WriteError; the temporary file is gone either way.
 */
export async function replaceWithTemporary(temporary: string, target: string): Promise<void> {
  try {
    const kind = await nonRegularKind(target);
    if (kind)
      throw new WriteError(
        `${target} is ${kind}, not a file, so it was not replaced: name a regular file; nothing was written`,
        { details: { target } },
      );
    await fs().rename(temporary, target);
  } catch (error) {
    await fs()
      .rm(temporary, { force: true })
      .catch(() => undefined);
    throw error;
  }
}
