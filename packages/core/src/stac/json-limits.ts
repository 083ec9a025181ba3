// Limits on JSON documents read as STAC (Item files, STDIN, STAC API responses): a hostile or
// broken source can send megabytes of nesting that take a minute to parse and walk before
// anything fails. Real STAC is shallow (GeoJSON coordinates nest 4 arrays deep, extensions a
// few objects more) and an ItemCollection page is kilobytes to a few megabytes.
import { OptionError } from '../errors/option-error.js';

/** Environment variable raising the most characters of one JSON document (default 256 Mi). */
export const MAX_JSON_BYTES_VARIABLE = 'PYRAMIDS_MAX_JSON_BYTES';
/** Environment variable raising the deepest nesting of one JSON document (default 64). */
export const MAX_JSON_DEPTH_VARIABLE = 'PYRAMIDS_MAX_JSON_DEPTH';

const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
const DEFAULT_MAX_DEPTH = 64;

function limitFromEnvironment(name: string, fallback: number): number {
  const text = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env?.[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new OptionError(`${name} must be a positive whole number; got ${JSON.stringify(text)}`);
  return value;
}

/**
 * Throws `makeError(message)` when `text` is longer or nests deeper than the limits, before
 * it is parsed. One pass over the characters, outside strings only; milliseconds for 50 MB.
 */
export function checkJsonLimits(
  text: string,
  source: string,
  makeError: (message: string) => Error,
): void {
  const maxBytes = limitFromEnvironment(MAX_JSON_BYTES_VARIABLE, DEFAULT_MAX_BYTES);
  if (text.length > maxBytes)
    throw makeError(
      `${source} is ${text.length} characters of JSON, more than the limit of ${maxBytes}; ` +
        `if it is real STAC, raise ${MAX_JSON_BYTES_VARIABLE}`,
    );
  const maxDepth = limitFromEnvironment(MAX_JSON_DEPTH_VARIABLE, DEFAULT_MAX_DEPTH);
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c)
        index++; // a backslash escapes the next character
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x5b || code === 0x7b) {
      if (++depth > maxDepth)
        throw makeError(
          `${source} nests JSON more than ${maxDepth} levels deep (at character ${index}), which no STAC document does; ` +
            `if it is real STAC, raise ${MAX_JSON_DEPTH_VARIABLE}`,
        );
    } else if (code === 0x5d || code === 0x7d) depth--;
  }
}
