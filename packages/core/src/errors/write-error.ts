import { PyramidsError, isCode, type PyramidsErrorOptions } from './pyramids-error.js';

/** An output could not be written. */
export class WriteError extends PyramidsError {
  static readonly code = 'WRITE';
  constructor(message: string, options: PyramidsErrorOptions = {}) {
    super('WRITE', message, options);
    this.name = 'WriteError';
  }
  static override isInstance(error: unknown): error is WriteError {
    return isCode(error, 'WRITE');
  }
}
