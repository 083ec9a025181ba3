/** AWS credentials, in the shape of the AWS SDK's `AwsCredentialIdentity`. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** When temporary credentials stop working; they are refreshed before then. */
  expiration?: Date;
}

/** Credentials, or a provider of them (e.g. one from `@aws-sdk/credential-providers`). */
export type AwsCredentialsSource = AwsCredentials | (() => Promise<AwsCredentials>);
