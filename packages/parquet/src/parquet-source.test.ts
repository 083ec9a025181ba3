// Remote reads over HTTP byte ranges against a loopback server: only the footer and
// the column chunks asked for are fetched, signed per request.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { PLUGIN_API_VERSION, ReadError, type Signer, type StacItem } from '@pyramids/core';
import { parquetMetadata } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openHttpBuffer,
  readGeoParquet,
  searchGeoParquet,
  toGeoParquetBuffer,
  type GeoParquetSearchStats,
} from '@pyramids/parquet';
import { fixturesDir } from '../../../vitest.shared.js';

const files = new Map<string, Uint8Array>();
const requests: {
  url: string;
  range: string | undefined;
  authorization: string | undefined;
  bytes: number;
}[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  files.set(
    '/rustac-100.parquet',
    await readFile(path.join(fixturesDir, 'geoparquet/rustac/100-sentinel-2-items.parquet')),
  );
  const items = JSON.parse(
    await readFile(
      path.join(fixturesDir, 'stac/items/planetary-computer/sentinel-1-rtc_4items.json'),
      'utf8',
    ),
  ) as StacItem[];
  const naip = JSON.parse(
    await readFile(
      path.join(fixturesDir, 'stac/items/planetary-computer/naip_4items.json'),
      'utf8',
    ),
  ) as StacItem[];
  files.set('/grouped.parquet', await toGeoParquetBuffer([...naip, ...items], { rowGroupSize: 2 }));
  server = createServer((request: IncomingMessage, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const body = files.get(url.pathname);
    const range = request.headers.range;
    const record = {
      url: request.url ?? '',
      range,
      authorization: request.headers.authorization,
      bytes: 0,
    };
    requests.push(record);
    if (url.pathname.startsWith('/private/') && request.headers.authorization !== 'Bearer good') {
      response.writeHead(403).end('forbidden');
      return;
    }
    const file = body ?? files.get(url.pathname.replace('/private', ''));
    if (!file) {
      response.writeHead(404).end('not found');
      return;
    }
    const match = /^bytes=(\d*)-(\d*)$/.exec(range ?? '');
    if (!match) {
      record.bytes = file.length;
      response.writeHead(200, { 'content-length': file.length }).end(file);
      return;
    }
    let start: number;
    let end: number;
    if (match[1] === '') {
      start = Math.max(0, file.length - Number(match[2]));
      end = file.length - 1;
    } else {
      start = Number(match[1]);
      end = match[2] === '' ? file.length - 1 : Math.min(Number(match[2]), file.length - 1);
    }
    const slice = file.subarray(start, end + 1);
    record.bytes = slice.length;
    response
      .writeHead(206, {
        'content-range': `bytes ${start}-${end}/${file.length}`,
        'content-length': slice.length,
      })
      .end(slice);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const since = (start: number) => requests.slice(start);
const total = (list: { bytes: number }[]) => list.reduce((sum, entry) => sum + entry.bytes, 0);

describe('remote stac-geoparquet over HTTP ranges', () => {
  it('reads only the footer and the columns asked for', async () => {
    const start = requests.length;
    const items = await readGeoParquet(`${base}/rustac-100.parquet`, {
      columns: ['id', 'datetime'],
    });
    expect(items).toHaveLength(100);
    expect(items[0]!.id).toBe('S2B_MSIL2A_20241203T174629_R098_T13TDE_20241203T211406');
    const made = since(start);
    const size = files.get('/rustac-100.parquet')!.length;
    expect(made.every((entry) => entry.range !== undefined)).toBe(true);
    expect(made[0]!.range).toBe('bytes=-65536');
    // Footer (64 KiB) plus two small column chunks: a tenth of the file or less.
    expect(total(made)).toBeLessThan(size / 8);
    expect(made.length).toBeLessThanOrEqual(4);
  });

  it('skips the row groups that cannot match a bbox search', async () => {
    const start = requests.length;
    const stats = {} as GeoParquetSearchStats;
    const found = await searchGeoParquet(
      `${base}/grouped.parquet`,
      { bbox: [13, 29, 18, 36] },
      { stats, initialFetchSize: 8192 },
    );
    expect(found.features.map((item) => item.collection)).toEqual([
      'sentinel-1-rtc',
      'sentinel-1-rtc',
      'sentinel-1-rtc',
      'sentinel-1-rtc',
    ]);
    expect(stats).toMatchObject({ rowGroups: 4, rowGroupsSkipped: 2, matched: 4 });
    const made = since(start);
    const whole = await openHttpBuffer(`${base}/grouped.parquet`, { initialFetchSize: 1 });
    expect(whole.stats).toEqual({ requests: 1, bytes: 1 });
    expect(total(made)).toBeLessThan(whole.byteLength);
    // No range request touched the bytes of the skipped row groups (the NAIP Items).
    const metadata = parquetMetadata(files.get('/grouped.parquet')!.slice().buffer);
    const skipped = metadata.row_groups.slice(0, 2).flatMap((group) =>
      group.columns.map((column) => {
        const first = Number(
          column.meta_data!.dictionary_page_offset ?? column.meta_data!.data_page_offset,
        );
        return [first, first + Number(column.meta_data!.total_compressed_size)] as const;
      }),
    );
    for (const entry of made) {
      const [, from, to] = /bytes=(\d+)-(\d+)/.exec(entry.range ?? '') ?? [];
      if (from === undefined) continue;
      for (const [start, end] of skipped)
        expect(Number(to) < start || Number(from) >= end).toBe(true);
    }
  });

  it('signs every range request with the signer’s headers and href, and keeps secrets out of errors', async () => {
    const seen: string[] = [];
    const signer: Signer = {
      kind: 'signer',
      id: 'test',
      apiVersion: PLUGIN_API_VERSION,
      matches: (url) => url.startsWith(base),
      signHref: async (href) => `${href}?sig=secret-token`,
      headers: async (url) => {
        seen.push(url);
        return { Authorization: 'Bearer good' };
      },
    };
    const start = requests.length;
    const items = await readGeoParquet(`${base}/private/rustac-100.parquet`, {
      signer,
      columns: ['id'],
    });
    expect(items).toHaveLength(100);
    const made = since(start);
    expect(
      made.every(
        (entry) => entry.authorization === 'Bearer good' && entry.url.endsWith('?sig=secret-token'),
      ),
    ).toBe(true);
    expect(seen.length).toBe(made.length);

    const refusing: Signer = {
      ...signer,
      headers: async () => ({ Authorization: 'Bearer expired' }),
    };
    const error = await readGeoParquet(`${base}/private/rustac-100.parquet`, {
      signer: refusing,
    }).catch((caught: unknown) => caught);
    expect(ReadError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/HTTP 403: access was refused; check the credentials/);
    expect((error as Error).message).not.toMatch(/secret-token|expired/);
  });

  it('fails with a ReadError on 404 and rethrows an abort unwrapped', async () => {
    await expect(readGeoParquet(`${base}/missing.parquet`)).rejects.toThrow(
      /HTTP 404: the file does not exist; check the URL/,
    );
    const controller = new AbortController();
    controller.abort();
    await expect(
      readGeoParquet(`${base}/rustac-100.parquet`, { signal: controller.signal }),
    ).rejects.toMatchObject({ name: 'AbortError' });
  });
});
