import {
  parseS3Href,
  parseS3Url,
  PLUGIN_API_VERSION,
  redactHref,
  s3ObjectUrl,
  SignerError,
  type Signer,
} from '@pyramids/core';
import type { CdseS3SignerImplementation } from './cdse-s3-signer-impl.js';

/** The CDSE S3 endpoint that serves the `eodata` bucket. */
export const CDSE_S3_ENDPOINT = 'https://eodata.dataspace.copernicus.eu';

/** Options of {@link cdseS3Signer}. */
export interface CdseS3SignerOptions {
  /** S3 access key from the CDSE S3 key manager; default `CDSE_S3_ACCESS_KEY`. */
  accessKey?: string;
  /** S3 secret key; default `CDSE_S3_SECRET_KEY`. */
  secretKey?: string;
  /** S3 endpoint (default {@link CDSE_S3_ENDPOINT}), addressed path-style. */
  endpoint?: string;
  /** Signing region (default `default`, as CDSE documents). */
  region?: string;
  /** Buckets signed (default `['eodata']`). */
  buckets?: readonly string[];
  /** Environment read for defaults (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/**
 * Signer for the CDSE `eodata` S3 endpoint: `s3://eodata/…` hrefs become
 * path-style HTTPS URLs on the endpoint, every read is SigV4-signed with the
 * account's S3 keys, and `gdalEnv()` points GDAL's `/vsis3/` at the endpoint.
 */
export function cdseS3Signer(options: CdseS3SignerOptions = {}): Signer {
  const env = options.env ?? process.env;
  const endpoint = (options.endpoint ?? CDSE_S3_ENDPOINT).replace(/\/+$/, '');
  const region = options.region ?? 'default';
  const buckets = [...(options.buckets ?? ['eodata'])];
  const resolved = {
    ...options,
    endpoint,
    region,
    accessKey: options.accessKey ?? (env['CDSE_S3_ACCESS_KEY'] || undefined),
    secretKey: options.secretKey ?? (env['CDSE_S3_SECRET_KEY'] || undefined),
  };
  const locate = (href: string) => {
    const plain = href.replace(/^\/vsicurl\//, '').replace(/^\/vsis3\//, 's3://');
    const location = parseS3Href(plain) ?? parseS3Url(plain, endpoint);
    return location && buckets.includes(location.bucket) ? location : undefined;
  };
  let implementation: Promise<CdseS3SignerImplementation> | undefined;
  const load = () =>
    (implementation ??= import('./cdse-s3-signer-impl.js').then((module) =>
      module.createCdseS3SignerImplementation(resolved),
    ));
  return {
    kind: 'signer',
    id: 'cdse-s3',
    apiVersion: PLUGIN_API_VERSION,
    packageName: '@pyramids/signers-cdse',
    matches: (url) => locate(url) !== undefined,
    async signHref(href) {
      const location = parseS3Href(href.replace(/^\/vsis3\//, 's3://'));
      return location && buckets.includes(location.bucket)
        ? s3ObjectUrl(location, { region, endpoint, virtualHosting: false })
        : href;
    },
    headers: async (url, request) =>
      locate(url) && !/[?&](X-Amz-Signature|Signature)=/i.test(url)
        ? (await load()).headers(url, request?.method ?? 'GET')
        : {},
    gdalEnv: async (href) => (locate(href) ? (await load()).gdalEnv() : {}),
    describeFailure(url, response) {
      if (!locate(url) || (response.status !== 401 && response.status !== 403)) return undefined;
      return new SignerError(
        `cdse-s3: the CDSE S3 endpoint refused ${redactHref(url)} (HTTP ${response.status}); set CDSE_S3_ACCESS_KEY and CDSE_S3_SECRET_KEY ` +
          'to a key pair from the CDSE S3 key manager (keys expire; make a new pair if this one has)',
        { plugin: 'cdse-s3', details: { url: redactHref(url), status: response.status } },
      );
    },
    describe: () => ({ id: 'cdse-s3', options: { endpoint, region, buckets } }),
    // Workers rebuild this signer from a task: non-secret options from the description, secrets from the environment.
    fromDescription: (description, environment) =>
      cdseS3Signer({
        ...(description.options as CdseS3SignerOptions),
        ...(environment?.env ? { env: environment.env } : {}),
      }),
  } satisfies Signer;
}
