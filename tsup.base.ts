import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'tsup';

// tsup runs in the package's folder: its version is injected where `__PACKAGE_VERSION__` stands.
const { version } = JSON.parse(readFileSync(path.resolve('package.json'), 'utf8')) as {
  version: string;
};

/** The one tsup setup of every package: ESM + declarations from src/index.ts, Node 20. */
export const packageConfig = defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  define: { __PACKAGE_VERSION__: JSON.stringify(version) },
});
