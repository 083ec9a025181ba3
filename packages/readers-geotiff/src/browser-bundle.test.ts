import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleForBrowser } from '../../../test-support/browser-bundle.js';

describe('the default entry in a browser', () => {
  it('bundles with esbuild for platform=browser, with @pyramids/core, without Node built-ins or polyfills', async () => {
    const bundle = await bundleForBrowser(path.resolve(import.meta.dirname, 'index.ts'));
    expect(bundle.errors.map((error) => `${error.location?.file}: ${error.text}`)).toEqual([]);
    expect(bundle.inputs.some((input) => input.startsWith('packages/core/src/'))).toBe(true);
  });
});
