// JSON that nests absurdly deep or runs absurdly long fails at once, with a typed error that
// names the limit and how to raise it, from a file's text and from a STAC API's answer.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SearchError } from '../errors/search-error.js';
import { StacAssetError } from '../errors/stac-asset-error.js';
import { search } from '../search/item-search.js';
import { parseItemsText } from './items.js';
import { MAX_JSON_BYTES_VARIABLE, MAX_JSON_DEPTH_VARIABLE } from './json-limits.js';

/** An ItemCollection whose one Item hides `depth` nested arrays in a property (~2 bytes per level). */
function deepCollection(depth: number): string {
  return (
    '{"type":"FeatureCollection","features":[{"type":"Feature","id":"a","geometry":null,' +
    `"properties":{"datetime":"2024-01-01T00:00:00Z","x":${'['.repeat(depth)}${']'.repeat(depth)}},"assets":{},"links":[]}]}`
  );
}

let server: Server;
let url: string;
beforeAll(async () => {
  const body = deepCollection(25_000_000); // 50 MB
  server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());
afterEach(() => {
  delete process.env[MAX_JSON_DEPTH_VARIABLE];
  delete process.env[MAX_JSON_BYTES_VARIABLE];
});

async function timed(run: () => unknown): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  try {
    await run();
    return { error: undefined, ms: performance.now() - started };
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
}

describe('JSON limits', () => {
  it('refuses 50 MB of nesting in an Items file at once, naming the limit', async () => {
    const text = deepCollection(25_000_000);
    const { error, ms } = await timed(() => parseItemsText(text, 'items.json'));
    expect(error).toBeInstanceOf(StacAssetError);
    expect((error as Error).message).toMatch(
      /items\.json nests JSON more than 64 levels deep .*raise PYRAMIDS_MAX_JSON_DEPTH/,
    );
    expect(ms).toBeLessThan(3_000);
  });

  it('refuses it in a STAC API answer too, as a SearchError', async () => {
    const { error, ms } = await timed(() => search(url, { maxItems: 1 }));
    expect(error).toBeInstanceOf(SearchError);
    expect((error as Error).message).toMatch(/nests JSON more than 64 levels deep/);
    expect((error as Error).message).not.toContain('\n');
    expect(ms).toBeLessThan(10_000);
  });

  it('reads real STAC as before, and the limits can be raised or lowered', () => {
    expect(parseItemsText(deepCollection(10), 'ok.json')).toHaveLength(1);
    // Brackets inside strings do not count.
    const quoted = deepCollection(2).replace('"a"', `"${'['.repeat(500)}"`);
    expect(parseItemsText(quoted, 'quoted.json')[0]!.id).toBe('['.repeat(500));
    process.env[MAX_JSON_DEPTH_VARIABLE] = '200';
    expect(parseItemsText(deepCollection(150), 'raised.json')).toHaveLength(1);
    process.env[MAX_JSON_BYTES_VARIABLE] = '100';
    expect(() => parseItemsText(deepCollection(10), 'long.json')).toThrowError(
      /more than the limit of 100; if it is real STAC, raise PYRAMIDS_MAX_JSON_BYTES/,
    );
    process.env[MAX_JSON_BYTES_VARIABLE] = 'lots';
    expect(() => parseItemsText('{}', 'x.json')).toThrowError(/PYRAMIDS_MAX_JSON_BYTES must be/);
  });
});
