import { PyramidsError, isCode, type PyramidsErrorOptions } from './pyramids-error.js';

/** A STAC API request failed or was refused before sending. */
export class SearchError extends PyramidsError {
  static readonly code = 'SEARCH';
  constructor(message: string, options: PyramidsErrorOptions = {}) {
    super('SEARCH', message, options);
    this.name = 'SearchError';
  }
  static override isInstance(error: unknown): error is SearchError {
    return isCode(error, 'SEARCH');
  }
}
