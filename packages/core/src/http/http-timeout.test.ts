// A host that accepts connections and never answers, and one that stalls mid-body: requests
// give up within the timeout (twice, with one retry) with a typed one-line error that says
// how to wait longer, and PYRAMIDS_HTTP_TIMEOUT sets the default.
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OptionError } from '../errors/option-error.js';
import { PyramidsError } from '../errors/pyramids-error.js';
import { ReadError } from '../errors/read-error.js';
import { downloadItem } from '../download/download-item.js';
import type { StacItem } from '../stac/stac-types.js';
import { httpRequest } from './http-request.js';
import { defaultHttpTimeout, HTTP_TIMEOUT_VARIABLE, parseTimeoutSeconds } from './http-timeout.js';

let silent: TcpServer;
let silentUrl: string;
const sockets = new Set<Socket>();
let stalling: Server;
let stallingUrl: string;

beforeAll(async () => {
  // Accepts the connection, reads the request, never writes a byte.
  silent = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/cog.tif`;
  // Sends headers and the first bytes of a 1 MB body, then nothing.
  stalling = createServer((_request, response) => {
    response.writeHead(200, { 'content-length': String(1 << 20), etag: '"v1"' });
    response.write(new Uint8Array(1000));
  });
  await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
  stallingUrl = `http://127.0.0.1:${(stalling.address() as AddressInfo).port}/big.tif`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  silent.close();
  stalling.closeAllConnections();
  stalling.close();
});
afterEach(() => {
  delete process.env[HTTP_TIMEOUT_VARIABLE];
});

async function timed<T>(run: () => Promise<T>): Promise<{ error: unknown; seconds: number }> {
  const started = performance.now();
  const error = await run().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return { error, seconds: (performance.now() - started) / 1000 };
}

describe('HTTP timeouts', () => {
  it('gives up on a host that never answers after two timed-out attempts, saying how to wait longer', async () => {
    const { error, seconds } = await timed(() =>
      httpRequest(silentUrl, { timeout: 400, retries: 5, backoff: 10 }),
    );
    expect(error).toBeInstanceOf(ReadError);
    const message = (error as Error).message;
    expect(message).toMatch(/did not answer within 0\.4 s on 2 attempt\(s\)/);
    expect(message).toContain('--timeout');
    expect(message).not.toContain('\n');
    // Two attempts of 0.4 s and one short backoff, not six attempts.
    expect(seconds).toBeGreaterThan(0.75);
    expect(seconds).toBeLessThan(3);
  });

  it('takes its default from PYRAMIDS_HTTP_TIMEOUT (seconds)', async () => {
    process.env[HTTP_TIMEOUT_VARIABLE] = '0.3';
    expect(defaultHttpTimeout()).toBe(300);
    const { error, seconds } = await timed(() => httpRequest(silentUrl, { backoff: 10 }));
    expect((error as Error).message).toMatch(/within 0\.3 s/);
    expect(seconds).toBeLessThan(3);
  });

  it('is 30 s by default and refuses a timeout that is not a positive number of seconds', () => {
    expect(defaultHttpTimeout()).toBe(30_000);
    for (const bad of ['abc', '0', '-5', 'Infinity', '', '1e9']) {
      expect(() => parseTimeoutSeconds(bad, '--timeout')).toThrowError(OptionError);
    }
    process.env[HTTP_TIMEOUT_VARIABLE] = 'soon';
    expect(() => defaultHttpTimeout()).toThrowError(
      /PYRAMIDS_HTTP_TIMEOUT must be a number of seconds/,
    );
    expect(parseTimeoutSeconds(' 2.5 ', '--timeout')).toBe(2500);
  });

  it('ends a download that stalls mid-body within its idle timeout and retries, leaving no file', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'pyramids-timeout-'));
    try {
      const item: StacItem = {
        type: 'Feature',
        stac_version: '1.1.0',
        id: 'stalled',
        geometry: null,
        properties: { datetime: '2024-01-01T00:00:00Z' },
        links: [],
        assets: { data: { href: stallingUrl } },
      };
      const { error, seconds } = await timed(() =>
        downloadItem(item, directory, { idleTimeout: 300, retries: 2 }),
      );
      expect(error).toBeInstanceOf(PyramidsError);
      expect((error as Error).message).not.toContain('\n');
      // Three attempts (the first and two resumes) of at most ~0.3 s of silence each.
      expect(seconds).toBeLessThan(5);
      const visible = readdirSync(directory, { recursive: true, withFileTypes: true }).filter(
        (entry) => entry.isFile() && !entry.name.startsWith('.'),
      );
      expect(visible).toEqual([]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('ends a download from a host that never answers within two timeouts', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'pyramids-timeout-'));
    try {
      const item: StacItem = {
        type: 'Feature',
        stac_version: '1.1.0',
        id: 'silent',
        geometry: null,
        properties: { datetime: '2024-01-01T00:00:00Z' },
        links: [],
        assets: { data: { href: silentUrl } },
      };
      const { error, seconds } = await timed(() =>
        downloadItem(item, directory, { idleTimeout: 300 }),
      );
      expect(error).toBeInstanceOf(PyramidsError);
      expect((error as Error).message).toMatch(/did not answer within 0\.3 s/);
      expect(seconds).toBeLessThan(4);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
