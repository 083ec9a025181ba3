// The example's Web Worker: runs the cube's chunk tasks with its own registry.
import { createRegistry, serveChunkTasks } from '@pyramids/core';
import { geotiffReader } from '@pyramids/readers-geotiff';

serveChunkTasks({ registry: createRegistry().use(geotiffReader()) });
