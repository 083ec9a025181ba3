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
