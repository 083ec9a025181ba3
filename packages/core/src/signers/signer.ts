import type { StacItem } from '../stac/stac-types.js';
import type { PluginBase } from '../plugins/plugin-types.js';
import type { SignerError } from '../errors/signer-error.js';

/** An HTTP request a signer may change before a STAC API call. */
export interface SignableRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** A signer's non-secret description: enough, with secrets from the environment, to rebuild it elsewhere. */
export interface SignerDescription {
  id: string;
  options: Record<string, unknown>;
}

/** Where a rebuilt signer takes its secrets from. */
export interface SignerEnvironment {
  /** Environment variables (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/**
 * One credential boundary. Every hook is optional; `matches` says which URLs the
 * signer may touch at all, so a token is never sent to a host it was not made for.
 * Hooks run at read time, per read, so cached tokens are refreshed before expiry.
 */
export interface Signer extends PluginBase {
  readonly kind: 'signer';
  /** True when this signer is responsible for `url` (by host or scheme). */
  matches(url: string): boolean;
  /** Changes a STAC API request (headers, query). */
  signRequest?(request: SignableRequest, signal?: AbortSignal): Promise<SignableRequest>;
  /** Rewrites asset hrefs of an Item. */
  signItem?(item: StacItem, signal?: AbortSignal): Promise<StacItem>;
  /** Rewrites one href (SAS token, presigned URL, s3:// → https://). */
  signHref?(href: string, signal?: AbortSignal): Promise<string>;
  /** Headers for one byte-range read of `url` by a JS reader. */
  headers?(
    url: string,
    request?: { method: string },
    signal?: AbortSignal,
  ): Promise<Record<string, string>>;
  /** GDAL config options for reading `href` through GDAL. */
  gdalEnv?(href: string, signal?: AbortSignal): Promise<Record<string, string>>;
  /**
   * Explains a refused read of `url` (401, 403, an S3 wrong-region 301) as a
   * SignerError that names the provider and what to set, or undefined when the
   * signer has nothing to add. Readers call it when a signed read fails.
   */
  describeFailure?(
    url: string,
    response: { status: number; headers: Headers },
  ): SignerError | undefined;
  /**
   * What a worker needs to rebuild this signer: its id and non-secret options.
   * Secrets come from the environment on the other side, never from here.
   */
  describe?(): SignerDescription;
  /**
   * Rebuilds a signer of this id from what `describe()` returned, secrets taken
   * from `environment.env`. It travels with the registered signer, so a worker
   * whose registry holds any signer of this id rebuilds the one a task names,
   * third-party signers included.
   */
  fromDescription?(description: SignerDescription, environment?: SignerEnvironment): Signer;
}

/** Applies `signHref` when the signer matches the href; the href unchanged otherwise. */
export async function signHrefWith(
  signer: Signer | undefined,
  href: string,
  signal?: AbortSignal,
): Promise<string> {
  if (!signer?.signHref || !signer.matches(href)) return href;
  return signer.signHref(href, signal);
}

/** Headers from the signer for `url`, or none when it does not match. */
export async function headersFor(
  signer: Signer | undefined,
  url: string,
  request: { method: string } = { method: 'GET' },
  signal?: AbortSignal,
): Promise<Record<string, string>> {
  if (!signer?.headers || !signer.matches(url)) return {};
  return signer.headers(url, request, signal);
}
