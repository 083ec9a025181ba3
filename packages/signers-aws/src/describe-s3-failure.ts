import { redactHref, SignerError } from '@pyramids/core';

/**
 * A SignerError explaining why S3 refused a read: a 301 with `x-amz-bucket-region`
 * (wrong region), 403 (credentials, billing consent) or 400/401 (bad signature).
 */
export function describeS3Failure(
  signerId: string,
  url: string,
  response: { status: number; headers: Headers },
  region: string,
): SignerError | undefined {
  const where = redactHref(url);
  const bucketRegion = response.headers.get('x-amz-bucket-region');
  const details = {
    url: where,
    status: response.status,
    region,
    bucketRegion,
  };
  if (
    (response.status === 301 || response.status === 400) &&
    bucketRegion &&
    bucketRegion !== region
  ) {
    return new SignerError(
      `${signerId}: ${where} is in region ${bucketRegion}, not ${region} (HTTP ${response.status}); pass { region: '${bucketRegion}' } or set AWS_REGION=${bucketRegion}`,
      { plugin: signerId, details },
    );
  }
  if (response.status === 401 || response.status === 403) {
    const advice =
      signerId === 'aws-anonymous'
        ? 'the bucket is not public: use the aws-requester-pays signer with credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE)'
        : 'check the credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE) and that they allow s3:GetObject; requester-pays buckets bill the reading account';
    return new SignerError(
      `${signerId}: AWS S3 refused ${where} (HTTP ${response.status}); ${advice}`,
      { plugin: signerId, details },
    );
  }
  return undefined;
}
