import { PLUGIN_API_VERSION, type Signer } from '@pyramids/core';
import { describeS3Failure } from './describe-s3-failure.js';
import { gdalEndpointEnv, matchesS3, s3HttpsHref } from './s3-matching.js';

/** Options of {@link awsAnonymousSigner}. */
export interface AwsAnonymousSignerOptions {
  /**
   * Region of the buckets, e.g. `us-west-2` (Sentinel-2 COGs). Pinned: URLs use the
   * regional endpoint, which opt-in regions (af-south-1, ap-east-1, …) require.
   * Default `AWS_REGION`, then `AWS_DEFAULT_REGION`, then `us-west-2`.
   */
  region?: string;
  /** Only these buckets are handled (default: every S3 href). */
  buckets?: readonly string[];
  /** An S3-compatible endpoint, addressed path-style. Default: AWS. */
  endpoint?: string;
  /** Environment read for defaults (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/**
 * Signer for public S3 buckets: `s3://bucket/key` → the regional HTTPS URL,
 * unsigned reads, and `AWS_NO_SIGN_REQUEST=YES` for GDAL so that no local
 * credentials are looked up or sent.
 */
export function awsAnonymousSigner(options: AwsAnonymousSignerOptions = {}): Signer {
  const env = options.env ?? process.env;
  const region = options.region ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'] ?? 'us-west-2';
  const scope = { region, endpoint: options.endpoint, buckets: options.buckets };
  const matches = (url: string) => matchesS3(url, scope);
  return {
    kind: 'signer',
    id: 'aws-anonymous',
    apiVersion: PLUGIN_API_VERSION,
    packageName: '@pyramids/signers-aws',
    matches,
    signHref: async (href) => (matches(href) ? s3HttpsHref(href, scope) : href),
    headers: async () => ({}),
    gdalEnv: async (href): Promise<Record<string, string>> =>
      matches(href)
        ? {
            AWS_NO_SIGN_REQUEST: 'YES',
            AWS_REGION: region,
            GDAL_DISABLE_READDIR_ON_OPEN: 'EMPTY_DIR',
            ...gdalEndpointEnv(options.endpoint),
          }
        : {},
    describeFailure: (url, response) =>
      matches(url) ? describeS3Failure('aws-anonymous', url, response, region) : undefined,
    describe: () => ({
      id: 'aws-anonymous',
      options: {
        region,
        endpoint: options.endpoint,
        ...(options.buckets ? { buckets: [...options.buckets] } : {}),
      },
    }),
    // Workers rebuild this signer from a task: non-secret options from the description, secrets from the environment.
    fromDescription: (description, environment) =>
      awsAnonymousSigner({
        ...(description.options as AwsAnonymousSignerOptions),
        ...(environment?.env ? { env: environment.env } : {}),
      }),
  } satisfies Signer;
}
