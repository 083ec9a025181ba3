// Every built package reports the version in its package.json: tsup's `define` injected it.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const packagesDir = path.resolve(import.meta.dirname, '..', 'packages');
// The packages whose src/version.ts takes its VERSION from the build.
const withVersion = readdirSync(packagesDir).filter((name) => {
  const file = path.join(packagesDir, name, 'src', 'version.ts');
  return existsSync(file) && readFileSync(file, 'utf8').includes('__PACKAGE_VERSION__');
});

describe('built packages report their package.json version', () => {
  it('finds the packages that export VERSION', () => {
    expect(withVersion.length).toBeGreaterThan(0);
  });
  for (const name of withVersion) {
    it(`@pyramids/${name}`, async () => {
      const dir = path.join(packagesDir, name);
      const { version } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
      const built = path.join(dir, 'dist', 'index.js');
      expect(existsSync(built), `${built} is missing: run pnpm build first`).toBe(true);
      const { VERSION } = await import(pathToFileURL(built).href);
      expect(VERSION).toBe(version);
    });
  }
});
