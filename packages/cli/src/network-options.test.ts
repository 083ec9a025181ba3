// `pyramids --timeout SECONDS …`: a host that never answers ends the command quickly with a
// one-line typed error, and a bad value is refused before any work.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ALLOW_LOCAL_VARIABLE, HTTP_TIMEOUT_VARIABLE } from '@pyramids/core';
import { writeFileSync, existsSync } from 'node:fs';
import { runCli } from './run-cli-for-tests.js';

let silent: Server;
let url: string;
const sockets = new Set<Socket>();
let scratch: string;
beforeAll(async () => {
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => undefined);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/cog.tif`;
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-timeout-cli-'));
});
afterAll(() => {
  for (const socket of sockets) socket.destroy();
  silent.close();
  rmSync(scratch, { recursive: true, force: true });
});
afterEach(() => {
  delete process.env[HTTP_TIMEOUT_VARIABLE];
  delete process.env[ALLOW_LOCAL_VARIABLE];
});

describe('pyramids --timeout', () => {
  it.each([
    ['before the command', (target: string) => ['--timeout', '0.4', 'read', url, '-o', target]],
    ['after the command', (target: string) => ['read', url, '-o', target, '--timeout', '0.4']],
  ])('ends `read` of a silent host within seconds (given %s)', async (_, args) => {
    const target = path.join(scratch, 'out.tif');
    const started = performance.now();
    const result = await runCli(args(target));
    const seconds = (performance.now() - started) / 1000;
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/did not answer within 0\.4 s/);
    expect(result.stderr.trim().split('\n')[0]).toMatch(/^pyramids: ReadError: /);
    expect(seconds).toBeLessThan(5);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it('refuses a bad --timeout or PYRAMIDS_HTTP_TIMEOUT before any work', async () => {
    const bad = await runCli(['--timeout', 'soon', 'read', url, '-o', path.join(scratch, 'x.tif')]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/OptionError: --timeout must be a number of seconds/);
    process.env[HTTP_TIMEOUT_VARIABLE] = '-1';
    const badEnvironment = await runCli(['read', url, '-o', path.join(scratch, 'x.tif')]);
    expect(badEnvironment.stderr).toMatch(/PYRAMIDS_HTTP_TIMEOUT must be a number of seconds/);
    expect(readdirSync(scratch)).toEqual([]);
  });
});

describe('pyramids --allow-local', () => {
  it('refuses a local href of an Item from a remote catalog, and copies it when allowed', async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'pyramids-allow-local-'));
    try {
      const secret = path.join(work, 'secret.txt');
      writeFileSync(secret, 'not for a remote catalog');
      const items = path.join(work, 'items.json');
      writeFileSync(
        items,
        JSON.stringify({
          type: 'Feature',
          stac_version: '1.1.0',
          id: 'scene',
          geometry: null,
          properties: { datetime: '2024-01-01T00:00:00Z' },
          links: [{ rel: 'self', href: 'https://stac.example.com/items/scene' }],
          assets: { data: { href: `file://${secret}` } },
        }),
      );
      const refused = await runCli(['download', items, '--dir', path.join(work, 'out')]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/StacAssetError: .*may not read local files.*--allow-local/);
      expect(existsSync(path.join(work, 'out/scene/data.txt'))).toBe(false);
      const allowed = await runCli([
        '--allow-local',
        'download',
        items,
        '--dir',
        path.join(work, 'out'),
      ]);
      expect(allowed.stderr).toMatch(/downloaded the assets of 1 item/);
      expect(allowed.code).toBe(0);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
