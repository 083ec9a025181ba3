// Where downloads may go. A download directory must be a real directory on disk:
// kernel pseudo file systems (/proc, /sys, /dev) accept mkdir or writes in odd ways
// (`--dir /proc/self` spun forever at 100 % CPU), and an existing non-directory
// (a file, /dev/null) can never hold the assets.
import { mkdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { OptionError } from '../errors/option-error.js';

const PSEUDO_FILE_SYSTEMS = ['/proc', '/sys', '/dev'];

/** The nearest existing ancestor of `target` (itself if it exists), with symlinks resolved. */
async function realExistingAncestor(target: string): Promise<string> {
  for (let current = target; ; current = path.dirname(current)) {
    try {
      return await realpath(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || current === path.dirname(current))
        throw error;
    }
  }
}

/**
 * Resolves `directory`, refuses one that is not (or cannot become) a directory on disk,
 * creates it, and returns its absolute path. Throws OptionError.
 */
export async function prepareDownloadDirectory(directory: string): Promise<string> {
  if (typeof directory !== 'string' || directory.trim() === '')
    throw new OptionError('the download directory must be a non-empty path');
  const root = path.resolve(directory);
  const real = await realExistingAncestor(root).catch((error: NodeJS.ErrnoException) => {
    throw new OptionError(
      `cannot use ${root} as the download directory: ${error.code ?? error.message}`,
    );
  });
  const pseudo = PSEUDO_FILE_SYSTEMS.find(
    (prefix) => real === prefix || real.startsWith(`${prefix}/`),
  );
  if (pseudo)
    throw new OptionError(
      `cannot download into ${root}: it is inside ${pseudo}, a kernel file system, not a directory on disk; choose another directory`,
    );
  const existing = await stat(root).catch(() => undefined);
  if (existing && !existing.isDirectory())
    throw new OptionError(
      `cannot download into ${root}: it exists and is not a directory; choose a directory (it is created when missing)`,
    );
  await mkdir(root, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    throw new OptionError(
      `cannot create the download directory ${root}: ${error.code ?? error.message}`,
    );
  });
  return root;
}
