import { existsSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OptionError } from '../errors/option-error.js';
import type { StacItem } from '../stac/stac-types.js';
import { downloadItems } from './download-item.js';
import { prepareDownloadDirectory } from './download-directory.js';

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-download-dir-'));
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

const item: StacItem = {
  type: 'Feature',
  stac_version: '1.1.0',
  id: 'a',
  geometry: null,
  properties: { datetime: '2024-01-01T00:00:00Z' },
  links: [],
  assets: { data: { href: 'http://127.0.0.1:9/never-fetched.tif' } },
};

describe('prepareDownloadDirectory', () => {
  it('creates a missing directory, nested, and returns its absolute path', async () => {
    const target = path.join(scratch, 'a/b/c');
    expect(await prepareDownloadDirectory(target)).toBe(target);
    expect(statSync(target).isDirectory()).toBe(true);
  });

  it.each(['/proc/self', '/proc', '/sys/kernel', '/dev/shm/pyramids-never', '/dev/null'])(
    'refuses %s (a kernel file system) at once, creating nothing',
    async (target) => {
      const error = await prepareDownloadDirectory(target).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OptionError);
      expect((error as Error).message).toMatch(/inside \/(proc|sys|dev), a kernel file system/);
      expect((error as Error).message).not.toContain('\n');
      expect(existsSync('/dev/shm/pyramids-never')).toBe(false);
    },
  );

  it('refuses a symlink that leads into /proc', async () => {
    const link = path.join(scratch, 'looks-harmless');
    symlinkSync('/proc/self', link);
    await expect(prepareDownloadDirectory(path.join(link, 'sub'))).rejects.toThrowError(
      /inside \/proc/,
    );
  });

  it('refuses an existing file, saying it is not a directory', async () => {
    const file = path.join(scratch, 'file.txt');
    writeFileSync(file, 'x');
    await expect(prepareDownloadDirectory(file)).rejects.toThrowError(
      /exists and is not a directory/,
    );
    await expect(prepareDownloadDirectory('')).rejects.toThrowError(OptionError);
  });

  it('is what downloadItems checks before any request', async () => {
    const started = performance.now();
    await expect(downloadItems([item], '/proc/self')).rejects.toThrowError(OptionError);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
