import { PyramidsError, isCode, type PyramidsErrorOptions } from './pyramids-error.js';

/** Grids that must match do not (e.g. assets of one item with `align: false`). */
export class AlignmentError extends PyramidsError {
  static readonly code = 'ALIGNMENT';
  constructor(message: string, options: PyramidsErrorOptions = {}) {
    super('ALIGNMENT', message, options);
    this.name = 'AlignmentError';
  }
  static override isInstance(error: unknown): error is AlignmentError {
    return isCode(error, 'ALIGNMENT');
  }
}
