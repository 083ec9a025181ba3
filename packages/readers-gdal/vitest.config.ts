import { defineProject } from 'vitest/config';
import { packageVersionPlugin, workspaceAliases } from '../../vitest.shared.js';

export default defineProject({
  resolve: { alias: workspaceAliases },
  plugins: [packageVersionPlugin()],
  // Tests run GDAL's command-line tools and decode JPEG 2000: give a loaded 2-core machine room.
  test: {
    name: 'readers-gdal',
    testTimeout: 30_000,
    include: ['src/**/*.test.ts'],
    exclude: ['**/*.external.test.ts'],
  },
});
