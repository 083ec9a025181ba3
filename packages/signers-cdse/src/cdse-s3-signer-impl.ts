// SigV4 for the CDSE eodata endpoint, with aws4fetch (loaded on first read).
import { headerRecord, SignerError } from '@pyramids/core';
import { AwsV4Signer } from 'aws4fetch';
import type { CdseS3SignerOptions } from './cdse-s3-signer.js';

/** What the plugin object delegates to. */
export interface CdseS3SignerImplementation {
  headers(url: string, method: string): Promise<Record<string, string>>;
  gdalEnv(): Record<string, string>;
}

/** Builds the implementation from resolved options. */
export function createCdseS3SignerImplementation(
  options: CdseS3SignerOptions & { endpoint: string; region: string },
): CdseS3SignerImplementation {
  const keys = () => {
    if (!options.accessKey || !options.secretKey) {
      throw new SignerError(
        'cdse-s3: no CDSE S3 keys; set CDSE_S3_ACCESS_KEY and CDSE_S3_SECRET_KEY to a key pair from the CDSE S3 key manager (or pass { accessKey, secretKey })',
        { plugin: 'cdse-s3' },
      );
    }
    return { accessKeyId: options.accessKey, secretAccessKey: options.secretKey };
  };
  return {
    async headers(url, method) {
      const signer = new AwsV4Signer({
        url,
        method,
        ...keys(),
        service: 's3',
        region: options.region,
      });
      return headerRecord((await signer.sign()).headers);
    },
    gdalEnv() {
      const { accessKeyId, secretAccessKey } = keys();
      const endpoint = new URL(options.endpoint);
      return {
        AWS_S3_ENDPOINT: endpoint.host,
        AWS_HTTPS: endpoint.protocol === 'https:' ? 'YES' : 'NO',
        AWS_VIRTUAL_HOSTING: 'FALSE',
        AWS_ACCESS_KEY_ID: accessKeyId,
        AWS_SECRET_ACCESS_KEY: secretAccessKey,
        AWS_REGION: options.region,
        GDAL_DISABLE_READDIR_ON_OPEN: 'EMPTY_DIR',
        CPL_VSIL_CURL_USE_HEAD: 'NO',
      };
    },
  };
}
