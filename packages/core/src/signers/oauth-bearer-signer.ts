// The shape shared by signers that hold an OAuth access token (CDSE, Earthdata):
// a bearer token for their hosts only, minted lazily, dropped when a host refuses it.
import { SignerError } from '../errors/signer-error.js';
import { PLUGIN_API_VERSION } from '../version.js';
import { bearerTokenSigner } from './bearer-token-signer.js';
import { redactHref } from './redact.js';
import type { Signer } from './signer.js';

/** What an OAuth token source does: give a valid token, and forget it after a refusal. */
export interface OAuthTokenSource {
  /** A token valid for at least the refresh window (from an expiry-aware cache). */
  token(signal?: AbortSignal): Promise<string>;
  /** Drops the held token, so that the next `token` mints a new one. */
  forget(): void;
}

/** Options of {@link oauthBearerSigner}. */
export interface OAuthBearerSignerOptions {
  /** Signer id (`cdse`, `earthdata`). */
  id: string;
  /** npm package of the signer, for error messages. */
  packageName: string;
  /** Hosts the token is sent to; no other host ever gets it. */
  hosts: readonly string[];
  /** Loads the token source on first use (the heavy half, imported lazily). */
  load(): Promise<OAuthTokenSource>;
  /** What the token is called in messages: `the CDSE access token`. */
  tokenName: string;
  /** What to check when a host keeps refusing the token: names the variables to set. */
  refusalAdvice(): string;
  /** The signer's non-secret options, for `describe()`. */
  describeOptions: Record<string, unknown>;
  /** Rebuilds the signer from a description (see `Signer.fromDescription`). */
  fromDescription: NonNullable<Signer['fromDescription']>;
}

/**
 * A signer sending `Authorization: Bearer <token>` to `hosts` only, on STAC
 * API calls, byte reads and GDAL reads (`GDAL_HTTP_HEADERS`, with directory
 * listing off). When a host refuses the token (401/403), `describeFailure`
 * drops it, so the reader's single retry reads with a fresh one, and explains
 * the refusal naming what to check.
 */
export function oauthBearerSigner(options: OAuthBearerSignerOptions): Signer {
  const { id, hosts } = options;
  let source: Promise<OAuthTokenSource> | undefined;
  const load = () => (source ??= options.load());
  const bearer = bearerTokenSigner(async (signal) => (await load()).token(signal), { hosts, id });
  return {
    ...bearer,
    kind: 'signer',
    id,
    apiVersion: PLUGIN_API_VERSION,
    packageName: options.packageName,
    async gdalEnv(href, signal): Promise<Record<string, string>> {
      const headers = await bearer.gdalEnv!(href, signal);
      return Object.keys(headers).length
        ? { ...headers, GDAL_DISABLE_READDIR_ON_OPEN: 'EMPTY_DIR' }
        : {};
    },
    describeFailure(url, response) {
      if (!bearer.matches(url) || (response.status !== 401 && response.status !== 403))
        return undefined;
      void source?.then((loaded) => loaded.forget());
      return new SignerError(
        `${id}: ${redactHref(url)} refused ${options.tokenName} (HTTP ${response.status}); the token was dropped and the next read gets a new one. ` +
          `If it persists, ${options.refusalAdvice()}`,
        { plugin: id, details: { url: redactHref(url), status: response.status } },
      );
    },
    describe: () => ({ id, options: { ...options.describeOptions } }),
    fromDescription: options.fromDescription,
  } satisfies Signer;
}
