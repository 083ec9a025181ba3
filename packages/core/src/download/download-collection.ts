// Downloads every Item of a collection (or of a search within it) from a STAC API to a
// directory tree, page by page, so that memory stays flat and an interrupted run resumes:
// finished files are skipped without a request, partial ones continue with a Range request.
import { writeFile } from 'node:fs/promises';
import { prepareDownloadDirectory } from './download-directory.js';
import path from 'node:path';
import { OptionError } from '../errors/option-error.js';
import { SearchError } from '../errors/search-error.js';
import { ItemSearch } from '../search/item-search.js';
import type { SearchParameters } from '../search/search-parameters.js';
import {
  openClient,
  type OpenClientOptions,
  type StacApiClient,
} from '../search/stac-api-client.js';
import type { StacLink } from '../stac/stac-types.js';
import { downloadItems, type DownloadOptions } from './download-item.js';
import { resolveFileName } from './file-name.js';

/** Options of {@link downloadCollection}: the download options, plus what narrows the Items. */
export interface DownloadCollectionOptions
  extends DownloadOptions, Omit<OpenClientOptions, 'signer' | 'signal' | 'fetch'> {
  /** Search parameters that narrow the Items (`bbox`, `datetime`, `query`, `filter`, `maxItems`, `limit`…). */
  search?: Omit<SearchParameters, 'collections' | 'method'>;
}

/** What {@link downloadCollection} did. */
export interface DownloadCollectionResult {
  /** The collection id. */
  collection: string;
  /** Items downloaded (or found complete from an earlier run). */
  items: number;
  /** Path of the written `collection.json`. */
  collectionPath: string;
}

const ITEM_TEMPLATE = '{id}/{id}.json';

function relativeLink(from: string, to: string): string {
  const relative = path.relative(path.dirname(from), to).split(path.sep).join('/');
  return relative.startsWith('.') ? relative : `./${relative}`;
}

/**
 * Downloads every Item of collection `collection` of a STAC API into `directory`, as
 * pyramids.stac's `download_collection`: each Item's assets to `{id}/{key}{ext}` (or
 * `fileName`), each Item to `{id}/{id}.json` with hrefs relative to it, and the collection to
 * `collection.json` with `item` links to them. `search` narrows the Items (a search result);
 * Items come from item search when the API offers it, else from `/collections/{id}/items`.
 * Restartable: run it again after an interruption and finished files are skipped without a
 * request, `.pyramids-part` files resume, and `file:size`/`file:checksum` are verified.
 * @throws SearchError when the collection does not exist; DownloadError as `downloadItems`.
 */
export async function downloadCollection(
  urlOrClient: string | StacApiClient,
  collection: string,
  directory: string,
  options: DownloadCollectionOptions = {},
): Promise<DownloadCollectionResult> {
  if (options.writeItem === false)
    throw new OptionError(
      'downloadCollection writes every Item beside its assets; leave writeItem unset or give a template',
    );
  const {
    search = {},
    addConformsTo,
    headers,
    timeout,
    retries,
    backoff,
    ...downloadOptions
  } = options;
  const transport = {
    signer: options.signer,
    signal: options.signal,
    fetch: options.fetch,
    headers,
    timeout,
    retries,
    backoff,
  };
  const client =
    typeof urlOrClient === 'string'
      ? await openClient(urlOrClient, { ...transport, addConformsTo })
      : urlOrClient;
  const collectionJson = await client.getCollection(collection);
  if (!collectionJson)
    throw new SearchError(
      `collection '${collection}' not found at ${client.url}; list them with listCollections (CLI: pyramids collections URL)`,
    );
  // Checked before any request for Items: a bad parameter fails here.
  const itemSearch = client.conformsToClass('ITEM_SEARCH')
    ? new ItemSearch(client, { ...search, collections: [collection], ...transport })
    : client.getItems(collection, { ...search, ...transport });

  const root = await prepareDownloadDirectory(directory);
  const itemTemplate = typeof options.writeItem === 'string' ? options.writeItem : ITEM_TEMPLATE;
  const collectionPath = path.join(root, 'collection.json');
  const itemLinks: StacLink[] = [];
  let count = 0;
  for await (const page of itemSearch.pages()) {
    // One page at a time: memory stays flat however large the collection.
    const downloaded = await downloadItems(page.features, root, {
      ...downloadOptions,
      writeItem: itemTemplate,
    });
    for (const item of downloaded) {
      const itemPath = resolveFileName(
        itemTemplate,
        { id: item.id, key: 'item', href: 'item.json', collection },
        root,
      );
      itemLinks.push({
        rel: 'item',
        href: relativeLink(collectionPath, itemPath),
        type: 'application/geo+json',
      });
    }
    count += downloaded.length;
  }
  // The remote self/root/parent/item links would point back at the API, not at this copy.
  const links = (collectionJson.links ?? []).filter(
    (link) => !['self', 'root', 'parent', 'item', 'items', 'next', 'prev'].includes(link.rel),
  );
  await writeFile(
    collectionPath,
    `${JSON.stringify({ ...collectionJson, links: [...links, ...itemLinks] }, null, 2)}\n`,
  );
  return { collection, items: count, collectionPath };
}
