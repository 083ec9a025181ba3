import { defineConfig } from 'tsup';
import { packageConfig } from '../../tsup.base.js';

// A second entry for the `pyramids` binary: `main` imports command code lazily, and
// splitting keeps that code in chunks `pyramids --help` never loads.
export default defineConfig({
  ...(packageConfig as object),
  // chunk-worker: the script of `cube --workers`'s worker threads.
  entry: ['src/index.ts', 'src/main.ts', 'src/chunk-worker.ts'],
  splitting: true,
  // commander is CommonJS: bundled, it loads as part of an ES module chunk, without Node's
  // CommonJS loader and export scan (~10 ms of `pyramids --help`'s cold start).
  noExternal: ['commander'],
  // Its require('events') etc., in an ES module: through a real require.
  banner: {
    js: "import { createRequire as pyramidsCreateRequire } from 'node:module';\nconst require = pyramidsCreateRequire(import.meta.url);",
  },
});
