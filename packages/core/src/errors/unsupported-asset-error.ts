import { isCode, type PyramidsErrorOptions } from './pyramids-error.js';
import { StacError } from './stac-error.js';

/** No registered reader can open the asset; the message lists what was tried. */
export class UnsupportedAssetError extends StacError {
  static readonly code = 'UNSUPPORTED_ASSET';
  constructor(message: string, options: PyramidsErrorOptions = {}) {
    super('UNSUPPORTED_ASSET', message, options);
    this.name = 'UnsupportedAssetError';
  }
  static override isInstance(error: unknown): error is UnsupportedAssetError {
    return isCode(error, 'UNSUPPORTED_ASSET');
  }
}
