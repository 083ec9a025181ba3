import { defineProject } from 'vitest/config';
import { workspaceAliases } from '../../vitest.shared.js';

export default defineProject({
  resolve: { alias: workspaceAliases },
  test: {
    name: 'example-browser',
    include: ['*.test.ts'],
    exclude: ['**/*.external.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
