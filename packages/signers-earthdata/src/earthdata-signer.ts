import { oauthBearerSigner, type Signer } from '@pyramids/core';

/** The Earthdata Login endpoint that returns a user's token, creating one when there is none. */
export const DEFAULT_TOKEN_URL = 'https://urs.earthdata.nasa.gov/api/users/find_or_create_token';

/** Hosts an Earthdata token is sent to by default: Earthdata Login, CMR, the DAACs' data hosts. */
export const EARTHDATA_HOSTS: readonly string[] = [
  'earthdata.nasa.gov',
  '*.earthdata.nasa.gov',
  '*.earthdatacloud.nasa.gov',
  '*.eosdis.nasa.gov',
  'n5eil01u.ecs.nsidc.org',
  'e4ftl01.cr.usgs.gov',
  '*.asf.alaska.edu',
];

/** Options of {@link earthdataSigner}. */
export interface EarthdataSignerOptions {
  /** A user token (EDL "Generate Token"); default `EARTHDATA_TOKEN`, then `EARTHDATA_PAT`. */
  token?: string;
  /** Earthdata Login user name, to mint a token when none is given; default `EARTHDATA_USERNAME`. */
  username?: string;
  /** Earthdata Login password; default `EARTHDATA_PASSWORD`. */
  password?: string;
  /** Hosts the token is sent to (default {@link EARTHDATA_HOSTS}). */
  hosts?: readonly string[];
  /** Token endpoint used with a user name and password (default {@link DEFAULT_TOKEN_URL}). */
  tokenUrl?: string;
  /** Milliseconds before expiry at which a minted token is replaced (default 300 000, as pyramids.stac). */
  refreshWindow?: number;
  /** HTTP client for the token endpoint (default the global fetch). */
  fetch?: typeof fetch;
  /** Retries of the token request on 429/5xx/resets (default 3). */
  retries?: number;
  /** Clock in epoch ms (default `Date.now`). */
  now?: () => number;
  /** Environment read for defaults (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/**
 * Signer for NASA Earthdata: `Authorization: Bearer <token>` on requests to
 * Earthdata hosts only (CMR-STAC, the DAACs' data hosts). The data hosts answer
 * with a redirect to a presigned S3 URL, which `httpRequest` follows without the
 * token, since S3 is not an Earthdata host. The token is given, or minted at
 * Earthdata Login from a user name and password and cached until it expires.
 */
export function earthdataSigner(options: EarthdataSignerOptions = {}): Signer {
  const env = options.env ?? process.env;
  const hosts = [...(options.hosts ?? EARTHDATA_HOSTS)];
  const resolved = {
    ...options,
    token: options.token ?? (env['EARTHDATA_TOKEN'] || env['EARTHDATA_PAT'] || undefined),
    username: options.username ?? (env['EARTHDATA_USERNAME'] || undefined),
    password: options.password ?? (env['EARTHDATA_PASSWORD'] || undefined),
    tokenUrl: options.tokenUrl ?? DEFAULT_TOKEN_URL,
    refreshWindow: options.refreshWindow ?? 300_000,
  };
  // An explicit user name wins over a token from the environment.
  if (options.username && !options.token) resolved.token = undefined;
  return oauthBearerSigner({
    id: 'earthdata',
    packageName: '@pyramids/signers-earthdata',
    hosts,
    load: () =>
      import('./earthdata-signer-impl.js').then((module) =>
        module.createEarthdataSignerImplementation(resolved),
      ),
    tokenName: 'the Earthdata token',
    refusalAdvice: () =>
      (resolved.token
        ? 'the token may have expired: generate a new one at https://urs.earthdata.nasa.gov (Generate Token) and set EARTHDATA_TOKEN'
        : 'check EARTHDATA_USERNAME and EARTHDATA_PASSWORD') +
      ", and approve this DAAC's application and EULA in your Earthdata Login profile",
    describeOptions: { hosts, tokenUrl: resolved.tokenUrl, refreshWindow: resolved.refreshWindow },
    // Workers rebuild this signer from a task: non-secret options from the description, secrets from the environment.
    fromDescription: (description, environment) =>
      earthdataSigner({
        ...(description.options as EarthdataSignerOptions),
        ...(environment?.env ? { env: environment.env } : {}),
      }),
  });
}
