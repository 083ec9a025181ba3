import { defineConfig } from 'tsup';
import { packageConfig } from '../../tsup.base.js';

// A second entry for the `pyramids` binary: `main` imports command code lazily, and
// splitting keeps that code in chunks `pyramids --help` never loads.
export default defineConfig({
  ...(packageConfig as object),
  // chunk-worker: the script of `cube --workers`'s worker threads.
  entry: ['src/index.ts', 'src/main.ts', 'src/chunk-worker.ts'],
  splitting: true,
});
