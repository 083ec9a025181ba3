// Where an asset is written: a template filled with checked values, resolved
// inside the target directory. Values that could climb out of it, name a device
// or an absolute path, or hold characters unsafe on some file systems are refused.
import path from 'node:path';
import { DownloadError } from '../errors/download-error.js';
import { hrefExtension } from '../plugins/normalize-media-type.js';

/** The default file name template. */
export const DEFAULT_FILE_NAME = '{id}/{key}{ext}';

/** Values a file name template can use. */
export interface FileNameValues {
  id: string;
  key: string;
  collection?: string;
  href: string;
}

// Control characters, path separators and characters Windows refuses in names.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f/\\<>:"|?*]/;

/** Throws DownloadError unless `value` is safe as one path segment. */
export function checkSegment(value: string, what: string): string {
  if (
    value === '' ||
    value === '.' ||
    value === '..' ||
    value.startsWith('.') ||
    value.trim() !== value ||
    UNSAFE.test(value) ||
    value.length > 200
  ) {
    throw new DownloadError(
      `${what} ${JSON.stringify(value)} cannot be used in a file name: it is empty, starts with a dot, or holds a path separator, ` +
        'a control character or one of <>:"|?*; use a fileName template without it',
      { details: { value } },
    );
  }
  return value;
}

/** The basename of an href's path (query and fragment dropped), or ''. */
function hrefBasename(href: string): string {
  let pathPart = href.split(/[?#]/)[0]!;
  while (pathPart.endsWith('/')) pathPart = pathPart.slice(0, -1);
  return pathPart.slice(pathPart.lastIndexOf('/') + 1);
}

/**
 * Fills `template` (`{id}`, `{key}`, `{collection}`, `{name}` = the href's file
 * name, `{ext}` = its extension with the dot) and returns the absolute path inside
 * `directory`. DownloadError when a value is unsafe or the path leaves `directory`.
 */
export function resolveFileName(
  template: string,
  values: FileNameValues,
  directory: string,
): string {
  const ext = hrefExtension(values.href);
  const replacements: Record<string, () => string> = {
    id: () => checkSegment(values.id, 'item id'),
    key: () => checkSegment(values.key, `asset key of item ${JSON.stringify(values.id)}`),
    collection: () => checkSegment(values.collection ?? 'no-collection', 'collection id'),
    name: () =>
      checkSegment(
        decodeName(hrefBasename(values.href)),
        `file name of asset ${JSON.stringify(values.key)}`,
      ),
    // An odd extension is dropped rather than refused: it is only a hint.
    ext: () => (/^\.[a-z0-9]{1,12}$/i.test(ext) ? ext : ''),
  };
  const relative = template.replace(/\{([a-z]+)\}/g, (match, name: string) => {
    const replace = replacements[name];
    if (!replace)
      throw new DownloadError(
        `fileName template ${JSON.stringify(template)} uses ${match}; available: {id}, {key}, {collection}, {name}, {ext}`,
      );
    return replace();
  });
  const root = path.resolve(directory);
  const target = path.resolve(root, relative);
  const inside = path.relative(root, target);
  if (
    inside === '' ||
    inside.startsWith('..') ||
    path.isAbsolute(inside) ||
    path.isAbsolute(relative) ||
    relative.split(/[\\/]/).includes('..')
  ) {
    throw new DownloadError(
      `asset ${JSON.stringify(values.key)} of item ${JSON.stringify(values.id)} would be written to ${JSON.stringify(relative)}, outside ${root}; refused`,
    );
  }
  return target;
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}
