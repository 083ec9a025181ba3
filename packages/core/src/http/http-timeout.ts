// How long pyramids waits for a server, in one place: the default of every HTTP request
// (an attempt's connect + response headers, and a download's idle time between bytes).
// `PYRAMIDS_HTTP_TIMEOUT` (seconds, as GDAL_HTTP_TIMEOUT) changes it for a whole process;
// the CLI's `--timeout` sets that variable; API callers pass `timeout` per call.
import { OptionError } from '../errors/option-error.js';

/** The default wait for a server, in seconds, when neither an option nor the environment says. */
export const DEFAULT_HTTP_TIMEOUT_SECONDS = 30;

/** The environment variable that sets the default HTTP timeout, in seconds. */
export const HTTP_TIMEOUT_VARIABLE = 'PYRAMIDS_HTTP_TIMEOUT';

/**
 * Parses a timeout given in seconds (`30`, `2.5`) into milliseconds; `source` names where it
 * came from for the message. Throws OptionError for anything but a positive finite number.
 */
export function parseTimeoutSeconds(text: string, source: string): number {
  const seconds = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400)
    throw new OptionError(
      `${source} must be a number of seconds between 0 and 86400 (e.g. 30); got ${JSON.stringify(text)}`,
    );
  return seconds * 1000;
}

/** The default HTTP timeout in milliseconds: `PYRAMIDS_HTTP_TIMEOUT` if set, else 30 s. */
export function defaultHttpTimeout(): number {
  const value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env?.[HTTP_TIMEOUT_VARIABLE];
  return value === undefined || value === ''
    ? DEFAULT_HTTP_TIMEOUT_SECONDS * 1000
    : parseTimeoutSeconds(value, HTTP_TIMEOUT_VARIABLE);
}
