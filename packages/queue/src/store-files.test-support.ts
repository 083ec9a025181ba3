// Test support: every file of a store directory, keyed by its store key (`/`-separated), to compare two stores byte for byte.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** Store key → bytes of every file under `root`. */
export async function storeFiles(root: string): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else found.set(path.relative(root, full).split(path.sep).join('/'), await readFile(full));
    }
  };
  await walk(root);
  return found;
}
