import { PyramidsError, type PyramidsErrorOptions } from '@pyramids/core';

/** The job queue or its chunk store failed: Redis unreachable, a store not writable, chunks that failed for good. */
export class QueueError extends PyramidsError {
  static readonly code = 'QUEUE';
  constructor(message: string, options: PyramidsErrorOptions = {}) {
    super('QUEUE', message, { plugin: 'queue', ...options });
    this.name = 'QueueError';
  }
  /** True for a QueueError from any installed copy of this package. */
  static override isInstance(error: unknown): error is QueueError {
    return PyramidsError.isInstance(error) && error.code === 'QUEUE';
  }
}
