import { PyramidsError, isCode, type PyramidsErrorOptions } from './pyramids-error.js';

/** A plugin was built for another contract version or is malformed. */
export class IncompatiblePluginError extends PyramidsError {
  static readonly code = 'INCOMPATIBLE_PLUGIN';
  constructor(message: string, options: PyramidsErrorOptions = {}) {
    super('INCOMPATIBLE_PLUGIN', message, options);
    this.name = 'IncompatiblePluginError';
  }
  static override isInstance(error: unknown): error is IncompatiblePluginError {
    return isCode(error, 'INCOMPATIBLE_PLUGIN');
  }
}
