// The queryables of a STAC API or of one of its collections, from a URL or an opened client.
import { openClient, type OpenClientOptions, type StacApiClient } from './stac-api-client.js';

/** Options of {@link getQueryables}. */
export interface GetQueryablesOptions extends OpenClientOptions {
  /** A collection id: its `/collections/{id}/queryables` instead of the API's `/queryables`. */
  collection?: string;
}

/**
 * The queryables (a JSON Schema of the properties a CQL2 filter may use) of a STAC API, or
 * of one collection, as pystac-client's `get_queryables`. Takes a landing page URL or a
 * client from `openClient`.
 * @throws SearchError when the landing page or the queryables cannot be read.
 */
export async function getQueryables(
  urlOrClient: string | StacApiClient,
  options: GetQueryablesOptions = {},
): Promise<Record<string, unknown>> {
  const { collection, ...clientOptions } = options;
  const client =
    typeof urlOrClient === 'string' ? await openClient(urlOrClient, clientOptions) : urlOrClient;
  return client.getQueryables(collection);
}
