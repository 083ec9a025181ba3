import { isCode, type PyramidsErrorOptions } from './pyramids-error.js';
import { StacError } from './stac-error.js';

/** A STAC API request failed or was refused before sending. */
export class SearchError extends StacError {
  static readonly code = 'SEARCH';
  constructor(message: string, options: PyramidsErrorOptions = {}) {
    super('SEARCH', message, options);
    this.name = 'SearchError';
  }
  static override isInstance(error: unknown): error is SearchError {
    return isCode(error, 'SEARCH');
  }
}
