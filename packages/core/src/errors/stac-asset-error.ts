import { isCode, type PyramidsErrorOptions } from './pyramids-error.js';
import { StacError } from './stac-error.js';

/** An Item or asset is missing, malformed, or lacks what the call needs. */
export class StacAssetError extends StacError {
  static readonly code = 'STAC_ASSET';
  constructor(message: string, options: PyramidsErrorOptions = {}) {
    super('STAC_ASSET', message, options);
    this.name = 'StacAssetError';
  }
  static override isInstance(error: unknown): error is StacAssetError {
    return isCode(error, 'STAC_ASSET');
  }
}
