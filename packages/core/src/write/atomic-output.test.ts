import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOutputTarget, replaceWithTemporary, WriteError } from '@pyramids/core';

const folder = mkdtempSync(path.join(tmpdir(), 'pyramids-atomic-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('replaceWithTemporary', () => {
  it('never renames over a character device, and removes the temporary file', async () => {
    const temporary = path.join(folder, '.out.tmp');
    writeFileSync(temporary, 'data');
    const error = await replaceWithTemporary(temporary, '/dev/null').catch(
      (caught: unknown) => caught,
    );
    expect(WriteError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/\/dev\/null is a character device, not a file/);
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
    expect(existsSync(temporary)).toBe(false);
  });

  it('replaces a regular file', async () => {
    const temporary = path.join(folder, '.new.tmp');
    const target = path.join(folder, 'out.txt');
    writeFileSync(target, 'old');
    writeFileSync(temporary, 'new');
    await replaceWithTemporary(temporary, target);
    expect(readFileSync(target, 'utf8')).toBe('new');
  });
});

describe('checkOutputTarget', () => {
  it.each([
    ['/dev/full', /is a character device/],
    [folder, /is a directory/],
    [path.join(folder, 'missing', 'x.tif'), /does not exist/],
  ])('refuses %s', async (target, message) => {
    const error = await checkOutputTarget(target, '-o').catch((caught: unknown) => caught);
    expect(WriteError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
  });

  it('accepts a new file in a writable folder', async () => {
    await expect(checkOutputTarget(path.join(folder, 'new.tif'))).resolves.toBeUndefined();
  });
});
