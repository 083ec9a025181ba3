import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  formatDatetime,
  itemSearch,
  openClient,
  OptionError,
  replaceWithTemporary,
  SearchError,
  WriteError,
  type ItemCollection,
  type Registry,
  type SearchOptions,
  type Signer,
} from '@pyramids/core';
import { searchGeoParquet } from '@pyramids/parquet';
import { InvalidArgumentError, type Command } from 'commander';
import { createDefaultRegistry } from '../default-registry.js';

/** The options `pyramids search` parses. */
export interface SearchCommandOptions {
  collection?: string[];
  bbox?: string;
  intersects?: string;
  datetime?: string;
  ids?: string[];
  query?: string;
  filter?: string;
  filterLang?: 'cql2-text' | 'cql2-json';
  sortby?: string;
  fields?: string;
  limit?: number;
  maxItems?: number;
  method?: 'GET' | 'POST';
  timeout?: number;
  addConformsTo?: string[];
  matched?: boolean;
  output?: string;
}

/** What a search runs with besides its options. */
export interface SearchCommandContext {
  /** Plugins, for the codec of `-o FILE.parquet` (default: the CLI's default registry). */
  registry?: Registry;
  /** Signs the API requests and the returned Items. */
  signer?: Signer;
  /** Where results go when no `-o` is given (default: standard output). */
  stdout?: { write(text: string): unknown };
}

/**
 * Hooks for options other sessions of the CLI add to `search`: `resolveSigner` turns the
 * parsed options (e.g. `--signer NAME`, added by the signer option helper) into a Signer.
 */
