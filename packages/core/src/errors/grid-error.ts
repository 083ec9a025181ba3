import { PyramidsError, isCode, type PyramidsErrorOptions } from './pyramids-error.js';

/** A grid, CRS or bounds is invalid or too large. */
export class GridError extends PyramidsError {
  static readonly code = 'GRID';
  constructor(message: string, options: PyramidsErrorOptions = {}) {
    super('GRID', message, options);
    this.name = 'GridError';
  }
  static override isInstance(error: unknown): error is GridError {
    return isCode(error, 'GRID');
  }
}
