import { isAbortError } from '../errors/abort.js';
import { OptionError } from '../errors/option-error.js';
import { PyramidsError } from '../errors/pyramids-error.js';
import { SignerError } from '../errors/signer-error.js';
import { PLUGIN_API_VERSION } from '../version.js';
import { matchHost } from './match-host.js';
import type { SignableRequest, Signer } from './signer.js';

/**
 * A bearer token, or a function giving one. The function is called per request
 * (with the request's AbortSignal), so it may rotate the token or read it from
 * a {@link createTokenCache} cache.
 */
export type BearerTokenSource = string | ((signal?: AbortSignal) => string | Promise<string>);

/** Options of {@link bearerTokenSigner}. */
export interface BearerTokenSignerOptions {
  /**
   * Hosts the token is sent to: `api.example.com` (any port), `127.0.0.1:8080`
   * (that port) or `*.example.com`. Required: a token is never sent elsewhere.
   */
  hosts: readonly string[];
  /** Id reported by `describe()` and in errors (default `bearer`). */
  id?: string;
}

/**
 * A signer that sends `Authorization: Bearer <token>` to the listed hosts only:
 * on STAC API calls (`signRequest`), byte reads (`headers`) and GDAL reads
 * (`gdalEnv`, as `GDAL_HTTP_HEADERS`). Requests go through `httpRequest`, which
 * recomputes headers per redirect hop, so the token does not follow a redirect to
 * another host. A token that resolves to anything but a non-empty string is a
 * {@link SignerError}.
 */
export function bearerTokenSigner(
  token: BearerTokenSource,
  options: BearerTokenSignerOptions,
): Signer {
  const id = options?.id ?? 'bearer';
  const hosts = [...(options?.hosts ?? [])];
  if (typeof token !== 'string' && typeof token !== 'function') {
    throw new OptionError(
      `${id} signer: the token must be a string or a function returning one, got ${token === null ? 'null' : typeof token}`,
      {
        plugin: id,
      },
    );
  }
  if (hosts.length === 0 || hosts.some((host) => typeof host !== 'string' || host.trim() === '')) {
    throw new OptionError(
      `${id} signer: 'hosts' must list the hosts the token is for (e.g. ['api.example.com']); a bearer token is never sent to unlisted hosts`,
      {
        plugin: id,
      },
    );
  }

  const resolveToken = async (signal?: AbortSignal): Promise<string> => {
    let value: unknown;
    try {
      value = typeof token === 'function' ? await token(signal) : token;
    } catch (error) {
      // Our own errors (a signer's token cache explaining a refused login) and aborts pass through.
      if (PyramidsError.isInstance(error) || isAbortError(error)) throw error;
      throw new SignerError(
        `${id} signer: the token function failed: ${(error as Error)?.message ?? String(error)}`,
        {
          plugin: id,
          cause: error,
        },
      );
    }
    if (typeof value !== 'string' || value.trim() === '') {
      const got =
        typeof value === 'string' ? 'an empty string' : value === null ? 'null' : typeof value;
      throw new SignerError(
        `${id} signer: the token resolved to ${got}, expected a non-empty string; set PYRAMIDS_BEARER_TOKEN or pass a token`,
        {
          plugin: id,
        },
      );
    }
    return value.trim();
  };

  const matches = (url: string) => matchHost(url, hosts);

  return {
    kind: 'signer',
    id,
    apiVersion: PLUGIN_API_VERSION,
    packageName: '@pyramids/core',
    matches,
    async headers(url, _request, signal): Promise<Record<string, string>> {
      if (!matches(url)) return {};
      return { Authorization: `Bearer ${await resolveToken(signal)}` };
    },
    async signRequest(request: SignableRequest, signal) {
      if (!matches(request.url)) return request;
      return {
        ...request,
        headers: { ...request.headers, Authorization: `Bearer ${await resolveToken(signal)}` },
      };
    },
    async gdalEnv(href, signal): Promise<Record<string, string>> {
      if (!matches(href.replace(/^\/vsicurl\//, ''))) return {};
      return { GDAL_HTTP_HEADERS: `Authorization: Bearer ${await resolveToken(signal)}` };
    },
    describe: () => ({ id, options: { hosts } }),
  } satisfies Signer;
}
