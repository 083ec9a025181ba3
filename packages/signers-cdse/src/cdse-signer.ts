import { oauthBearerSigner, type Signer } from '@pyramids/core';

/** The CDSE OpenID Connect token endpoint (Keycloak). */
export const CDSE_TOKEN_URL =
  'https://identity.dataspace.copernicus.eu/auth/realms/CDSE/protocol/openid-connect/token';

/**
 * Hosts a CDSE access token is sent to: the OData download services, the
 * catalogues and Sentinel Hub. Not `eodata.dataspace.copernicus.eu`, which takes
 * S3 keys ({@link cdseS3Signer}), never a bearer token.
 */
export const CDSE_HOSTS: readonly string[] = [
  'zipper.dataspace.copernicus.eu',
  'download.dataspace.copernicus.eu',
  'catalogue.dataspace.copernicus.eu',
  'stac.dataspace.copernicus.eu',
  'sh.dataspace.copernicus.eu',
];

/** Options of {@link cdseSigner}. */
export interface CdseSignerOptions {
  /** CDSE account e-mail; default `CDSE_USERNAME`. */
  username?: string;
  /** CDSE account password; default `CDSE_PASSWORD`. */
  password?: string;
  /** OpenID Connect client id (default `cdse-public`). */
  clientId?: string;
  /** Token endpoint (default {@link CDSE_TOKEN_URL}). */
  tokenUrl?: string;
  /** Hosts the token is sent to (default {@link CDSE_HOSTS}). */
  hosts?: readonly string[];
  /** Milliseconds before expiry at which an access token is replaced (default 30 000, as pyramids.stac; tokens live 10 minutes). */
  refreshWindow?: number;
  /** HTTP client for the token endpoint (default the global fetch). */
  fetch?: typeof fetch;
  /** Retries of a token request on 429/5xx/resets (default 3). */
  retries?: number;
  /** Clock in epoch ms (default `Date.now`). */
  now?: () => number;
  /** Environment read for defaults (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/**
 * Signer for the Copernicus Data Space Ecosystem's HTTPS services: an OpenID
 * Connect access token (password grant with `client_id=cdse-public`) sent as
 * `Authorization: Bearer` to CDSE hosts only. A held refresh token is tried
 * first when the access token runs out; when it is refused, the password grant
 * is used again.
 */
export function cdseSigner(options: CdseSignerOptions = {}): Signer {
  const env = options.env ?? process.env;
  const hosts = [...(options.hosts ?? CDSE_HOSTS)];
  const resolved = {
    ...options,
    username: options.username ?? (env['CDSE_USERNAME'] || undefined),
    password: options.password ?? (env['CDSE_PASSWORD'] || undefined),
    clientId: options.clientId ?? 'cdse-public',
    tokenUrl: options.tokenUrl ?? CDSE_TOKEN_URL,
    refreshWindow: options.refreshWindow ?? 30_000,
  };
  return oauthBearerSigner({
    id: 'cdse',
    packageName: '@pyramids/signers-cdse',
    hosts,
    load: () =>
      import('./cdse-signer-impl.js').then((module) =>
        module.createCdseSignerImplementation(resolved),
      ),
    tokenName: 'the CDSE access token',
    refusalAdvice: () =>
      'check CDSE_USERNAME and CDSE_PASSWORD and that the account may download this product',
    describeOptions: {
      hosts,
      tokenUrl: resolved.tokenUrl,
      clientId: resolved.clientId,
      refreshWindow: resolved.refreshWindow,
    },
    // Workers rebuild this signer from a task: non-secret options from the description, secrets from the environment.
    fromDescription: (description, environment) =>
      cdseSigner({
        ...(description.options as CdseSignerOptions),
        ...(environment?.env ? { env: environment.env } : {}),
      }),
  });
}
