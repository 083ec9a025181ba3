// OpenID Connect for CDSE (Keycloak): password grant, refresh-token grant while a
// refresh token is held, and back to the password grant when that is refused.
import {
  createTokenCache,
  httpRequest,
  isAbortError,
  quoteServerText,
  redactSecrets,
  SignerError,
} from '@pyramids/core';
import type { CdseSignerOptions } from './cdse-signer.js';

/** What the plugin object delegates to. */
export interface CdseSignerImplementation {
  token(signal?: AbortSignal): Promise<string>;
  forget(): void;
}

const ID = 'cdse';
const HELP =
  'set CDSE_USERNAME and CDSE_PASSWORD to the e-mail and password of a Copernicus Data Space Ecosystem account';

interface TokenResponse {
  access_token?: unknown;
  expires_in?: unknown;
  refresh_token?: unknown;
  refresh_expires_in?: unknown;
  error?: unknown;
  error_description?: unknown;
}

class GrantRefused extends Error {}

/** Builds the implementation from resolved options. */
export function createCdseSignerImplementation(
  options: CdseSignerOptions & { clientId: string; tokenUrl: string; refreshWindow: number },
): CdseSignerImplementation {
  const now = options.now ?? Date.now;
  let refresh: { token: string; expiresAt: number } | undefined;
  const secrets = () => [options.password, options.username, refresh?.token];

  const grant = async (form: Record<string, string>, kind: string): Promise<TokenResponse> => {
    let response: Response;
    try {
      response = await httpRequest(options.tokenUrl, {
        method: 'POST',
        body: new URLSearchParams(form).toString(),
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        fetch: options.fetch,
        retries: options.retries,
      });
    } catch (error) {
      if (isAbortError(error)) throw error;
      throw new SignerError(
        `${ID}: could not reach the CDSE identity service: ${redactSecrets((error as Error).message, secrets())}; check the network`,
        {
          plugin: ID,
          cause: error,
        },
      );
    }
    // The whole body: a token answer is longer than any snippet (a JWT alone passes 300 characters).
    const text = await response.text().catch(() => '');
    let body: TokenResponse = {};
    try {
      body = JSON.parse(text) as TokenResponse;
    } catch {
      // Not JSON (a proxy's HTML page): reported below with the status.
    }
    if (response.ok && typeof body.access_token === 'string' && body.access_token) return body;
    // The server's words are quoted, and may echo what was sent: redact the secrets from them.
    const reason = quoteServerText(
      typeof body.error_description === 'string'
        ? `${String(body.error)}: ${body.error_description}`
        : text,
      200,
      (value) => redactSecrets(value, secrets()),
    );
    if (response.status === 400 || response.status === 401)
      throw new GrantRefused(`${kind} grant refused (HTTP ${response.status}, ${reason})`);
    throw new SignerError(
      `${ID}: the CDSE identity service answered HTTP ${response.status} to the ${kind} grant (${reason}); try again later`,
      {
        plugin: ID,
        details: { status: response.status },
      },
    );
  };

  const passwordGrant = async (): Promise<TokenResponse> => {
    if (!options.username || !options.password)
      throw new SignerError(`${ID}: no CDSE credentials; ${HELP}`, { plugin: ID });
    try {
      return await grant(
        {
          grant_type: 'password',
          username: options.username,
          password: options.password,
          client_id: options.clientId,
        },
        'password',
      );
    } catch (error) {
      if (!(error instanceof GrantRefused)) throw error;
      throw new SignerError(
        `${ID}: CDSE refused the login: ${redactSecrets(error.message, secrets())}; check CDSE_USERNAME and CDSE_PASSWORD`,
        {
          plugin: ID,
        },
      );
    }
  };

  const load = async () => {
    let body: TokenResponse | undefined;
    if (refresh && refresh.expiresAt > now()) {
      try {
        body = await grant(
          {
            grant_type: 'refresh_token',
            refresh_token: refresh.token,
            client_id: options.clientId,
          },
          'refresh-token',
        );
      } catch (error) {
        if (!(error instanceof GrantRefused)) throw error;
        // The session ended (logout, idle timeout): log in again with the password.
        refresh = undefined;
      }
    }
    body ??= await passwordGrant();
    const issuedAt = now();
    const expiresIn = Number(body.expires_in);
    refresh =
      typeof body.refresh_token === 'string' && body.refresh_token
        ? {
            token: body.refresh_token,
            expiresAt:
              issuedAt +
              (Number.isFinite(Number(body.refresh_expires_in))
                ? Number(body.refresh_expires_in)
                : 3600) *
                1000 -
              options.refreshWindow,
          }
        : undefined;
    return {
      value: body.access_token as string,
      expiresAt: issuedAt + (Number.isFinite(expiresIn) ? expiresIn : 600) * 1000,
    };
  };

  const cache = createTokenCache<string>({ load, refreshWindow: options.refreshWindow, now });
  return {
    token: (signal) => cache.get('', signal),
    forget: () => {
      cache.clear();
      refresh = undefined;
    },
  };
}
