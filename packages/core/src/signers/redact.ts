/**
 * An href fit for an error message or a log line: the query string and any
 * user-info are replaced, since SAS tokens and presigned URLs carry secrets there.
 */
export function redactHref(href: string): string {
  const withoutUserInfo = href.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i, '$1***@');
  const queryStart = withoutUserInfo.search(/[?#]/);
  if (queryStart === -1) return withoutUserInfo;
  return `${withoutUserInfo.slice(0, queryStart)}?<redacted>`;
}

/**
 * `text` with every occurrence of each secret replaced by `***`, for error
 * messages that quote a server's reply (which may echo what it was sent).
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let result = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    result = result.split(secret).join('***');
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) result = result.split(encoded).join('***');
  }
  return result;
}
