import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { httpRequest, httpRequestBytes, ReadError } from '@pyramids/core';
import { startRangeServer, type RangeServer } from '../../../../test-support/range-server.js';
import { createFaultInjector } from '../../../../test-support/fault-injector.js';

let scratch: string;
let server: RangeServer;
const payload = Buffer.from(Array.from({ length: 20_000 }, (_, index) => (index * 7919) % 251));

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-http-'));
  writeFileSync(path.join(scratch, 'data.bin'), payload);
  server = await startRangeServer(scratch);
});
afterAll(async () => {
  await server.close();
  rmSync(scratch, { recursive: true, force: true });
});
beforeEach(() => {
  server.requests.length = 0;
  server.intercept = undefined;
});

async function failure(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(Error);
  return outcome as Error;
}

describe('httpRequest: what is retried', () => {
  it('refuses a URL with a user name and password before any request, without printing the password', async () => {
    const port = new URL(server.url).port;
    const retries: unknown[] = [];
    const error = await failure(
      httpRequest(`http://alice:hunter2-secret@127.0.0.1:${port}/data.bin`, {
        backoff: 1,
        onRetry: (info) => retries.push(info),
      }),
    );
    expect(ReadError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/credentials in a URL are refused/);
    expect(error.message).not.toContain('hunter2');
    expect(error.message).not.toContain('alice');
    expect(retries).toEqual([]);
    expect(server.requests).toEqual([]);
  });

  it.each([
    ['an unsupported scheme', 'ftp://127.0.0.1/data.bin', /scheme ftp: is not supported/],
    ['a malformed URL', 'http://[not a host/data.bin', /is not a valid URL/],
  ])('does not retry %s', async (_name, url, message) => {
    const retries: unknown[] = [];
    const error = await failure(
      httpRequest(url, { backoff: 1, onRetry: (info) => retries.push(info) }),
    );
    expect(ReadError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(message);
    expect(retries).toEqual([]);
  });

  it.each([404, 401, 400])('does not retry HTTP %i', async (status) => {
    server.intercept = (_request, response) => {
      response.writeHead(status).end('no');
      return true;
    };
    const response = await httpRequest(`${server.url}/data.bin`, { backoff: 1 });
    expect(response.status).toBe(status);
    expect(server.requests).toHaveLength(1);
  });

  it('retries 503, 429 and resets, honouring Retry-After up to the cap', async () => {
    let count = 0;
    server.intercept = (request, response) => {
      count++;
      if (count === 1) response.writeHead(503).end('busy');
      else if (count === 2) response.writeHead(429, { 'retry-after': '3600' }).end('slow down');
      else if (count === 3) request.socket.resetAndDestroy();
      else return false;
      return true;
    };
    const started = Date.now();
    const response = await httpRequest(`${server.url}/data.bin`, { backoff: 1, maxBackoff: 200 });
    expect(response.status).toBe(200);
    expect(server.requests).toHaveLength(4);
    // The hour-long Retry-After was capped at 200 ms.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('gives up on a host that accepts and never answers within the timeout', async () => {
    server.intercept = () => true; // never responds
    const started = Date.now();
    const error = await failure(
      httpRequest(`${server.url}/data.bin`, { timeout: 300, retries: 1, backoff: 1 }),
    );
    expect(ReadError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/did not answer within 0\.3 s on 2 attempt\(s\)/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('httpRequestBytes: bodies cut short are fetched again', () => {
  it('returns the exact bytes of 60 ranged reads through resets, truncated bodies, 503s and 429s', async () => {
    const injector = createFaultInjector({
      seed: 7,
      rate: 0.4,
      faults: ['reset', 'truncate', '503', '429', 'latency'],
      latencyMs: 5,
    });
    server.intercept = injector.intercept;
    for (let index = 0; index < 60; index++) {
      const start = (index * 331) % 19_000;
      const { response, bytes } = await httpRequestBytes(`${server.url}/data.bin`, {
        headers: { range: `bytes=${start}-${start + 999}` },
        backoff: 1,
        retries: 12,
      });
      expect(response.status).toBe(206);
      expect(Buffer.from(bytes).equals(payload.subarray(start, start + 1000))).toBe(true);
    }
    expect(injector.injected.reset + injector.injected.truncate).toBeGreaterThan(5);
  });

  it('fails with a ReadError naming the cut when every attempt is cut short', async () => {
    server.intercept = createFaultInjector({ seed: 1, rate: 1, faults: ['truncate'] }).intercept;
    const error = await failure(
      httpRequestBytes(`${server.url}/data.bin`, { backoff: 1, retries: 2 }),
    );
    expect(ReadError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/failed after 3 attempt\(s\)/);
    expect(server.requests).toHaveLength(3);
  });
});
