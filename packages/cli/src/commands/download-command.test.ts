import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DownloadError, OptionError, type StacItem } from '@pyramids/core';
import { encodeMultihash } from '@pyramids/core/node';
import { fixturesDir } from '../../../../vitest.shared.js';
// Core's test support: a loopback file server with Range/ETag/If-Range.
import {
  startFileServer,
  type LoopbackFileServer,
} from '../../../core/src/download/loopback-file-server.test-support.js';
import { runDownloadCommand } from './download-command.js';

const raster = readFileSync(path.join(fixturesDir, 'rasters/rio-tiler/cog_int16.tif'));
const checksum = encodeMultihash(0x12, createHash('sha256').update(raster).digest());

let server: LoopbackFileServer;
let directory: string;
beforeAll(async () => {
  server = await startFileServer();
  server.files.set('cog.tif', { body: raster, chunkSize: 128 * 1024, chunkDelay: 2 });
  server.files.set('thumb.png', { body: Buffer.from('png') });
});
afterAll(() => server.close());
beforeEach(() => {
  directory = mkdtempSync(path.join(tmpdir(), 'pyramids-download-cli-'));
});
afterEach(() => rmSync(directory, { recursive: true, force: true }));

function stream(isTTY: boolean): { stream: PassThrough; text: () => string } {
  const output = Object.assign(new PassThrough(), {
    isTTY,
    columns: 100,
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
  });
  const chunks: Buffer[] = [];
  output.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream: output, text: () => Buffer.concat(chunks).toString('utf8') };
}

function writeItems(): string {
  const items: StacItem[] = ['a', 'b'].map((id) => ({
    type: 'Feature',
    stac_version: '1.1.0',
    id,
    geometry: null,
    properties: { datetime: '2024-01-01T00:00:00Z' },
    links: [],
    assets: {
      data: { href: `${server.url}/files/cog.tif`, roles: ['data'], 'file:checksum': checksum },
      thumbnail: { href: `${server.url}/files/thumb.png`, roles: ['thumbnail'] },
    },
  }));
  const file = path.join(directory, 'items.json');
  writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features: items }));
  return file;
}

describe('pyramids download', () => {
  it('refuses --dir /proc/self and --dir /dev/null with a one-line OptionError, fast', async () => {
    for (const dir of ['/proc/self', '/dev/null']) {
      const started = performance.now();
      const error = await runDownloadCommand(
        writeItems(),
        { dir },
        { stderr: stream(false).stream },
      ).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OptionError);
      expect((error as Error).message).toMatch(/kernel file system|not a directory/);
      expect(performance.now() - started).toBeLessThan(2_000);
    }
  });

  it('downloads, writes Items with relative hrefs and prints one line per file off a terminal', async () => {
    const stderr = stream(false);
    await runDownloadCommand(
      writeItems(),
      { dir: path.join(directory, 'out'), exclude: ['thumbnail'] },
      { stderr: stderr.stream },
    );
    const written = JSON.parse(
      readFileSync(path.join(directory, 'out/a/a.json'), 'utf8'),
    ) as StacItem;
    expect(written.assets['data']!.href).toBe('./data.tif');
    expect(written.assets['thumbnail']!.href).toBe(`${server.url}/files/thumb.png`);
    expect(readFileSync(path.join(directory, 'out/b/data.tif')).equals(raster)).toBe(true);
    expect(stderr.text()).toMatch(/downloaded a\/data → .*out\/a\/data\.tif \(802\.4 KiB\)/);
    expect(stderr.text()).toMatch(/downloaded the assets of 2 item\(s\)/);
  });

  it('draws a progress bar with bytes, rate and ETA on a terminal', async () => {
    const stderr = stream(true);
    await runDownloadCommand(
      writeItems(),
      { dir: path.join(directory, 'out'), include: ['data'], concurrency: '1' },
      { stderr: stderr.stream },
    );
    const text = stderr.text();
    expect(text).toMatch(
      /100% \| 1\.6 MiB\/1\.6 MiB \| [\d.]+ [KMG]?i?B\/s \| ETA \d+s \| 2 file\(s\)/,
    );
  });

  it('refuses bad options and reports failed downloads', async () => {
    await expect(
      runDownloadCommand(writeItems(), { dir: directory, concurrency: '0' }),
    ).rejects.toThrowError(OptionError);
    await expect(
      runDownloadCommand(writeItems(), { dir: directory, overwrite: 'sometimes' }),
    ).rejects.toThrowError(/--overwrite must be/);
    const file = path.join(directory, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        type: 'Feature',
        id: 'x',
        geometry: null,
        properties: {},
        links: [],
        assets: { data: { href: `${server.url}/files/missing.tif` } },
      }),
    );
    await expect(
      runDownloadCommand(
        file,
        { dir: path.join(directory, 'out'), progress: false },
        { stderr: stream(false).stream },
      ),
    ).rejects.toThrowError(DownloadError);
  });
});
