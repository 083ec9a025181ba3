import { PyramidsError, type PyramidsErrorOptions } from './pyramids-error.js';

const STAC_BRAND = Symbol.for('@pyramids/core/stac-error');

/**
 * Codes of the STAC errors: an Item or asset that is missing or malformed, an asset no
 * reader opens, a STAC API request, a download, a signer. Errors of older copies of core
 * carry one of these codes but not the STAC brand, so `isInstance` checks both.
 */
const STAC_CODES: ReadonlySet<string> = new Set([
  'STAC_ASSET',
  'UNSUPPORTED_ASSET',
  'SEARCH',
  'DOWNLOAD',
  'SIGNER',
]);

/**
 * Common base of the errors about STAC metadata and its services (as pyramids.stac's
 * `StacError`): `StacAssetError`, `UnsupportedAssetError`, `SearchError`, `DownloadError`,
 * `SignerError`. Catch it to handle every STAC failure at once; it is a `PyramidsError`,
 * and each subclass keeps its own stable `code`.
 */
export class StacError extends PyramidsError {
  constructor(code: string, message: string, options: PyramidsErrorOptions = {}) {
    super(code, message, options);
    this.name = 'StacError';
    Object.defineProperty(this, STAC_BRAND, { value: true });
  }

  /** True for any STAC error, from this or another copy of core. */
  static override isInstance(error: unknown): error is StacError {
    if (!PyramidsError.isInstance(error)) return false;
    return (
      (error as unknown as Record<symbol, unknown>)[STAC_BRAND] === true ||
      STAC_CODES.has(error.code)
    );
  }
}
