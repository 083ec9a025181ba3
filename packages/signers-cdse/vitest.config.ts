import { defineProject } from 'vitest/config';
import { packageVersionPlugin, workspaceAliases } from '../../vitest.shared.js';

export default defineProject({
  resolve: { alias: workspaceAliases },
  plugins: [packageVersionPlugin()],
  test: { name: 'signers-cdse', include: ['src/**/*.test.ts'], exclude: ['**/*.external.test.ts'] },
});