export interface SearchCommandHooks {
  resolveSigner?: (
    options: Record<string, unknown>,
    registry: Registry,
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

function parseJson(value: string, name: string): unknown {
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new OptionError(`--${name}: not valid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
}

/** `--intersects` is GeoJSON text or a file holding it. */
async function readIntersects(value: string): Promise<SearchOptions['intersects']> {
  if (value.trim().startsWith('{'))
    return parseJson(value, 'intersects') as SearchOptions['intersects'];
  let text: string;
  try {
    text = await readFile(value, 'utf8');
  } catch (error) {
    throw new OptionError(
      `--intersects: '${value}' is neither GeoJSON nor a readable file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      {
        cause: error,
      },
    );
  }
  const parsed = parseJson(text, 'intersects') as {
    type?: string;
    features?: Array<{ geometry: unknown }>;
  };
  // A FeatureCollection of one Feature is what most tools save.
  if (parsed?.type === 'FeatureCollection') {
    if (parsed.features?.length !== 1)
      throw new OptionError(
        `--intersects: ${value} holds ${parsed.features?.length ?? 0} features; give exactly one geometry`,
      );
    return parsed.features[0] as SearchOptions['intersects'];
  }
  return parsed as SearchOptions['intersects'];
}

/** The search options of the core client from the parsed command line. */
export async function toSearchOptions(
  options: SearchCommandOptions,
  signer?: Signer,
): Promise<SearchOptions> {
  const filter =
    options.filter === undefined
      ? undefined
      : options.filter.trim().startsWith('{')
        ? (parseJson(options.filter, 'filter') as Record<string, unknown>)
        : options.filter;
  return {
    collections: options.collection?.length ? options.collection : undefined,
    ids: options.ids?.length ? options.ids : undefined,
    bbox: options.bbox,
    ...(options.intersects === undefined
      ? {}
      : { intersects: await readIntersects(options.intersects) }),
    datetime: options.datetime,
    ...(options.query === undefined
      ? {}
      : { query: parseJson(options.query, 'query') as Record<string, unknown> }),
    filter,
    filterLang: options.filterLang,
    sortby: options.sortby,
    fields: options.fields,
    limit: options.limit,
    maxItems: options.maxItems,
    method: options.method,
    signer,
  };
}

const JSON_EXTENSIONS = new Set(['.json', '.geojson']);
const NDJSON_EXTENSIONS = new Set(['.ndjson', '.jsonl', '.geojsonl']);

/**
 * Checks that Items can be written to `target` (a JSON extension or a registered codec),
 * so that a wrong `-o` fails before any request.
 * @throws OptionError naming what to use or install instead.
 */
export function checkItemsTarget(target: string, registry: Registry): void {
  const extension = path.extname(target).toLowerCase();
  if (
    JSON_EXTENSIONS.has(extension) ||
    NDJSON_EXTENSIONS.has(extension) ||
    registry.codecFor(target)
  )
    return;
  const registered = registry.codecs.flatMap((candidate) => candidate.extensions).join(', ');
  throw new OptionError(
    `cannot write ${extension || 'a file without extension'}: use .json or .ndjson` +
      (extension === '.parquet'
        ? ', or install @pyramids/parquet and register its codec for .parquet'
        : '') +
      (registered ? ` (registered codecs serve: ${registered})` : ''),
  );
}

/**
 * Writes Items to a file, whole or not at all: `.json` (an ItemCollection), `.ndjson` /
 * `.jsonl` / `.geojsonl` (one Item per line), or any extension a registered codec serves
 * (e.g. `.parquet` with @pyramids/parquet). Written beside the target, then renamed.
 */
export async function writeItemsFile(
  target: string,
  collection: ItemCollection,
  registry: Registry,
): Promise<void> {
  checkItemsTarget(target, registry);
  const extension = path.extname(target).toLowerCase();
  const temporary = path.join(
    path.dirname(target),
    `.${path.basename(target, extension)}.${process.pid}.partial${extension}`,
  );
  try {
    if (JSON_EXTENSIONS.has(extension)) {
      await writeFile(temporary, `${JSON.stringify(collection)}\n`);
    } else if (NDJSON_EXTENSIONS.has(extension)) {
      await writeFile(
        temporary,
        collection.features.map((item) => `${JSON.stringify(item)}\n`).join(''),
      );
    } else {
      const implementation = await registry.codecFor(target)!.load();
      await implementation.writeItems(collection.features, temporary);
    }
    await replaceWithTemporary(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    if (WriteError.isInstance(error)) throw error;
    throw new WriteError(`cannot write ${target}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Runs `pyramids search`: the matching Items as one ItemCollection on standard output or
 * in a file, or with `--matched` the server's count only.
 */
export async function runSearchCommand(
  url: string,
  options: SearchCommandOptions,
  context: SearchCommandContext = {},
): Promise<void> {
  const registry = context.registry ?? createDefaultRegistry();
  const stdout = context.stdout ?? process.stdout;
  const searchOptions = await toSearchOptions(options, context.signer);
  if (/\.(geo)?parquet$/i.test(url.split(/[?#]/)[0]!)) {
    // A stac-geoparquet file (local or remote) searched as a catalog, with the same flags.
    if (options.matched)
      throw new OptionError(
        '--matched needs a STAC API; count the Items of a parquet file with `pyramids parquet read`',
      );
    if (options.output) checkItemsTarget(options.output, registry);
    const collection = await searchGeoParquet(
      url,
      {
        ...(searchOptions.bbox
          ? {
              bbox:
                typeof searchOptions.bbox === 'string'
                  ? searchOptions.bbox.split(',').map(Number)
                  : searchOptions.bbox,
            }
          : {}),
        intersects: searchOptions.intersects,
        // Shorthand (`2024-04`, `2023/2024`) expands to full UTC ranges, as for an API.
        datetime: searchOptions.datetime ? formatDatetime(searchOptions.datetime) : undefined,
        collections: searchOptions.collections,
        ids: searchOptions.ids,
        filter: searchOptions.filter,
        filterLang: searchOptions.filterLang,
        maxItems: searchOptions.maxItems,
      } as Parameters<typeof searchGeoParquet>[1],
      context.signer ? { signer: context.signer } : {},
    );
    if (options.output) await writeItemsFile(options.output, collection, registry);
    else stdout.write(`${JSON.stringify(collection)}\n`);
    return;
  }
  // Parameters and the output format are checked before the landing page is even requested.
  itemSearch(url, searchOptions);
  if (options.output && !options.matched) checkItemsTarget(options.output, registry);
  const client = await openClient(url, {
    signer: context.signer,
    timeout: options.timeout,
    addConformsTo: options.addConformsTo?.length ? options.addConformsTo : undefined,
  });
  const prepared = itemSearch(client, searchOptions);
  if (options.matched) {
    const matched = await prepared.matched();
    if (matched === undefined)
      throw new SearchError(
        `${url} does not report how many Items match (no numberMatched or context.matched)`,
      );
    stdout.write(`${matched}\n`);
    return;
  }
  const collection = await prepared.itemCollection();
  if (options.output) await writeItemsFile(options.output, collection, registry);
  else stdout.write(`${JSON.stringify(collection)}\n`);
}

/**
 * `pyramids search URL [options]`: a STAC API item search. Returns the command so that
 * shared options (e.g. `--signer`) can be added to it; `hooks.resolveSigner` turns them
 * into the Signer the search uses.
 */
export function registerSearchCommand(program: Command, hooks: SearchCommandHooks = {}): Command {
  return program
    .command('search')
    .description('search a STAC API for Items; prints an ItemCollection as JSON')
    .argument(
      '<url>',
      'landing page of the STAC API, e.g. https://earth-search.aws.element84.com/v1',
    )
    .option('-c, --collection <ids>', 'collection id (repeat, or separate with commas)', collect)
    .option('--bbox <w,s,e,n>', 'bounding box in degrees: west,south,east,north')
    .option('--intersects <geojson|file>', 'GeoJSON geometry or Feature, as text or a file')
    .option(
      '--datetime <datetime>',
      'instant or range: 2023-06-01, 2023-06/2023-08, 2023-01-01T00:00:00Z/..',
    )
    .option('--ids <ids>', 'Item ids (repeat, or separate with commas)', collect)
    .option('--query <json>', 'query extension as JSON, e.g. {"eo:cloud_cover":{"lt":10}}')
    .option('--filter <cql2>', 'CQL2 filter: text (eo:cloud_cover < 10) or JSON')
    .option(
      '--filter-lang <lang>',
      'cql2-json (default; text is converted) or cql2-text (sent as text over GET)',
    )
    .option('--sortby <fields>', 'sort keys, - for descending: --sortby=-properties.datetime')
    .option('--fields <fields>', 'fields to include, - to exclude: --fields=-assets,-links')
    .option('--limit <n>', 'page size asked of the server', positiveInteger('--limit'))
    .option(
      '--max-items <n>',
      'most Items returned; paging stops once reached',
      positiveInteger('--max-items'),
    )
    .option(
      '--method <method>',
      'GET or POST for the first request (default POST, GET where POST is not offered)',
    )
    .option(
      '--timeout <ms>',
      'total time per request, retries included',
      positiveInteger('--timeout'),
    )
    .option(
      '--add-conforms-to <class>',
      'assume a conformance class the API does not advertise (FILTER, QUERY, SORT, FIELDS, ITEM_SEARCH)',
      collect,
    )
    .option('--matched', 'print only the number of matching Items')
    .option(
      '-o, --output <file>',
      'write to FILE (.json, .ndjson, or a codec format such as .parquet) instead of stdout',
    )
    .action(async (url: string, options: SearchCommandOptions & Record<string, unknown>) => {
      if (
        options.filterLang !== undefined &&
        options.filterLang !== 'cql2-text' &&
        options.filterLang !== 'cql2-json'
      ) {
        throw new OptionError(
          `--filter-lang must be cql2-text or cql2-json, not '${String(options.filterLang)}'`,
        );
      }
      if (options.method !== undefined) {
        const method = String(options.method).toUpperCase();
        if (method !== 'GET' && method !== 'POST')
          throw new OptionError(`--method must be GET or POST, not '${String(options.method)}'`);
        options.method = method;
      }
      const registry = createDefaultRegistry();
      const signer = await hooks.resolveSigner?.({ ...options, url }, registry);
      await runSearchCommand(url, options, { registry, signer });
    });
}
