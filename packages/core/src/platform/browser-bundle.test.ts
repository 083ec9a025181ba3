import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleForBrowser } from '../../../../test-support/browser-bundle.js';

describe('the default entry in a browser', () => {
  it('bundles with esbuild for platform=browser with no Node built-in and no polyfill', async () => {
    const bundle = await bundleForBrowser(path.resolve(import.meta.dirname, '../index.ts'));
    expect(bundle.errors.map((error) => `${error.location?.file}: ${error.text}`)).toEqual([]);
    expect(
      bundle.inputs.filter(
        (input) =>
          input.startsWith('node:') || /(^|\/)node_modules\/.*\/(fs|path|crypto)\.js$/.test(input),
      ),
    ).toEqual([]);
    // The file-system work stays behind '@pyramids/core/node'.
    expect(bundle.inputs.some((input) => input.includes('src/download/'))).toBe(false);
    expect(bundle.code).toContain('createRegistry');
  });

  it('still fails for the /node entry, so the check has teeth', async () => {
    const bundle = await bundleForBrowser(path.resolve(import.meta.dirname, '../node.ts'));
    expect(bundle.errors.some((error) => /node:(fs|crypto|path)/.test(error.text))).toBe(true);
  });
});
