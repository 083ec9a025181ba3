// @pyramids/signers-earthdata: NASA Earthdata Login bearer-token signer.
export {
  earthdataSigner,
  EARTHDATA_HOSTS,
  DEFAULT_TOKEN_URL,
  type EarthdataSignerOptions,
} from './earthdata-signer.js';
export { parseTokenExpiry, parseDateValue, jwtExpiry } from './parse-token-expiry.js';
export { VERSION } from './version.js';
