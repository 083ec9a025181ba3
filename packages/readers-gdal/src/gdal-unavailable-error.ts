import { PyramidsError, type PyramidsErrorOptions } from '@pyramids/core';

const CODE = 'GDAL_UNAVAILABLE';

/**
 * gdal-async (and the GDAL library it is built against) could not be loaded.
 * The message says how to install it.
 */
export class GdalUnavailableError extends PyramidsError {
  static readonly code = CODE;
  constructor(message: string, options: PyramidsErrorOptions = {}) {
    super(CODE, message, { plugin: 'gdal', ...options });
    this.name = 'GdalUnavailableError';
  }
  /** True for this error, from this or another copy of the package. */
  static override isInstance(error: unknown): error is GdalUnavailableError {
    return PyramidsError.isInstance(error) && error.code === CODE;
  }
}
