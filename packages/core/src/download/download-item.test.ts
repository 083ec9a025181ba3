import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DownloadError, PLUGIN_API_VERSION, type Signer, type StacItem } from '@pyramids/core';
import {
  downloadItem,
  downloadItems,
  encodeMultihash,
  type DownloadProgress,
} from '@pyramids/core/node';
import { fixturesDir } from '../../../../vitest.shared.js';
import { startFileServer, type LoopbackFileServer } from './loopback-file-server.test-support.js';

const small = readFileSync(path.join(fixturesDir, 'rasters/rasterio/byte.tif'));
const large = readFileSync(path.join(fixturesDir, 'rasters/rio-tiler/cog_int16.tif'));
const sha256 = (bytes: Buffer) =>
  encodeMultihash(0x12, createHash('sha256').update(bytes).digest());
const sha512 = (bytes: Buffer) =>
  encodeMultihash(0x13, createHash('sha512').update(bytes).digest());
const md5 = (bytes: Buffer) => encodeMultihash(0xd5, createHash('md5').update(bytes).digest());
const blake2b = (bytes: Buffer) =>
  encodeMultihash(0xb240, createHash('blake2b512').update(bytes).digest());

let server: LoopbackFileServer;
let directory: string;
beforeAll(async () => {
  server = await startFileServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  directory = mkdtempSync(path.join(tmpdir(), 'pyramids-download-'));
  server.files.clear();
  server.requests.length = 0;
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

function makeItem(assets: Record<string, Record<string, unknown>>, id = 'item-1'): StacItem {
  return {
    type: 'Feature',
    stac_version: '1.1.0',
    id,
    geometry: null,
    properties: { datetime: '2024-01-01T00:00:00Z' },
    links: [{ rel: 'self', href: 'https://example.com/items/item-1.json' }],
    assets: Object.fromEntries(
      Object.entries(assets).map(([key, asset]) => [key, { href: '', ...asset }]),
    ),
  } as StacItem;
}

/** Byte equality without vitest's element-wise diff, which is slow on large buffers. */
function expectBytes(actual: Buffer, expected: Buffer): void {
  expect(actual.length).toBe(expected.length);
  expect(actual.equals(expected)).toBe(true);
}

/** Every file under the directory, relative, hidden ones included. */
function listFiles(root = directory): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort();
}

describe('downloadItem', () => {
  it('downloads, verifies every supported checksum, and rewrites hrefs', async () => {
    server.files.set('byte.tif', { body: small });
    server.files.set('cog.tif', { body: large });
    server.files.set('meta.json', { body: Buffer.from('{"a":1}') });
    server.files.set('thumb.png', { body: Buffer.from('png bytes') });
    const item = makeItem({
      data: {
        href: `${server.url}/files/byte.tif`,
        roles: ['data'],
        'file:checksum': sha256(small),
        'file:size': small.length,
      },
      cog: { href: `${server.url}/files/cog.tif`, roles: ['data'], 'file:checksum': sha512(large) },
      metadata: {
        href: `${server.url}/files/meta.json`,
        roles: ['metadata'],
        'file:checksum': md5(Buffer.from('{"a":1}')),
      },
      thumbnail: {
        href: `${server.url}/files/thumb.png`,
        roles: ['thumbnail'],
        'file:checksum': blake2b(Buffer.from('png bytes')),
      },
    });
    const events: DownloadProgress[] = [];
    const result = await downloadItem(item, directory, { progress: (event) => events.push(event) });
    expectBytes(readFileSync(path.join(directory, 'item-1/data.tif')), small);
    expectBytes(readFileSync(path.join(directory, 'item-1/cog.tif')), large);
    expect(result.assets['data']!.href).toBe(path.join(directory, 'item-1/data.tif'));
    expect(result.assets['thumbnail']!.href).toBe(path.join(directory, 'item-1/thumbnail.png'));
    expect(result.assets['data']!['file:checksum']).toBe(sha256(small));
    // The input Item is left as it was.
    expect(item.assets['data']!.href).toBe(`${server.url}/files/byte.tif`);
    expect(listFiles().filter((name) => !path.basename(name).startsWith('.'))).toEqual([
      'item-1/cog.tif',
      'item-1/data.tif',
      'item-1/metadata.json',
      'item-1/thumbnail.png',
    ]);
    expect(listFiles().some((name) => name.endsWith('.pyramids-part'))).toBe(false);
    const cogDone = events.find((event) => event.type === 'done' && event.key === 'cog')!;
    expect(cogDone).toMatchObject({ bytes: large.length, total: large.length });
    expect(events.filter((event) => event.type === 'start')).toHaveLength(4);
  });

  it('catches a corrupted body: DownloadError, and no file is left', async () => {
    const corrupt = Buffer.from(small);
    corrupt[100] = corrupt[100]! ^ 0xff;
    server.files.set('byte.tif', { body: small, corruptBody: corrupt });
    const item = makeItem({
      data: { href: `${server.url}/files/byte.tif`, 'file:checksum': sha256(small) },
    });
    const error = await downloadItem(item, directory).catch((caught: unknown) => caught);
    expect(DownloadError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /sha2-256 checksum [0-9a-f]+ differs from file:checksum [0-9a-f]+; the file was deleted/,
    );
    expect(listFiles()).toEqual([]);
  });

  it('catches a wrong file:size', async () => {
    server.files.set('byte.tif', { body: small });
    const item = makeItem({
      data: { href: `${server.url}/files/byte.tif`, 'file:size': small.length + 1 },
    });
    await expect(downloadItem(item, directory)).rejects.toThrowError(
      /size \d+ bytes differs from file:size/,
    );
    expect(listFiles()).toEqual([]);
  });

  it('resumes a connection cut mid-file with exactly one extra ranged request', async () => {
    const cutAt = Math.floor(large.length * 0.4);
    server.files.set('cog.tif', { body: large, cutAfter: cutAt });
    const item = makeItem({
      data: { href: `${server.url}/files/cog.tif`, 'file:checksum': sha256(large) },
    });
    await downloadItem(item, directory);
    expectBytes(readFileSync(path.join(directory, 'item-1/data.tif')), large);
    const gets = server.requests.filter((request) => request.method === 'GET');
    expect(gets).toHaveLength(2);
    expect(gets[0]!.range).toBeUndefined();
    const resumedFrom = Number(/^bytes=(\d+)-$/.exec(gets[1]!.range!)![1]);
    expect(resumedFrom).toBeGreaterThan(0);
    expect(resumedFrom).toBeLessThanOrEqual(cutAt);
    expect(gets[1]!.ifRange).toMatch(/^"[0-9a-f]+"$/);
  });

  it('never splices a changed remote file onto an old part (If-Range)', async () => {
    server.files.set('cog.tif', { body: large, etag: '"v2"' });
    // A part left by an earlier run against version "v1" of the file.
    mkdirSync(path.join(directory, 'item-1'));
    writeFileSync(path.join(directory, 'item-1/.data.tif.pyramids-part'), Buffer.alloc(1000, 7));
    writeFileSync(
      path.join(directory, 'item-1/.data.tif.pyramids.json'),
      JSON.stringify({ etag: '"v1"', size: large.length }),
    );
    const item = makeItem({
      data: { href: `${server.url}/files/cog.tif`, 'file:checksum': sha256(large) },
    });
    await downloadItem(item, directory);
    expectBytes(readFileSync(path.join(directory, 'item-1/data.tif')), large);
    expect(server.requests[0]).toMatchObject({ range: 'bytes=1000-', ifRange: '"v1"' });
  });

  it('resumes a part left by an aborted run, across runs', async () => {
    server.files.set('cog.tif', { body: large, chunkSize: 64 * 1024, chunkDelay: 5 });
    const item = makeItem({
      data: { href: `${server.url}/files/cog.tif`, 'file:checksum': sha256(large) },
    });
    const controller = new AbortController();
    const run = downloadItem(item, directory, {
      signal: controller.signal,
      progress: (event) => {
        if (event.bytes > large.length / 3) controller.abort();
      },
    });
    const error = await run.catch((caught: unknown) => caught);
    expect((error as Error).name).toBe('AbortError');
    expect(existsSync(path.join(directory, 'item-1/data.tif'))).toBe(false);
    server.requests.length = 0;
    await downloadItem(item, directory);
    expectBytes(readFileSync(path.join(directory, 'item-1/data.tif')), large);
    expect(server.requests[0]!.range).toMatch(/^bytes=\d+-$/);
    expect(Number(/\d+/.exec(server.requests[0]!.range!)![0])).toBeGreaterThan(large.length / 3);
  });

  it(
    'never leaves a final-named partial file when aborted at random points',
    { timeout: 60000 },
    async () => {
      server.files.set('cog.tif', { body: large, chunkSize: 16 * 1024, chunkDelay: 4 });
      server.files.set('byte.tif', { body: small });
      const item = makeItem({
        data: { href: `${server.url}/files/cog.tif`, 'file:checksum': sha256(large) },
        small: { href: `${server.url}/files/byte.tif`, 'file:checksum': sha256(small) },
      });
      const target = path.join(directory, 'item-1/data.tif');
      let aborted = 0;
      for (let round = 0; round < 10; round++) {
        const controller = new AbortController();
        setTimeout(() => controller.abort(), Math.random() * 300);
        // Re-download every round (resuming any part), so each round can be cut anywhere.
        const overwrite = 'always';
        const error = await downloadItem(item, directory, {
          signal: controller.signal,
          overwrite,
        }).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        if (error) {
          expect((error as Error).name).toBe('AbortError');
          aborted++;
        }
        // Whatever happened, a final-named file is complete.
        if (existsSync(target)) expectBytes(readFileSync(target), large);
        expect(
          listFiles()
            .filter((name) => !path.basename(name).startsWith('.'))
            .every((name) => ['item-1/data.tif', 'item-1/small.tif'].includes(name)),
        ).toBe(true);
      }
      expect(aborted).toBeGreaterThanOrEqual(3);
      await downloadItem(item, directory);
      expectBytes(readFileSync(target), large);
    },
  );

  it.each([
    ['../escape'],
    ['/etc/passwd'],
    ['a/b'],
    ['..'],
    ['.hidden'],
    ['x\u0000y'],
    ['nl\nkey'],
    ['c:\\windows'],
    ['back\\slash'],
  ])('refuses the hostile asset key %j', async (key) => {
    server.files.set('byte.tif', { body: small });
    const item = makeItem({ [key]: { href: `${server.url}/files/byte.tif` } });
    const outside = path.dirname(directory);
    const before = readdirSync(outside).length;
    await expect(downloadItem(item, directory)).rejects.toThrowError(DownloadError);
    expect(listFiles()).toEqual([]);
    expect(readdirSync(outside).length).toBe(before);
    expect(server.requests).toEqual([]);
  });

  it('refuses hostile item ids, href names and templates', async () => {
    server.files.set('byte.tif', { body: small });
    await expect(
      downloadItem(
        makeItem({ data: { href: `${server.url}/files/byte.tif` } }, '../../evil'),
        directory,
      ),
    ).rejects.toThrowError(/item id "..\/..\/evil" cannot be used/);
    const encoded = makeItem({ data: { href: `${server.url}/files/..%2F..%2Fevil.tif` } });
    await expect(downloadItem(encoded, directory, { fileName: '{name}' })).rejects.toThrowError(
      DownloadError,
    );
    const plain = makeItem({ data: { href: `${server.url}/files/byte.tif` } });
    await expect(
      downloadItem(plain, directory, { fileName: '../{key}{ext}' }),
    ).rejects.toThrowError(/outside .*; refused/);
    await expect(
      downloadItem(plain, directory, { fileName: '/tmp/{key}{ext}' }),
    ).rejects.toThrowError(/refused/);
    await expect(downloadItem(plain, directory, { fileName: '{id}/{nope}' })).rejects.toThrowError(
      /uses \{nope\}; available/,
    );
    // An odd extension is dropped, not trusted.
    server.files.set('weird.t%2Fif', { body: small });
    const odd = await downloadItem(
      makeItem({ data: { href: `${server.url}/files/byte.tif?x=1.t/../if` } }),
      directory,
    );
    expect(odd.assets['data']!.href).toBe(path.join(directory, 'item-1/data.tif'));
    expect(server.requests.length).toBe(1);
  });

  it('refuses a directory that a symbolic link points outside the target', async () => {
    server.files.set('byte.tif', { body: small });
    const outside = mkdtempSync(path.join(tmpdir(), 'pyramids-outside-'));
    try {
      symlinkSync(outside, path.join(directory, 'item-1'));
      await expect(
        downloadItem(makeItem({ data: { href: `${server.url}/files/byte.tif` } }), directory),
      ).rejects.toThrowError(/outside .*symbolic link/);
      expect(readdirSync(outside)).toEqual([]);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('refuses two assets that would land on one file', async () => {
    server.files.set('byte.tif', { body: small });
    const item = makeItem({
      a: { href: `${server.url}/files/byte.tif` },
      b: { href: `${server.url}/files/byte.tif` },
    });
    await expect(downloadItem(item, directory, { fileName: '{id}/{name}' })).rejects.toThrowError(
      /would both be written to/,
    );
  });

  describe('overwrite', () => {
    const setUp = () => {
      server.files.set('byte.tif', { body: small, etag: '"one"' });
      mkdirSync(path.join(directory, 'item-1'));
      writeFileSync(path.join(directory, 'item-1/data.tif'), 'old');
      return makeItem({ data: { href: `${server.url}/files/byte.tif` } });
    };
    it('never (default) keeps an existing file without a request', async () => {
      const events: DownloadProgress[] = [];
      await downloadItem(setUp(), directory, { progress: (event) => events.push(event) });
      expect(readFileSync(path.join(directory, 'item-1/data.tif'), 'utf8')).toBe('old');
      expect(server.requests).toEqual([]);
      expect(events.map((event) => event.type)).toEqual(['skip']);
    });
    it('always downloads again', async () => {
      await downloadItem(setUp(), directory, { overwrite: 'always' });
      expectBytes(readFileSync(path.join(directory, 'item-1/data.tif')), small);
    });
    it('if-changed downloads when the size or ETag differs, and skips otherwise', async () => {
      const item = setUp();
      await downloadItem(item, directory, { overwrite: 'if-changed' });
      expectBytes(readFileSync(path.join(directory, 'item-1/data.tif')), small);
      expect(server.requests.map((request) => request.method)).toEqual(['HEAD', 'GET']);
      server.requests.length = 0;
      await downloadItem(item, directory, { overwrite: 'if-changed' });
      expect(server.requests.map((request) => request.method)).toEqual(['HEAD']);
      // Same size, new ETag: a changed file.
      const changed = Buffer.from(small);
      changed[200] = changed[200]! ^ 1;
      server.files.set('byte.tif', { body: changed, etag: '"two"' });
      server.requests.length = 0;
      await downloadItem(item, directory, { overwrite: 'if-changed' });
      expect(server.requests.map((request) => request.method)).toEqual(['HEAD', 'GET']);
      expectBytes(readFileSync(path.join(directory, 'item-1/data.tif')), changed);
    });
    it('if-changed falls back to a one-byte GET where HEAD is refused (presigned URLs)', async () => {
      const item = setUp();
      server.files.set('byte.tif', { body: small, etag: '"one"', refuseHead: true });
      await downloadItem(item, directory, { overwrite: 'if-changed' });
      expect(
        server.requests.map((request) => `${request.method} ${request.range ?? ''}`.trim()),
      ).toEqual(['HEAD', 'GET bytes=0-0', 'GET']);
      expectBytes(readFileSync(path.join(directory, 'item-1/data.tif')), small);
      server.requests.length = 0;
      await downloadItem(item, directory, { overwrite: 'if-changed' });
      expect(
        server.requests.map((request) => `${request.method} ${request.range ?? ''}`.trim()),
      ).toEqual(['HEAD', 'GET bytes=0-0']);
    });
  });

  it('includes and excludes by key and by role', async () => {
    for (const name of ['a', 'b', 'c', 'd'])
      server.files.set(`${name}.bin`, { body: Buffer.from(name) });
    const item = makeItem({
      a: { href: `${server.url}/files/a.bin`, roles: ['data'] },
      b: { href: `${server.url}/files/b.bin`, roles: ['data', 'reflectance'] },
      c: { href: `${server.url}/files/c.bin`, roles: ['thumbnail'] },
      d: { href: `${server.url}/files/d.bin`, roles: ['metadata'] },
    });
    const included = await downloadItem(item, path.join(directory, 'one'), {
      include: ['data', 'd'],
      exclude: ['reflectance'],
    });
    expect(
      listFiles(path.join(directory, 'one')).filter((name) => !path.basename(name).startsWith('.')),
    ).toEqual(['item-1/a.bin', 'item-1/d.bin']);
    expect(included.assets['c']!.href).toBe(`${server.url}/files/c.bin`);
    await downloadItem(item, path.join(directory, 'two'), { exclude: ['thumbnail', 'a'] });
    expect(
      listFiles(path.join(directory, 'two')).filter((name) => !path.basename(name).startsWith('.')),
    ).toEqual(['item-1/b.bin', 'item-1/d.bin']);
  });

  it('fills a fileName template and writes the Item JSON with relative hrefs', async () => {
    server.files.set('byte.tif', { body: small });
    const item = {
      ...makeItem({ data: { href: `${server.url}/files/byte.tif?token=abc` } }),
      collection: 'landsat',
    };
    const result = await downloadItem(item, directory, {
      fileName: '{collection}/{id}/{name}',
      writeItem: '{collection}/{id}.json',
    });
    expectBytes(readFileSync(path.join(directory, 'landsat/item-1/byte.tif')), small);
    const written = JSON.parse(
      readFileSync(path.join(directory, 'landsat/item-1.json'), 'utf8'),
    ) as StacItem;
    expect(written.assets['data']!.href).toBe('./item-1/byte.tif');
    expect(written.links!.some((link) => link.rel === 'self')).toBe(false);
    expect(result).toEqual(written);
  });

  it('copies file:// hrefs and relative hrefs against a local base', async () => {
    const sourceDir = mkdtempSync(path.join(tmpdir(), 'pyramids-source-'));
    try {
      writeFileSync(path.join(sourceDir, 'local.tif'), small);
      const item = makeItem({
        url: {
          href: pathToFileURL(path.join(sourceDir, 'local.tif')).href,
          'file:checksum': sha256(small),
        },
        relative: { href: './local.tif' },
      });
      item.links = [];
      const result = await downloadItem(item, directory, { baseHref: `${sourceDir}/` });
      expectBytes(readFileSync(path.join(directory, 'item-1/url.tif')), small);
      expectBytes(readFileSync(path.join(directory, 'item-1/relative.tif')), small);
      expect(result.assets['relative']!.href).toBe(path.join(directory, 'item-1/relative.tif'));
      const missing = makeItem({
        data: { href: pathToFileURL(path.join(sourceDir, 'missing.tif')).href },
      });
      missing.links = [];
      await expect(downloadItem(missing, path.join(directory, 'x'))).rejects.toThrowError(
        /cannot read .*missing.tif: ENOENT/,
      );
    } finally {
      rmSync(sourceDir, { recursive: true, force: true });
    }
  });

  it('needs a signer for s3:// hrefs, and uses it', async () => {
    server.files.set('bucket/key.tif', { body: small, authorization: 'Bearer secret-token' });
    const item = makeItem({ data: { href: 's3://bucket/key.tif' } });
    await expect(downloadItem(item, directory)).rejects.toThrowError(
      /s3:\/\/ hrefs need a signer .*pass one with the signer option/,
    );
    const signer: Signer = {
      kind: 'signer',
      id: 'loopback-s3',
      apiVersion: PLUGIN_API_VERSION,
      matches: (url) =>
        url.startsWith('s3://bucket/') || url.startsWith(`${server.url}/files/bucket/`),
      signHref: async (href) => href.replace('s3://', `${server.url}/files/`),
      headers: async () => ({ authorization: 'Bearer secret-token' }),
    };
    await downloadItem(item, directory, { signer });
    expectBytes(readFileSync(path.join(directory, 'item-1/data.tif')), small);
    expect(server.requests.at(-1)!.authorization).toBe('Bearer secret-token');
  });

  it('reports HTTP failures with a hint and without the query string', async () => {
    const item = makeItem({ data: { href: `${server.url}/files/nothing.tif?sig=SECRET` } });
    const error = (await downloadItem(item, directory).catch((caught: unknown) => caught)) as Error;
    expect(DownloadError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/HTTP 404 .*does not exist/);
    expect(error.message).not.toMatch(/SECRET/);
    server.files.set('private.tif', { body: small, authorization: 'Bearer x' });
    await expect(
      downloadItem(makeItem({ data: { href: `${server.url}/files/private.tif` } }), directory),
    ).rejects.toThrowError(/HTTP 403 .*pass a signer/);
  });

  it('refuses a checksum algorithm it cannot verify before downloading, unless told not to verify', async () => {
    server.files.set('byte.tif', { body: small });
    const blake2b256 = encodeMultihash(0xb220, new Uint8Array(32));
    const item = makeItem({
      data: { href: `${server.url}/files/byte.tif`, 'file:checksum': blake2b256 },
    });
    await expect(downloadItem(item, directory)).rejects.toThrowError(
      /uses blake2b-256, which pyramids cannot verify/,
    );
    expect(server.requests).toEqual([]);
    await downloadItem(item, directory, { verify: false });
    expectBytes(readFileSync(path.join(directory, 'item-1/data.tif')), small);
    await expect(
      downloadItem(
        makeItem({ data: { href: `${server.url}/files/byte.tif`, 'file:checksum': 'zz' } }),
        path.join(directory, 'y'),
      ),
    ).rejects.toThrowError(/not a hex-encoded multihash/);
  });
});

describe('downloadItems', () => {
  it('downloads every Item of a collection under one concurrency limit', async () => {
    server.files.set('byte.tif', { body: small, chunkSize: 256, chunkDelay: 5 });
    const items = ['a', 'b', 'c'].map((id) =>
      makeItem(
        {
          one: { href: `${server.url}/files/byte.tif` },
          two: { href: `${server.url}/files/byte.tif` },
        },
        id,
      ),
    );
    let active = 0;
    let peak = 0;
    const results = await downloadItems({ type: 'FeatureCollection', features: items }, directory, {
      concurrency: 2,
      progress: (event) => {
        if (event.type === 'start') peak = Math.max(peak, ++active);
        if (event.type === 'done') active--;
      },
    });
    expect(results.map((item) => item.id)).toEqual(['a', 'b', 'c']);
    expect(listFiles().filter((name) => !path.basename(name).startsWith('.'))).toHaveLength(6);
    expect(peak).toBe(2);
  });
});
