// Token minting and caching for the Planetary Computer signer: GET
// {sasUrl}/{account}/{container} → {"msft:expiry": ISO time, "token": SAS query}.
import {
  createTokenCache,
  httpRequest,
  isAbortError,
  ReadError,
  redactSecrets,
  responseSnippet,
  SignerError,
  signItemAssets,
  type StacAsset,
  type StacItem,
} from '@pyramids/core';
import { blobLocation, type PlanetaryComputerSignerOptions } from './planetary-computer-signer.js';

/** What the plugin object delegates to. */
export interface PlanetaryComputerSignerImplementation {
  signHref(href: string, signal?: AbortSignal): Promise<string>;
  signItem(item: StacItem, signal?: AbortSignal): Promise<StacItem>;
  gdalEnv(href: string, signal?: AbortSignal): Promise<Record<string, string>>;
  forget(location: { account: string; container: string }): void;
}

const ID = 'planetary-computer';
const KEY_HELP =
  'set PC_SDK_SUBSCRIPTION_KEY to a key from the Planetary Computer developer portal (or pass { subscriptionKey })';

/** True when the href already carries a SAS signature. */
function isSigned(href: string): boolean {
  const queryStart = href.indexOf('?');
  return queryStart !== -1 && new URLSearchParams(href.slice(queryStart + 1)).has('sig');
}

/** Builds the implementation from resolved options. */
export function createPlanetaryComputerSignerImplementation(
  options: PlanetaryComputerSignerOptions & { sasUrl: string; refreshWindow: number },
): PlanetaryComputerSignerImplementation {
  const now = options.now ?? Date.now;
  const secrets = [options.subscriptionKey];

  const mint = async (key: string) => {
    const url = `${options.sasUrl}/${key}`;
    const headers: Record<string, string> = options.subscriptionKey
      ? { 'Ocp-Apim-Subscription-Key': options.subscriptionKey }
      : {};
    let response: Response;
    try {
      response = await httpRequest(url, {
        headers,
        fetch: options.fetch,
        retries: options.retries,
      });
    } catch (error) {
      if (isAbortError(error)) throw error;
      const reason = ReadError.isInstance(error) ? error.message : (error as Error).message;
      throw new SignerError(
        `${ID}: could not reach the SAS token endpoint for ${key}: ${redactSecrets(reason, secrets)}; check the network and PC_SDK_SAS_URL`,
        {
          plugin: ID,
          cause: error,
          details: { storage: key },
        },
      );
    }
    if (!response.ok) {
      const snippet = await responseSnippet(response, 200, (text) => redactSecrets(text, secrets));
      const status = response.status;
      const advice =
        status === 401 || status === 403
          ? options.subscriptionKey
            ? 'the subscription key was refused; check PC_SDK_SUBSCRIPTION_KEY'
            : `the endpoint wants a subscription key: ${KEY_HELP}`
          : status === 404
            ? 'no such storage account/container at the token endpoint: the href is not Planetary Computer data, or PC_SDK_SAS_URL is wrong'
            : status === 429
              ? `rate limited; wait, or ${KEY_HELP} for higher limits`
              : 'the token service failed; try again later';
      throw new SignerError(
        `${ID}: the SAS token endpoint answered HTTP ${status} for ${key}${snippet ? ` (${snippet})` : ''}; ${advice}`,
        {
          plugin: ID,
          details: { storage: key, status },
        },
      );
    }
    let body: { token?: unknown; 'msft:expiry'?: unknown };
    try {
      body = (await response.json()) as typeof body;
    } catch (error) {
      throw new SignerError(
        `${ID}: the SAS token endpoint returned a body that is not JSON for ${key}; check PC_SDK_SAS_URL`,
        { plugin: ID, cause: error },
      );
    }
    const expiresAt =
      typeof body['msft:expiry'] === 'string' ? Date.parse(body['msft:expiry']) : Number.NaN;
    if (typeof body.token !== 'string' || body.token === '' || !Number.isFinite(expiresAt)) {
      throw new SignerError(
        `${ID}: the SAS token endpoint returned no "token" and "msft:expiry" for ${key}; check PC_SDK_SAS_URL`,
        { plugin: ID },
      );
    }
    if (expiresAt <= now()) {
      throw new SignerError(
        `${ID}: the SAS token endpoint returned a token for ${key} that expired at ${new Date(expiresAt).toISOString()} (now ${new Date(now()).toISOString()}); check the system clock`,
        { plugin: ID, details: { storage: key, expiry: new Date(expiresAt).toISOString() } },
      );
    }
    return { value: body.token.replace(/^\?/, ''), expiresAt };
  };

  const cache = createTokenCache<string>({ load: mint, refreshWindow: options.refreshWindow, now });

  const signHref = async (href: string, signal?: AbortSignal) => {
    const location = blobLocation(href);
    if (!location || isSigned(href)) return href;
    const token = await cache.get(`${location.account}/${location.container}`, signal);
    const hashStart = href.indexOf('#');
    const base = hashStart === -1 ? href : href.slice(0, hashStart);
    return `${base}${base.includes('?') ? '&' : '?'}${token}`;
  };

  return {
    signHref,
    async signItem(item, signal) {
      const signed = await signItemAssets(item, signHref, signal);
      for (const [key, asset] of Object.entries(signed.assets)) {
        const credentialed = await addFsspecCredential(asset, (storage) =>
          cache.get(storage, signal),
        );
        if (credentialed) signed.assets[key] = credentialed;
      }
      return signed;
    },
    async gdalEnv(href, signal) {
      const location = blobLocation(href)!;
      const token = await cache.get(`${location.account}/${location.container}`, signal);
      return {
        AZURE_STORAGE_ACCOUNT: location.account,
        AZURE_STORAGE_SAS_TOKEN: token,
        GDAL_DISABLE_READDIR_ON_OPEN: 'EMPTY_DIR',
      };
    },
    forget: (location) => cache.clear(`${location.account}/${location.container}`),
  };
}

/**
 * Zarr and Parquet assets on `abfs://container/…` are opened through fsspec with
 * `storage_options.account_name`; like the Python `planetary-computer` package,
 * give them the container's SAS token as `storage_options.credential`. Returns a
 * changed copy of the asset, or undefined when it has nothing to sign.
 */
async function addFsspecCredential(
  asset: StacAsset,
  tokenFor: (storage: string) => Promise<string>,
): Promise<StacAsset | undefined> {
  const container = /^(?:abfs|az):\/\/([^/@]+)/i.exec(asset.href)?.[1];
  if (!container) return undefined;
  const copy = structuredClone(asset) as StacAsset &
    Record<string, Record<string, unknown> | undefined>;
  const holder =
    (['table:storage_options', 'xarray:storage_options'] as const)
      .map((field) => copy[field])
      .find((value) => value && typeof value === 'object') ??
    (copy['xarray:open_kwargs']?.['storage_options'] as Record<string, unknown> | undefined);
  const account = holder?.['account_name'];
  if (!holder || typeof account !== 'string' || !account || 'credential' in holder)
    return undefined;
  holder['credential'] = await tokenFor(`${account}/${container}`);
  return copy;
}
