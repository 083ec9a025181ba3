// A worked example of a third-party signer plugin (not published).
import { apiKeySigner } from './api-key-signer.js';

export { apiKeySigner, type ApiKeySignerOptions } from './api-key-signer.js';

/**
 * What `pyramids --plugin` loads: the signer configured from the environment
 * (`API_KEY_HOSTS`, `API_KEY`). It signs nothing until `API_KEY_HOSTS` names a host.
 */
export const plugins = [apiKeySigner()];
