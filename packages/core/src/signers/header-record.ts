/**
 * The headers of a signed request (a SigV4 signature from aws4fetch, a
 * `Request`) as the plain record `Signer.headers` returns: lower-case names.
 */
export function headerRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, name) => {
    record[name] = value;
  });
  return record;
}
