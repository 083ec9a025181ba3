import { PLUGIN_API_VERSION, redactHref, SignerError, type Signer } from '@pyramids/core';
import type { PlanetaryComputerSignerImplementation } from './planetary-computer-signer-impl.js';

/** The SAS token endpoint of the Planetary Computer. */
export const DEFAULT_SAS_URL = 'https://planetarycomputer.microsoft.com/api/sas/v1/token';

/** Options of {@link planetaryComputerSigner}. */
export interface PlanetaryComputerSignerOptions {
  /** SAS token endpoint (default `PC_SDK_SAS_URL`, then the public endpoint). */
  sasUrl?: string;
  /** API subscription key, sent as `Ocp-Apim-Subscription-Key` (default `PC_SDK_SUBSCRIPTION_KEY`); raises rate limits. */
  subscriptionKey?: string;
  /** Milliseconds before `msft:expiry` at which a token is replaced (default 60 000, as pyramids.stac). */
  refreshWindow?: number;
  /** HTTP client for the token endpoint (default the global fetch). */
  fetch?: typeof fetch;
  /** Retries of the token request on 429/5xx/resets (default 3). */
  retries?: number;
  /** Clock in epoch ms (default `Date.now`); tests pass a fake one. */
  now?: () => number;
  /** Environment read for defaults (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/** The account that serves public assets (thumbnails, docs) without a token. */
const PUBLIC_ACCOUNT = 'ai4edatasetspublicassets';

/** Storage account and container of a Planetary Computer blob URL, or undefined. */
export function blobLocation(url: string): { account: string; container: string } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:') return undefined;
  const match = /^([a-z0-9]+)\.blob\.core\.windows\.net$/.exec(parsed.hostname.toLowerCase());
  if (!match || match[1] === PUBLIC_ACCOUNT) return undefined;
  const container = parsed.pathname.split('/')[1];
  if (!container) return undefined;
  return { account: match[1]!, container };
}

/**
 * Signer for Microsoft Planetary Computer data: each Azure Blob href
 * (`https://<account>.blob.core.windows.net/<container>/…`) gets the SAS token of
 * its storage account and container, minted at the token endpoint and cached
 * until `msft:expiry` minus the refresh window. Hrefs that already carry a
 * signature and the public-assets account are left alone. `signItem` signs
 * every asset of an Item; `signItemsWith` from core does ItemCollections.
 */
export function planetaryComputerSigner(options: PlanetaryComputerSignerOptions = {}): Signer {
  const env = options.env ?? process.env;
  const resolved = {
    ...options,
    sasUrl: (options.sasUrl ?? env['PC_SDK_SAS_URL'] ?? DEFAULT_SAS_URL).replace(/\/+$/, ''),
    subscriptionKey: options.subscriptionKey ?? (env['PC_SDK_SUBSCRIPTION_KEY'] || undefined),
    refreshWindow: options.refreshWindow ?? 60_000,
  };
  let implementation: Promise<PlanetaryComputerSignerImplementation> | undefined;
  const load = () =>
    (implementation ??= import('./planetary-computer-signer-impl.js').then((module) =>
      module.createPlanetaryComputerSignerImplementation(resolved),
    ));
  const matches = (url: string) => blobLocation(url) !== undefined;
  return {
    kind: 'signer',
    id: 'planetary-computer',
    apiVersion: PLUGIN_API_VERSION,
    packageName: '@pyramids/signers-planetary-computer',
    matches,
    signHref: async (href, signal) =>
      matches(href) ? (await load()).signHref(href, signal) : href,
    signItem: async (item, signal) => (await load()).signItem(item, signal),
    gdalEnv: async (href, signal) =>
      matches(href.replace(/^\/vsicurl\//, ''))
        ? (await load()).gdalEnv(href.replace(/^\/vsicurl\//, ''), signal)
        : {},
    describeFailure(url, response) {
      const location = blobLocation(url);
      if (!location || (response.status !== 401 && response.status !== 403)) return undefined;
      // The token may have been revoked early: forget it so the next read mints a new one.
      void implementation?.then((loaded) => loaded.forget(location));
      return new SignerError(
        `planetary-computer: Azure Blob Storage refused ${redactHref(url)} (HTTP ${response.status}); the SAS token for ` +
          `${location.account}/${location.container} was dropped and the next read mints a new one. If it persists, set ` +
          'PC_SDK_SUBSCRIPTION_KEY to a key from the Planetary Computer developer portal, or check that PC_SDK_SAS_URL points at the token endpoint',
        {
          plugin: 'planetary-computer',
          details: { url: redactHref(url), status: response.status, ...location },
        },
      );
    },
    describe: () => ({
      id: 'planetary-computer',
      options: { sasUrl: resolved.sasUrl, refreshWindow: resolved.refreshWindow },
    }),
    // Workers rebuild this signer from a task: non-secret options from the description, secrets from the environment.
    fromDescription: (description, environment) =>
      planetaryComputerSigner({
        ...(description.options as PlanetaryComputerSignerOptions),
        ...(environment?.env ? { env: environment.env } : {}),
      }),
  } satisfies Signer;
}
