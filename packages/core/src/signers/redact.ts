/**
 * An href fit for an error message or a log line: the query string and any
 * user-info are replaced, since SAS tokens and presigned URLs carry secrets there,
 * and control characters are escaped, so a newline in an href cannot split the line.
 */
export function redactHref(href: string): string {
  const withoutUserInfo = escapeControlCharacters(href).replace(
    /^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i,
    '$1***@',
  );
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
export function redactRequestSecrets(
  text: string,
  url: string,
  headers: Record<string, string> = {},
): string {
  const secrets: string[] = [];
  try {
    const parsed = new URL(url);
    secrets.push(
      ...parsed.searchParams.values(),
      decodeURIComponent(parsed.username),
      decodeURIComponent(parsed.password),
    );
  } catch {
    // Not a URL: nothing to take from it.
  }
  for (const [name, value] of Object.entries(headers)) {
    if (!PLAIN_HEADERS.has(name.toLowerCase())) secrets.push(value, ...value.split(/[\s,]+/));
  }
  // Short values (`rl`, `true`) are no credential and would blank out ordinary words.
  const known = redactSecrets(
    text,
    secrets.filter((secret) => secret.length >= 8).sort((a, b) => b.length - a.length),
  );
  return redactSecretLooking(known);
}

/** `Bearer <token>` / `Basic <credentials>` and `Authorization: <value>` as quoted in text or JSON. */
const AUTHORIZATION_PATTERN =
  /\b(authorization|x-api-key|api-key|ocp-apim-subscription-key)("?\s*[:=]\s*"?)(?:(bearer|basic)\s+)?[^\s",;&]+/gi;
const SCHEME_TOKEN_PATTERN = /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi;
/** `name=value` (query strings, cookies, form bodies) and `"name": "value"` (JSON) for credential-like names. */
const NAMED_VALUE_PATTERN =
  /\b(sig|signature|x-amz-signature|x-amz-security-token|x-amz-credential|x-goog-signature|x-goog-credential|token|access_token|refresh_token|id_token|api_key|apikey|key|secret|password|passwd|client_secret)("?\s*[:=]\s*"?)[^\s"&,;<>]+/gi;
const USER_INFO_PATTERN = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@?#"]*@/gi;

/**
 * `text` with every secret-looking value replaced by `***`: bearer and basic credentials,
 * `Authorization` header values, user-info in URLs and the values of credential-like
 * parameters (SAS `sig`, `X-Amz-Signature`, `token`, `key`, …), whether written as a
 * query string or as JSON. For server text whose request is unknown or already redacted.
 */
export function redactSecretLooking(text: string): string {
  return text
    .replace(
      AUTHORIZATION_PATTERN,
      (_match, name: string, separator: string, scheme?: string) =>
        `${name}${separator}${scheme ? `${scheme} ` : ''}***`,
    )
    .replace(SCHEME_TOKEN_PATTERN, (match, scheme: string) =>
      match.endsWith('***') ? match : `${scheme} ***`,
    )
    .replace(
      NAMED_VALUE_PATTERN,
      (_match, name: string, separator: string) => `${name}${separator}***`,
    )
    .replace(USER_INFO_PATTERN, '$1***@');
}

/**
 * Server text made fit to quote in a one-line message: `redact` applied first (so a
 * secret straddling the cut cannot survive as a prefix), secret-looking values hidden,
 * whitespace collapsed, control characters escaped, then cut to `limit` characters.
 */
export function quoteServerText(
  text: string,
  limit = 300,
  redact: (text: string) => string = (value) => value,
): string {
  const flat = escapeControlCharacters(
    redactSecretLooking(redact(text)).replace(/\s+/g, ' ').trim(),
  );
  return flat.length > limit ? `${flat.slice(0, limit)}…` : flat;
}

/**
 * `text` with every control character (newline, carriage return, escape, NUL, …) written
 * as a visible escape (`\\n`, `\\u001b`), so that text from an href or a server can
 * neither split a printed line nor drive the terminal.
 */
export function escapeControlCharacters(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (character) => {
    if (character === '\n') return '\\n';
    if (character === '\r') return '\\r';
    if (character === '\t') return '\\t';
    return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** Query parameters that make an href a credential: SAS, presigned S3/GCS, CloudFront, tokens. */
const SIGNATURE_PARAMETERS = new Set([
  'sig',
  'signature',
  'x-amz-signature',
  'x-amz-security-token',
  'x-goog-signature',
  'token',
  'access_token',
]);

/**
 * `href` without its query when the query signs it (a SAS token, a presigned URL),
 * so that it can be written where secrets must not go (serialised chunk tasks);
 * any other href unchanged. The signer re-signs the bare href at read time.
 */
export function withoutSignedQuery(href: string): string {
  const queryStart = href.indexOf('?');
  if (queryStart === -1) return href;
  const hashStart = href.indexOf('#', queryStart);
  const query = new URLSearchParams(
    href.slice(queryStart + 1, hashStart === -1 ? undefined : hashStart),
  );
  for (const name of query.keys()) {
    if (SIGNATURE_PARAMETERS.has(name.toLowerCase())) return href.slice(0, queryStart);
  }
  return href;
}
