import { isCode, type PyramidsErrorOptions } from './pyramids-error.js';
import { StacError } from './stac-error.js';

/** Credentials could not be obtained or applied. */
export class SignerError extends StacError {
  static readonly code = 'SIGNER';
  constructor(message: string, options: PyramidsErrorOptions = {}) {
    super('SIGNER', message, options);
    this.name = 'SignerError';
  }
  static override isInstance(error: unknown): error is SignerError {
    return isCode(error, 'SIGNER');
  }
}
