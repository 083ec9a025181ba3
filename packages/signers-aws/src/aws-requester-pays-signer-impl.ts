// The heavy half of the requester-pays signer: SigV4 (aws4fetch) and, when no
// credentials are given, the AWS SDK's Node provider chain, imported on first use.
import { createTokenCache, headerRecord, isAbortError, SignerError } from '@pyramids/core';
import { AwsV4Signer } from 'aws4fetch';
import type { AwsCredentials, AwsCredentialsSource } from './aws-credentials.js';
import type { AwsRequesterPaysSignerOptions } from './aws-requester-pays-signer.js';
import { gdalEndpointEnv, matchesS3 } from './s3-matching.js';

/** What the plugin object delegates to. */
export interface AwsRequesterPaysSignerImplementation {
  headers(url: string, method: string, signal?: AbortSignal): Promise<Record<string, string>>;
  gdalEnv(href: string, signal?: AbortSignal): Promise<Record<string, string>>;
}

const ID = 'aws-requester-pays';
const CREDENTIALS_HELP =
  'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials), or AWS_PROFILE, ' +
  'or pass { credentials }; requester-pays buckets need an AWS account to bill';

/** Builds the implementation; `options.region` is already resolved. */
export function createAwsRequesterPaysSignerImplementation(
  options: AwsRequesterPaysSignerOptions & { region: string },
): AwsRequesterPaysSignerImplementation {
  const source = options.credentials;
  const provide = async (): Promise<AwsCredentials> => {
    if (source && typeof source === 'object') return source;
    if (typeof source === 'function') return source();
    const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
    return fromNodeProviderChain()();
  };
  const credentialsCache = createTokenCache<AwsCredentials>({
    refreshWindow: options.refreshWindow ?? 300_000,
    load: async () => {
      let credentials: AwsCredentials;
      try {
        credentials = await provide();
      } catch (error) {
        if (isAbortError(error)) throw error;
        // The SDK's message names providers tried, never a secret; keep it as the cause only.
        throw new SignerError(`${ID}: no AWS credentials found; ${CREDENTIALS_HELP}`, {
          plugin: ID,
          cause: error,
        });
      }
      if (
        !credentials ||
        typeof credentials.accessKeyId !== 'string' ||
        !credentials.accessKeyId ||
        typeof credentials.secretAccessKey !== 'string' ||
        !credentials.secretAccessKey
      ) {
        throw new SignerError(
          `${ID}: the credentials have no accessKeyId or secretAccessKey; ${CREDENTIALS_HELP}`,
          { plugin: ID },
        );
      }
      return { value: credentials, expiresAt: credentials.expiration?.getTime() };
    },
  });

  return {
    async headers(url, method, signal) {
      const credentials = await credentialsCache.get('', signal);
      const signer = new AwsV4Signer({
        url,
        method,
        headers: { 'x-amz-request-payer': 'requester' },
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
        sessionToken: credentials.sessionToken,
        service: 's3',
        region: options.region,
      });
      return headerRecord((await signer.sign()).headers);
    },
    async gdalEnv(href, signal) {
      if (!matchesS3(href, options)) return {};
      const credentials = await credentialsCache.get('', signal);
      return {
        AWS_REQUEST_PAYER: 'requester',
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_SESSION_TOKEN: credentials.sessionToken,
        AWS_REGION: options.region,
        GDAL_DISABLE_READDIR_ON_OPEN: 'EMPTY_DIR',
        CPL_VSIL_CURL_USE_HEAD: 'NO',
        ...gdalEndpointEnv(options.endpoint),
      };
    },
  };
}

export type { AwsCredentialsSource };
