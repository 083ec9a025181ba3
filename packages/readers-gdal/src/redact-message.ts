import { redactHref } from '@pyramids/core';

/** Replaces every URL in a GDAL message by its redacted form (SAS tokens, presigned queries). */
export function redactMessage(message: string): string {
  return message
    .replace(/https?%3A%2F%2F[^\s'"`&]*/gi, (match) => {
      try {
        return redactHref(decodeURIComponent(match));
      } catch {
        return '<redacted url>';
      }
    })
    .replace(/(?:https?|s3|gs|az|abfss?):\/\/[^\s'"`]*/gi, (match) => redactHref(match));
}
