// Where the Earthdata token comes from: given (EARTHDATA_TOKEN), or minted at
// Earthdata Login with HTTP Basic auth (EARTHDATA_USERNAME + EARTHDATA_PASSWORD).
import {
  createTokenCache,
  httpRequest,
  isAbortError,
  redactSecrets,
  responseSnippet,
  SignerError,
} from '@pyramids/core';
import type { EarthdataSignerOptions } from './earthdata-signer.js';
import { jwtExpiry, parseTokenExpiry } from './parse-token-expiry.js';

/** What the plugin object delegates to. */
export interface EarthdataSignerImplementation {
  token(signal?: AbortSignal): Promise<string>;
  forget(): void;
}

const ID = 'earthdata';
const HELP =
  'set EARTHDATA_TOKEN to a token from https://urs.earthdata.nasa.gov (Generate Token), or EARTHDATA_USERNAME and EARTHDATA_PASSWORD';

/** Builds the implementation from resolved options. */
export function createEarthdataSignerImplementation(
  options: EarthdataSignerOptions & { tokenUrl: string; refreshWindow: number },
): EarthdataSignerImplementation {
  const now = options.now ?? Date.now;
  const secrets = [options.token, options.password, options.username];

  const fromGivenToken = async () => {
    const token = options.token!.trim();
    const expiresAt = jwtExpiry(token);
    if (expiresAt !== undefined && expiresAt <= now()) {
      throw new SignerError(
        `${ID}: the Earthdata token expired on ${new Date(expiresAt).toISOString()}; generate a new one at https://urs.earthdata.nasa.gov (Generate Token) and set EARTHDATA_TOKEN`,
        { plugin: ID, details: { expiry: new Date(expiresAt).toISOString() } },
      );
    }
    // A given token cannot be refreshed: use it until it expires, checking again each time.
    return {
      value: token,
      expiresAt:
        expiresAt === undefined
          ? undefined
          : Math.min(expiresAt, now() + options.refreshWindow + 1),
    };
  };

  const mint = async () => {
    if (!options.username || !options.password)
      throw new SignerError(`${ID}: no Earthdata credentials; ${HELP}`, { plugin: ID });
    const basic = Buffer.from(`${options.username}:${options.password}`).toString('base64');
    let response: Response;
    try {
      response = await httpRequest(options.tokenUrl, {
        method: 'POST',
        headers: { Authorization: `Basic ${basic}`, Accept: 'application/json' },
        fetch: options.fetch,
        retries: options.retries,
      });
    } catch (error) {
      if (isAbortError(error)) throw error;
      throw new SignerError(
        `${ID}: could not reach Earthdata Login: ${redactSecrets((error as Error).message, [...secrets, basic])}; check the network`,
        {
          plugin: ID,
          cause: error,
        },
      );
    }
    if (!response.ok) {
      const snippet = await responseSnippet(response, 200, (text) =>
        redactSecrets(text, [...secrets, basic]),
      );
      const advice =
        response.status === 401 || response.status === 403
          ? 'the user name or password was refused: check EARTHDATA_USERNAME and EARTHDATA_PASSWORD (or set EARTHDATA_TOKEN instead)'
          : 'Earthdata Login failed; try again later';
      throw new SignerError(
        `${ID}: Earthdata Login answered HTTP ${response.status}${snippet ? ` (${snippet})` : ''}; ${advice}`,
        {
          plugin: ID,
          details: { status: response.status },
        },
      );
    }
    let body: Record<string, unknown>;
    try {
      const parsed = (await response.json()) as unknown;
      // find_or_create_token answers with one object; the older /api/users/tokens with a list.
      body = (Array.isArray(parsed) ? parsed.at(-1) : parsed) as Record<string, unknown>;
    } catch (error) {
      throw new SignerError(
        `${ID}: Earthdata Login returned a body that is not JSON; check the token URL`,
        { plugin: ID, cause: error },
      );
    }
    const token = body?.['access_token'];
    if (typeof token !== 'string' || token === '') {
      throw new SignerError(`${ID}: Earthdata Login returned no access_token; ${HELP}`, {
        plugin: ID,
      });
    }
    const expiresAt = parseTokenExpiry(body, token, now());
    if (expiresAt !== undefined && expiresAt <= now()) {
      throw new SignerError(
        `${ID}: Earthdata Login returned a token that expired on ${new Date(expiresAt).toISOString()}; revoke it in your Earthdata Login profile so a new one is made`,
        {
          plugin: ID,
        },
      );
    }
    return { value: token, expiresAt };
  };

  const cache = createTokenCache<string>({
    load: options.token ? fromGivenToken : mint,
    refreshWindow: options.refreshWindow,
    now,
  });
  return { token: (signal) => cache.get('', signal), forget: () => cache.clear() };
}
