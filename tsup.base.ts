import { defineConfig } from 'tsup';

/** The one tsup setup of every package: ESM + declarations from src/index.ts, Node 20. */
export const packageConfig = defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
