import { defineProject } from 'vitest/config';
import { packageVersionPlugin, workspaceAliases } from '../../vitest.shared.js';

export default defineProject({
  resolve: { alias: workspaceAliases },
  plugins: [packageVersionPlugin()],
  test: {
    name: 'core',
    include: ['src/**/*.test.ts'],
    exclude: ['**/*.external.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
