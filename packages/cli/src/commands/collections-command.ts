import {
  getQueryables,
  openClient,
  OptionError,
  SearchError,
  searchCollections,
  type CollectionSearchOptions,
  type Signer,
} from '@pyramids/core';
import { InvalidArgumentError, type Command } from 'commander';

/** The options `pyramids collections` parses. */
export interface CollectionsCommandOptions {
  q?: string[];
  bbox?: string;
  datetime?: string;
  limit?: number;
  maxCollections?: number;
  matched?: boolean;
  queryables?: boolean | string;
  timeout?: number;
  addConformsTo?: string[];
}

/** What `pyramids collections` runs with besides its options. */
export interface CollectionsCommandContext {
  /** Signs the API requests. */
  signer?: Signer;
  /** Where results go (default: standard output). */
  stdout?: { write(text: string): unknown };
}

/** Hooks for shared options (e.g. `--signer`): `resolveSigner` turns parsed options into a Signer. */
export interface CollectionsCommandHooks {
  resolveSigner?: (
    options: Record<string, unknown>,
  ) => Signer | undefined | Promise<Signer | undefined>;
}

function positiveInteger(name: string) {
  return (value: string): number => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < 1)
      throw new InvalidArgumentError(`${name} must be a positive whole number`);
    return number;
  };
}

function collect(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean),
  ];
}

/**
 * Runs `pyramids collections`: a collection search (`{ collections: [...] }` as JSON, or the
 * count with `--matched`), or with `--queryables [ID]` the queryables of the API or a collection.
 */
export async function runCollectionsCommand(
  url: string,
  options: CollectionsCommandOptions,
  context: CollectionsCommandContext = {},
): Promise<void> {
  const stdout = context.stdout ?? process.stdout;
  const searching =
    options.q !== undefined ||
    options.bbox !== undefined ||
    options.datetime !== undefined ||
    options.matched === true;
  if (options.queryables !== undefined && searching) {
    throw new OptionError(
      '--queryables lists what a filter may use; run it without --q, --bbox, --datetime and --matched',
    );
  }
  const searchOptions: CollectionSearchOptions = {
    q: options.q?.length ? options.q : undefined,
    bbox: options.bbox,
    datetime: options.datetime,
    limit: options.limit,
    maxCollections: options.maxCollections,
  };
  const clientOptions = {
    signer: context.signer,
    timeout: options.timeout,
    addConformsTo: options.addConformsTo?.length ? options.addConformsTo : undefined,
  };
  // Parameters are checked before the landing page is requested.
  searchCollections(url, searchOptions);
  const client = await openClient(url, clientOptions);
  if (options.queryables !== undefined) {
    const collection = typeof options.queryables === 'string' ? options.queryables : undefined;
    stdout.write(
      `${JSON.stringify(await getQueryables(client, collection === undefined ? {} : { collection }))}\n`,
    );
    return;
  }
  if (!searching) {
    // No search parameter: every collection, from any API or static catalog.
    let collections = await client.listCollections();
    if (options.maxCollections !== undefined)
      collections = collections.slice(0, options.maxCollections);
    stdout.write(`${JSON.stringify({ collections })}\n`);
    return;
  }
  const prepared = searchCollections(client, searchOptions);
  if (options.matched) {
    const matched = await prepared.matched();
    if (matched === undefined)
      throw new SearchError(`${url} does not report how many collections match (no numberMatched)`);
    stdout.write(`${matched}\n`);
    return;
  }
  stdout.write(`${JSON.stringify({ collections: await prepared.collectionList() })}\n`);
}

/**
 * `pyramids collections URL [options]`: lists or searches the collections of a STAC API,
 * or prints its queryables. Returns the command so shared options can be added to it.
 */
export function registerCollectionsCommand(
  program: Command,
  hooks: CollectionsCommandHooks = {},
): Command {
  return program
    .command('collections')
    .description(
      'list or search the collections of a STAC API (collection search), or print its queryables',
    )
    .argument('<url>', 'landing page of the STAC API, e.g. https://stac.eoapi.dev/')
    .option(
      '--q <text>',
      'free text; repeat or separate with commas to match any of several terms',
      collect,
    )
    .option('--bbox <w,s,e,n>', 'collections whose extent intersects the box (degrees)')
    .option(
      '--datetime <datetime>',
      'collections whose temporal extent intersects: 2023, 2023-06/2023-08, 2023-01-01/..',
    )
    .option('--limit <n>', 'page size asked of the server', positiveInteger('--limit'))
    .option(
      '--max-collections <n>',
      'most collections returned; paging stops once reached',
      positiveInteger('--max-collections'),
    )
    .option('--matched', 'print only the number of matching collections')
    .option(
      '--queryables [collection]',
      'print the queryables (JSON Schema) of the API, or of one collection',
    )
    .option(
      '--timeout <ms>',
      'total time per request, retries included',
      positiveInteger('--timeout'),
    )
    .option(
      '--add-conforms-to <class>',
      'assume a conformance class the API does not advertise (COLLECTION_SEARCH, COLLECTION_SEARCH_FREE_TEXT)',
      collect,
    )
    .action(async (url: string, options: CollectionsCommandOptions & Record<string, unknown>) => {
      const signer = await hooks.resolveSigner?.({ ...options, url });
      await runCollectionsCommand(url, options, signer ? { signer } : {});
    });
}
