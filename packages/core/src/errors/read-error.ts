import { PyramidsError, isCode, type PyramidsErrorOptions } from './pyramids-error.js';

/** Bytes could not be fetched or decoded. */
export class ReadError extends PyramidsError {
  static readonly code = 'READ';
  constructor(message: string, options: PyramidsErrorOptions = {}) {
    super('READ', message, options);
    this.name = 'ReadError';
  }
  static override isInstance(error: unknown): error is ReadError {
    return isCode(error, 'READ');
  }
}
