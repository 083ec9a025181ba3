// Errors of writers that write files: one WriteError per failure, a readable reason, and temporary names.
import { WriteError } from '../errors/write-error.js';
import { isAbortError } from '../errors/abort.js';
import { PyramidsError } from '../errors/pyramids-error.js';

/** A WriteError for a failure while encoding or writing (an abort or a WriteError passes as is). */
export function toWriteError(label: string, error: unknown, reason: string): unknown {
  if (isAbortError(error) || WriteError.isInstance(error)) return error;
  return new WriteError(`cannot write GeoTIFF ${label}: ${reason}; nothing was written`, {
    cause: error,
    details: { path: label },
  });
}

export function errorReason(error: unknown): string {
  return PyramidsError.isInstance(error)
    ? error.message
    : ((error as Error).message ?? String(error));
}

export function describeFileError(error: unknown): string {
  const code = (error as { code?: string }).code;
  const reasons: Record<string, string> = {
    ENOENT: 'the folder does not exist',
    ENOTDIR: 'a part of the path is not a folder',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the file system is read-only',
    ENOSPC: 'no space left on the device',
    EISDIR: 'the path is a folder',
    EFBIG: 'the file is too large for this file system',
  };
  const message = errorReason(error);
  return code && reasons[code] ? `${reasons[code]} (${message})` : message;
}

export function randomSuffix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
