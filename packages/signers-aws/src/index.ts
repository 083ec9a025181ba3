// @pyramids/signers-aws: AWS S3 signers (requester-pays with SigV4, anonymous public buckets).
export {
  awsRequesterPaysSigner,
  type AwsRequesterPaysSignerOptions,
} from './aws-requester-pays-signer.js';
export { awsAnonymousSigner, type AwsAnonymousSignerOptions } from './aws-anonymous-signer.js';
export type { AwsCredentials, AwsCredentialsSource } from './aws-credentials.js';
export { VERSION } from './version.js';
