import { PLUGIN_API_VERSION, type Signer } from '@pyramids/core';
import type { AwsCredentialsSource } from './aws-credentials.js';
import type { AwsRequesterPaysSignerImplementation } from './aws-requester-pays-signer-impl.js';
import { describeS3Failure } from './describe-s3-failure.js';
import { isPresigned, matchesS3, s3HttpsHref } from './s3-matching.js';

/** Options of {@link awsRequesterPaysSigner}. */
export interface AwsRequesterPaysSignerOptions {
  /** Region of the buckets, e.g. `us-west-2` (USGS Landsat). Default `AWS_REGION`, then `AWS_DEFAULT_REGION`, then `us-west-2`. */
  region?: string;
  /**
   * Credentials or a provider of them. Default: the AWS SDK's Node provider chain
   * (`fromNodeProviderChain`: environment, SSO, shared config/credentials files, web identity,
   * ECS/EC2 metadata), imported on first use.
   */
  credentials?: AwsCredentialsSource;
  /** Only these buckets are signed (default: every S3 href and URL). */
  buckets?: readonly string[];
  /** An S3-compatible endpoint (`http://127.0.0.1:9000`), addressed path-style. Default: AWS. */
  endpoint?: string;
  /** Milliseconds before temporary credentials expire at which they are refreshed (default 300 000). */
  refreshWindow?: number;
  /** Environment read for defaults (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/**
 * Signer for AWS requester-pays buckets (USGS Landsat `s3://usgs-landsat`, …):
 * `signHref` turns `s3://bucket/key` into the bucket's HTTPS URL, `headers(url)`
 * signs each read with SigV4 and `x-amz-request-payer: requester`, `gdalEnv()`
 * gives GDAL the same (`AWS_REQUEST_PAYER=requester` and the resolved credentials).
 * Reads are billed to the account of the credentials. Register with
 * `registry.use(awsRequesterPaysSigner({ region: 'us-west-2' }))`.
 */
export function awsRequesterPaysSigner(options: AwsRequesterPaysSignerOptions = {}): Signer {
  const env = options.env ?? process.env;
  const region = options.region ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'] ?? 'us-west-2';
  const resolved = { ...options, region, env };
  let implementation: Promise<AwsRequesterPaysSignerImplementation> | undefined;
  const load = () =>
    (implementation ??= import('./aws-requester-pays-signer-impl.js').then((module) =>
      module.createAwsRequesterPaysSignerImplementation(resolved),
    ));
  const matches = (url: string) => matchesS3(url, resolved);
  return {
    kind: 'signer',
    id: 'aws-requester-pays',
    apiVersion: PLUGIN_API_VERSION,
    packageName: '@pyramids/signers-aws',
    matches,
    signHref: async (href) => (matches(href) ? s3HttpsHref(href, resolved) : href),
    // A presigned URL carries its own signature: a second one in a header would make S3 refuse it.
    headers: async (url, request, signal) =>
      matches(url) && !isPresigned(url)
        ? (await load()).headers(url, request?.method ?? 'GET', signal)
        : {},
    gdalEnv: async (href, signal) => (await load()).gdalEnv(href, signal),
    describeFailure: (url, response) =>
      matches(url) ? describeS3Failure('aws-requester-pays', url, response, region) : undefined,
    describe: () => ({
      id: 'aws-requester-pays',
      options: {
        region,
        endpoint: options.endpoint,
        ...(options.buckets ? { buckets: [...options.buckets] } : {}),
      },
    }),
    // Workers rebuild this signer from a task: non-secret options from the description, secrets from the environment.
    fromDescription: (description, environment) =>
      awsRequesterPaysSigner({
        ...(description.options as AwsRequesterPaysSignerOptions),
        ...(environment?.env ? { env: environment.env } : {}),
      }),
  } satisfies Signer;
}
