import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { search, SearchError } from '@pyramids/core';
import { loadCassette } from './replay-server.test-helper.js';

const PC = 'https://planetarycomputer.microsoft.com';
const landing = loadCassette('pystac-client/test_client_TestAPI.test_instance.yaml')[0]!
  .responseText;
const page = loadCassette('pystac-client/test_item_search_TestItemSearch.test_ids_results.yaml')[0]!
  .responseText;

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A loopback STAC API whose POST /search answers with the given statuses, then the recorded page. */
async function flakyServer(
  statuses: Array<{ status: number; retryAfter?: string }>,
  recover: boolean,
) {
  const searches: number[] = [];
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const origin = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
      if (request.method === 'GET') {
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(landing.split(PC).join(origin));
        return;
      }
      searches.push(Date.now());
      const next = statuses[searches.length - 1] ?? (recover ? undefined : statuses.at(-1));
      if (next) {
        response
          .writeHead(next.status, {
            'content-type': 'application/json',
            ...(next.retryAfter ? { 'retry-after': next.retryAfter } : {}),
          })
          .end(JSON.stringify({ code: 'Busy', description: 'the server is busy, try later' }));
        return;
      }
      response
        .writeHead(200, { 'content-type': 'application/geo+json' })
        .end(page.split(PC).join(origin));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/stac/v1`,
    searches,
  };
}

describe('search retries', () => {
  it('retries 429 (honouring Retry-After) and 503, then returns the full result', async () => {
    const { url, searches } = await flakyServer(
      [{ status: 429, retryAfter: '1' }, { status: 503 }],
      true,
    );
    const started = Date.now();
    const result = await search(url, {
      ids: ['fl_m_2608004_nw_17_060_20191215_20200113'],
      collections: ['naip'],
      backoff: 50,
    });
    expect(result.features.map((item) => item.id)).toEqual([
      'fl_m_2608004_nw_17_060_20191215_20200113',
    ]);
    expect(searches).toHaveLength(3);
    // The second attempt waited for the server's Retry-After of one second.
    expect(searches[1]! - searches[0]!).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('gives a SearchError within the timeout when the server never recovers', async () => {
    const { url, searches } = await flakyServer([{ status: 503, retryAfter: '1' }], false);
    const started = Date.now();
    const error = await search(url, { collections: ['naip'], timeout: 1500, retries: 10 }).catch(
      (caught: unknown) => caught,
    );
    const elapsed = Date.now() - started;
    expect(SearchError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/did not succeed within the timeout of 1500 ms/);
    expect(elapsed).toBeLessThan(2500);
    expect(searches.length).toBeGreaterThanOrEqual(2);
  });

  it('reports the last status and the server message when retries run out', async () => {
    const { url, searches } = await flakyServer([{ status: 502 }], false);
    const error = await search(url, { collections: ['naip'], retries: 2, backoff: 10 }).catch(
      (caught: unknown) => caught,
    );
    expect(SearchError.isInstance(error)).toBe(true);
    expect((error as SearchError).details.status).toBe(502);
    expect((error as Error).message).toMatch(/HTTP 502: the server is busy, try later/);
    expect(searches).toHaveLength(3);
  });
});
