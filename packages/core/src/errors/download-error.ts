import { isCode, type PyramidsErrorOptions } from './pyramids-error.js';
import { StacError } from './stac-error.js';

/** An asset could not be downloaded, failed verification, or would be written outside the target directory. */
export class DownloadError extends StacError {
  static readonly code = 'DOWNLOAD';
  constructor(message: string, options: PyramidsErrorOptions = {}) {
    super('DOWNLOAD', message, options);
    this.name = 'DownloadError';
  }
  static override isInstance(error: unknown): error is DownloadError {
    return isCode(error, 'DOWNLOAD');
  }
}
