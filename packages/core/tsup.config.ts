import { defineConfig } from 'tsup';
import { packageConfig } from '../../tsup.base.js';

// Two entries: the default one bundles for browsers; `/node` holds the file-system work (issue 15).
export default defineConfig({ ...packageConfig, entry: ['src/index.ts', 'src/node.ts'] });
