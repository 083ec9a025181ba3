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

/** Headers that carry no credential: left readable in quoted server replies. */
const PLAIN_HEADERS = new Set([
  'accept',
  'accept-encoding',
  'content-type',
  'content-length',
  'range',
  'user-agent',
  'host',
  'x-amz-date',
  'x-amz-content-sha256',
  'x-amz-request-payer',
]);

/**
 * `text` (typically a server's reply quoted in an error) with every credential the
 * request to `url` carried replaced by `***`: its query values, its user-info and
 * the values of its headers, whole and word by word (so `Bearer TOKEN` hides TOKEN).
 * Servers echo what they were sent; the caller knows what that was, the server's text does not say.
 */
export function redactRequestSecrets(text: string, url: string, headers: Record<string, string> = {}): string {
  const secrets: string[] = [];
  try {
    const parsed = new URL(url);
    secrets.push(...parsed.searchParams.values(), decodeURIComponent(parsed.username), decodeURIComponent(parsed.password));
  } catch {
    // Not a URL: nothing to take from it.
  }
  for (const [name, value] of Object.entries(headers)) {
    if (!PLAIN_HEADERS.has(name.toLowerCase())) secrets.push(value, ...value.split(/[\s,]+/));
  }
  // Short values (`rl`, `true`) are no credential and would blank out ordinary words.
  return redactSecrets(text, secrets.filter((secret) => secret.length >= 8).sort((a, b) => b.length - a.length));
}

/** Query parameters that make an href a credential: SAS, presigned S3/GCS, CloudFront, tokens. */
const SIGNATURE_PARAMETERS = new Set(['sig', 'signature', 'x-amz-signature', 'x-amz-security-token', 'x-goog-signature', 'token', 'access_token']);

/**
 * `href` without its query when the query signs it (a SAS token, a presigned URL),
 * so that it can be written where secrets must not go (serialised chunk tasks);
 * any other href unchanged. The signer re-signs the bare href at read time.
 */
export function withoutSignedQuery(href: string): string {
  const queryStart = href.indexOf('?');
  if (queryStart === -1) return href;
  const hashStart = href.indexOf('#', queryStart);
  const query = new URLSearchParams(href.slice(queryStart + 1, hashStart === -1 ? undefined : hashStart));
  for (const name of query.keys()) {
    if (SIGNATURE_PARAMETERS.has(name.toLowerCase())) return href.slice(0, queryStart);
  }
  return href;
}
