import { parseS3Href, parseS3Url, s3ObjectUrl, type S3Location } from '@pyramids/core';

/** Which S3 objects a signer is for. */
export interface S3Scope {
  region: string;
  endpoint?: string;
  buckets?: readonly string[];
}

/** Bucket and key of an `s3://`, `/vsis3/` or S3 HTTPS href (on `endpoint` when set). */
export function locateS3(href: string, endpoint?: string): S3Location | undefined {
  const plain = href.replace(/^\/vsicurl\//, '').replace(/^\/vsis3\//, 's3://');
  return parseS3Href(plain) ?? parseS3Url(plain, endpoint);
}

/** True when `href` is an S3 object of this scope's endpoint and buckets. */
export function matchesS3(href: string, scope: S3Scope): boolean {
  const location = locateS3(href, scope.endpoint);
  if (!location) return false;
  return !scope.buckets || scope.buckets.includes(location.bucket);
}

/** The HTTPS URL of an `s3://` href; other hrefs unchanged. */
export function s3HttpsHref(href: string, scope: S3Scope): string {
  const location = parseS3Href(href.replace(/^\/vsis3\//, 's3://'));
  if (!location) return href;
  return s3ObjectUrl(location, {
    region: scope.region,
    endpoint: scope.endpoint,
    virtualHosting: scope.endpoint ? false : undefined,
  });
}

/** GDAL config options that point `/vsis3/` at a custom endpoint, path-style. */
export function gdalEndpointEnv(endpoint: string | undefined): Record<string, string> {
  if (!endpoint) return {};
  const url = new URL(endpoint);
  return {
    AWS_S3_ENDPOINT: url.host,
    AWS_HTTPS: url.protocol === 'https:' ? 'YES' : 'NO',
    AWS_VIRTUAL_HOSTING: 'FALSE',
  };
}

/** True for a presigned S3 URL (SigV4 or SigV2 signature in the query). */
export function isPresigned(url: string): boolean {
  return /[?&](X-Amz-Signature|Signature)=/i.test(url);
}
