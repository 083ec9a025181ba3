import { defineConfig } from 'tsup';
import { packageConfig } from '../../tsup.base.js';

// The default entry bundles for browsers; `/node` holds the file-system and thread work (issue 15);
// resample-thread is the script of `createResampleThreads`' worker threads.
export default defineConfig({
  ...packageConfig,
  entry: ['src/index.ts', 'src/node.ts', 'src/resample-thread.ts'],
});
