import { defineProject } from 'vitest/config';
import { workspaceAliases } from '../../vitest.shared.js';

export default defineProject({
  resolve: { alias: workspaceAliases },
  test: { name: 'parquet', include: ['src/**/*.test.ts'], exclude: ['**/*.external.test.ts'] },
});
