/**
 * True when `url`'s host is one of `patterns`. A pattern is a host name
 * (`data.example.com`, any port), a host with a port (`127.0.0.1:8080`, that
 * port only) or a wildcard (`*.example.com`, any subdomain, not the bare
 * domain). Comparison ignores case. Hrefs that are not http(s) URLs never match,
 * so a credential meant for a web host never reaches `file:` or `s3:` hrefs.
 */
export function matchHost(url: string, patterns: readonly string[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
  const hostname = parsed.hostname.toLowerCase();
  const host = parsed.host.toLowerCase();
  return patterns.some((raw) => {
    const pattern = raw.trim().toLowerCase();
    if (pattern.startsWith('*.')) return hostname.endsWith(pattern.slice(1));
    if (/:\d+$/.test(pattern) && !pattern.endsWith(']')) return host === pattern;
    return hostname === pattern;
  });
}
