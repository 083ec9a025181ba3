import {
  matchHost,
  PLUGIN_API_VERSION,
  redactHref,
  SignerError,
  type Signer,
  type SignerEnvironment,
} from '@pyramids/core';

/** Options of {@link apiKeySigner}. */
export interface ApiKeySignerOptions {
  /** Hosts the key is sent to (`data.example.com`, `127.0.0.1:8080`, `*.example.com`); default `API_KEY_HOSTS` (comma-separated). */
  hosts?: readonly string[];
  /** Header that carries the key (default `X-API-Key`). */
  header?: string;
  /** The key; default `API_KEY` from the environment, read at each request so a rotated key is picked up. */
  key?: string;
  /** Environment read for defaults (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/**
 * A signer that adds an API-key header to byte reads and STAC API calls of its
 * hosts, and to nothing else. A worked example of a third-party signer: a plain
 * object satisfying `Signer`, with `describe()` (no secret in it) and
 * `fromDescription()` so workers can rebuild it.
 */
export function apiKeySigner(options: ApiKeySignerOptions = {}): Signer {
  const env = options.env ?? process.env;
  const hosts = [
    ...(options.hosts ??
      (env['API_KEY_HOSTS'] ?? '')
        .split(',')
        .map((host) => host.trim())
        .filter(Boolean)),
  ];
  const header = options.header ?? 'X-API-Key';
  const matches = (url: string) => hosts.length > 0 && matchHost(url, hosts);
  const key = (): string => {
    const value = options.key ?? env['API_KEY'];
    if (!value)
      throw new SignerError(
        'api-key: API_KEY is not set; set it to the key for ' + hosts.join(', '),
        { plugin: 'api-key' },
      );
    return value;
  };
  return {
    kind: 'signer',
    id: 'api-key',
    apiVersion: PLUGIN_API_VERSION,
    packageName: '@pyramids-examples/signer-api-key',
    matches,
    headers: async (url): Promise<Record<string, string>> =>
      matches(url) ? { [header]: key() } : {},
    signRequest: async (request) =>
      matches(request.url)
        ? { ...request, headers: { ...request.headers, [header]: key() } }
        : request,
    gdalEnv: async (href): Promise<Record<string, string>> =>
      matches(href.replace(/^\/vsicurl\//, '')) ? { GDAL_HTTP_HEADERS: `${header}: ${key()}` } : {},
    describeFailure: (url, response) =>
      matches(url) && (response.status === 401 || response.status === 403)
        ? new SignerError(
            `api-key: ${redactHref(url)} refused the API key (HTTP ${response.status}); check API_KEY`,
            {
              plugin: 'api-key',
              details: { status: response.status },
            },
          )
        : undefined,
    describe: () => ({ id: 'api-key', options: { hosts, header } }),
    fromDescription: (description, environment?: SignerEnvironment) =>
      apiKeySigner({
        ...(description.options as ApiKeySignerOptions),
        ...(environment?.env ? { env: environment.env } : {}),
      }),
  } satisfies Signer;
}
