import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SearchError } from '@pyramids/core';
import { requestJson } from './request-json.js';
import { startRangeServer, type RangeServer } from '../../../../test-support/range-server.js';

const TOKEN = 'tok-CAPTIVE-0123456789abcdef';
let scratch: string;
let server: RangeServer;

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-request-json-'));
  server = await startRangeServer(scratch);
});
afterAll(async () => {
  await server.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** A server that answers `status` with a page quoting the request's headers at `position`. */
function quotingServer(status: number, position: number, contentType = 'text/html'): void {
  server.intercept = (request, response) => {
    const quoted = JSON.stringify({
      Authorization: request.headers.authorization,
      url: request.url,
    });
    response
      .writeHead(status, { 'content-type': contentType })
      .end(`<html>${'p'.repeat(position)} you sent ${quoted} please log in</html>`);
    return true;
  };
}

describe('requestJson quoting a server that echoes the request', () => {
  it.each([200, 500])(
    'never prints the bearer token or signed query of an HTTP %i non-JSON reply, wherever it falls',
    async (status) => {
      for (const position of [0, 150, 230, 260, 280, 295, 400]) {
        quotingServer(status, position);
        const error = await requestJson(
          {
            url: `${server.url}/search?sig=SASSIG0123456789`,
            method: 'GET',
            headers: { authorization: `Bearer ${TOKEN}` },
          },
          { retries: 0 },
        ).catch((caught: unknown) => caught);
        expect(SearchError.isInstance(error), `position ${position}`).toBe(true);
        const message = (error as Error).message;
        expect(message).not.toContain(TOKEN.slice(0, 8));
        expect(message).not.toContain('SASSIG');
        expect(message).not.toContain('\n');
      }
    },
  );
});
