import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { VERSION } from '@pyramids/readers-gdal';

it('reports the version in its package.json (injected, never hard-coded)', () => {
  const manifest = JSON.parse(
    readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
  ) as {
    version: string;
  };
  expect(VERSION).toBe(manifest.version);
});
