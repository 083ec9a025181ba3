// @pyramids/signers-aws: AWS S3 signers (requester-pays with SigV4, anonymous public buckets).
export {
  awsRequesterPaysSigner,
  type AWSRequesterPaysSignerOptions,
} from './aws-requester-pays-signer.js';
export { awsAnonymousSigner, type AWSAnonymousSignerOptions } from './aws-anonymous-signer.js';
export type { AWSCredentials, AWSCredentialsSource } from './aws-credentials.js';
export { VERSION } from './version.js';
