// s3:// hrefs and their HTTPS forms, shared by the S3 signers (AWS, CDSE eodata).

/** Bucket and key of an S3 object. */
export interface S3Location {
  bucket: string;
  /** Object key, not URL-encoded, without a leading slash. */
  key: string;
}

/** Where and how an S3-compatible service is addressed. */
export interface S3Endpoint {
  /** AWS region, e.g. `us-west-2`; names the regional endpoint when `endpoint` is not set. */
  region: string;
  /** Base URL of an S3-compatible service (`https://eodata.dataspace.copernicus.eu`); path-style is used. */
  endpoint?: string;
  /** Virtual-hosted style (`bucket.s3.region.amazonaws.com`) for AWS; default true without `endpoint`. */
  virtualHosting?: boolean;
}

/** Bucket and key of an `s3://bucket/key` href; undefined for anything else. */
export function parseS3Href(href: string): S3Location | undefined {
  const match = /^s3:\/\/([^/?#]+)\/?([^?#]*)$/i.exec(href);
  if (!match) return undefined;
  return { bucket: match[1]!, key: safeDecode(match[2]!) };
}

/**
 * The HTTPS URL of an S3 object: virtual-hosted on the regional AWS endpoint
 * (regional even for us-east-1 and opt-in regions, which the global endpoint
 * does not serve), or path-style on a custom endpoint. Keys are URL-encoded
 * per segment, as SigV4 expects.
 */
export function s3ObjectUrl(location: S3Location, endpoint: S3Endpoint): string {
  const key = location.key.split('/').map(encodeS3Segment).join('/');
  if (endpoint.endpoint) {
    const base = endpoint.endpoint.replace(/\/+$/, '');
    return endpoint.virtualHosting
      ? base.replace(/^(https?:\/\/)/i, `$1${location.bucket}.`) + `/${key}`
      : `${base}/${location.bucket}/${key}`;
  }
  if (endpoint.virtualHosting === false || location.bucket.includes('.')) {
    // Dotted bucket names break the TLS wildcard certificate: path-style instead.
    return `https://s3.${endpoint.region}.amazonaws.com/${location.bucket}/${key}`;
  }
  return `https://${location.bucket}.s3.${endpoint.region}.amazonaws.com/${key}`;
}

/**
 * Bucket and key of an HTTPS URL on AWS S3 (virtual-hosted or path-style, any
 * region, dualstack) or on a custom path-style endpoint; undefined otherwise.
 */
export function parseS3Url(url: string, endpoint?: string): S3Location | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const path = parsed.pathname.replace(/^\//, '');
  if (endpoint) {
    let base: URL;
    try {
      base = new URL(endpoint);
    } catch {
      return undefined;
    }
    if (parsed.host.toLowerCase() !== base.host.toLowerCase()) return undefined;
    const basePath = base.pathname.replace(/^\/|\/$/g, '');
    const rest =
      basePath && path.startsWith(`${basePath}/`) ? path.slice(basePath.length + 1) : path;
    const slash = rest.indexOf('/');
    if (slash <= 0) return undefined;
    return { bucket: rest.slice(0, slash), key: safeDecode(rest.slice(slash + 1)) };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  const host = parsed.hostname.toLowerCase();
  const virtual = /^(.+)\.s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com$/.exec(host);
  if (virtual && !/^s3([.-]|$)/.test(host)) return { bucket: virtual[1]!, key: safeDecode(path) };
  if (/^s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com$/.test(host)) {
    const slash = path.indexOf('/');
    if (slash <= 0) return undefined;
    return { bucket: path.slice(0, slash), key: safeDecode(path.slice(slash + 1)) };
  }
  return undefined;
}

function encodeS3Segment(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[!'()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
