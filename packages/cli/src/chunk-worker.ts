// The script of `pyramids cube --workers N`'s worker threads: the CLI's readers and the
// plugins the command loaded, and signers rebuilt from this machine's environment, so a
// secret never crosses a thread. Started by cube-command.ts through createNodeWorkerPool.
import { workerData } from 'node:worker_threads';
import { serveChunkTasksInWorkerThread } from '@pyramids/core/node';
import { createDefaultRegistry } from './default-registry.js';
import { importPlugins } from './plugin-option.js';
import { createSignerFromDescription } from './signer-option.js';

/** What the command passes to each worker thread. */
export interface ChunkWorkerData {
  /** `--plugin` / PYRAMIDS_PLUGINS specifiers, and the directory they resolve from. */
  plugins: string[];
  cwd: string;
}

const data = workerData as ChunkWorkerData;
const registry = createDefaultRegistry();
for (const plugin of await importPlugins(data.plugins, data.cwd)) registry.use(plugin);
serveChunkTasksInWorkerThread({
  registry,
  resolveSigner: (description) => createSignerFromDescription(description),
  onWarning: (message) => process.stderr.write(`pyramids: warning: ${message}\n`),
});
