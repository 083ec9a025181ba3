// `pyramids --timeout SECONDS …`: a host that never answers ends the command quickly with a
// one-line typed error, and a bad value is refused before any work.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_TIMEOUT_VARIABLE } from '@pyramids/core';
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
