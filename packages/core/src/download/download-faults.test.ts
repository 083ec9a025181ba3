// Downloads through a server that fails (503, 429, connections reset or cut mid-body) and
// from processes killed mid-transfer: every run either leaves no final-named file or a
// complete, checksum-verified one, and the next run resumes from the part left behind.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixturesDir } from '../../../../vitest.shared.js';
import { createFaultInjector } from '../../../../test-support/fault-injector.js';
import { PyramidsError } from '../errors/pyramids-error.js';
import type { StacItem } from '../stac/stac-types.js';
import { downloadItem } from './download-item.js';
import { encodeMultihash } from './multihash.js';
import { startFileServer, type LoopbackFileServer } from './loopback-file-server.test-support.js';

const large = readFileSync(path.join(fixturesDir, 'rasters/rio-tiler/cog_int16.tif'));
const checksum = encodeMultihash(0x12, createHash('sha256').update(large).digest());
const coreNodeEntry = path.resolve(import.meta.dirname, '../../dist/node.js');

let server: LoopbackFileServer;
let directory: string;
beforeAll(async () => {
  server = await startFileServer();
});
afterAll(() => server.close());
beforeEach(() => {
  directory = mkdtempSync(path.join(tmpdir(), 'pyramids-download-faults-'));
  server.intercept = undefined;
  return () => rmSync(directory, { recursive: true, force: true });
});

const item = (): StacItem => ({
  type: 'Feature',
  stac_version: '1.1.0',
  id: 'scene',
  geometry: null,
  properties: { datetime: '2024-01-01T00:00:00Z' },
  links: [],
  assets: { data: { href: `${server.url}/files/cog.tif`, 'file:checksum': checksum } },
});
const target = () => path.join(directory, 'scene/data.tif');
const visibleFiles = () =>
  readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
    .map((entry) => path.relative(directory, path.join(entry.parentPath, entry.name)));

/** The final file, if there is one, is the whole verified file, and nothing else is visible. */
function expectNoPartialFile(): void {
  if (existsSync(target())) {
    expect(createHash('sha256').update(readFileSync(target())).digest('hex')).toBe(
      createHash('sha256').update(large).digest('hex'),
    );
  }
  expect(visibleFiles().every((file) => file === path.join('scene', 'data.tif'))).toBe(true);
}

describe('downloads under faults', () => {
  it.each([1, 2, 3])(
    'reaches the verified file through 503s, 429s, resets and cut bodies (seed %i)',
    { timeout: 60_000 },
    async (seed) => {
      server.files.set('cog.tif', { body: large, chunkSize: 64 * 1024, chunkDelay: 1 });
      const injector = createFaultInjector({
        seed,
        rate: 0.4,
        faults: ['503', '429', 'reset', 'truncate'],
      });
      server.intercept = injector.intercept;
      // Download the file again and again (overwrite), so that faults land on many requests.
      let finished = 0;
      for (let round = 0; round < 12; round++) {
        const error = await downloadItem(item(), directory, {
          retries: 2,
          overwrite: 'always',
        }).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        if (error) {
          // A run that gives up says so with a typed, one-line error, and leaves no partial file.
          expect(error).toBeInstanceOf(PyramidsError);
          expect((error as Error).message).not.toContain('\n');
        } else finished++;
        expectNoPartialFile();
      }
      const { '503': unavailable, '429': tooMany, reset, truncate } = injector.injected;
      expect(unavailable + tooMany + reset + truncate).toBeGreaterThan(3);
      expect(finished).toBeGreaterThan(0);
      // Without faults, the next run completes whatever the last one left.
      server.intercept = undefined;
      await downloadItem(item(), directory, { overwrite: 'always' });
      expect(existsSync(target())).toBe(true);
      expectNoPartialFile();
    },
  );

  it(
    'resumes after the downloading process is killed at random points',
    { timeout: 60_000 },
    async () => {
      // Slow enough (~1.5 s for the file) that a kill lands mid-transfer.
      server.files.set('cog.tif', { body: large, chunkSize: 16 * 1024, chunkDelay: 30 });
      const script = `
        const { downloadItem } = await import(${JSON.stringify(coreNodeEntry)});
        const item = JSON.parse(process.argv[1]);
        process.stdout.write('started\\n');
        await downloadItem(item, process.argv[2], { overwrite: 'always' });`;
      let killedMidTransfer = 0;
      for (const killAfter of [150, 350, 600]) {
        const child = spawn(
          process.execPath,
          ['--input-type=module', '-e', script, JSON.stringify(item()), directory],
          { stdio: ['ignore', 'pipe', 'inherit'] },
        );
        const exited = new Promise((resolve) => child.once('exit', resolve));
        await new Promise((resolve) => child.stdout.once('data', resolve));
        await new Promise((resolve) => setTimeout(resolve, killAfter));
        if (child.exitCode === null && child.kill('SIGKILL')) killedMidTransfer++;
        await exited;
        expectNoPartialFile();
      }
      expect(killedMidTransfer).toBe(3);
      // A hidden part file is left; the next run continues from it and verifies the whole.
      server.requests.length = 0;
      await downloadItem(item(), directory, { overwrite: 'always' });
      expectNoPartialFile();
      expect(existsSync(target())).toBe(true);
      const resumedFrom = server.requests
        .map((request) => /^bytes=(\d+)-$/.exec(request.range ?? '')?.[1])
        .find((start) => start !== undefined);
      expect(Number(resumedFrom)).toBeGreaterThan(0);
    },
  );
});
