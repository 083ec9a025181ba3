import { PyramidsError, isCode, type PyramidsErrorOptions } from './pyramids-error.js';

/** Options are missing, conflicting or out of range. */
export class OptionError extends PyramidsError {
  static readonly code = 'OPTION';
  constructor(message: string, options: PyramidsErrorOptions = {}) {
    super('OPTION', message, options);
    this.name = 'OptionError';
  }
  static override isInstance(error: unknown): error is OptionError {
    return isCode(error, 'OPTION');
  }
}
