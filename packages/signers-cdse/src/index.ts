// @pyramids/signers-cdse: Copernicus Data Space Ecosystem signers (OpenID Connect bearer, eodata S3).
export { cdseSigner, CDSE_HOSTS, CDSE_TOKEN_URL, type CdseSignerOptions } from './cdse-signer.js';
export { cdseS3Signer, CDSE_S3_ENDPOINT, type CdseS3SignerOptions } from './cdse-s3-signer.js';
export { VERSION } from './version.js';
