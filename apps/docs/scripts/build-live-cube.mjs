// Bundles the live page's code (live/live-cube.ts with @pyramids/core and @pyramids/readers-geotiff,
// browser entries) into public/live/, and copies the bundled sample data beside it, so the built
// site serves everything the page reads. Workspace packages resolve to their sources.
import { cp, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

const siteRoot = path.resolve(import.meta.dirname, '..');
const repositoryRoot = path.resolve(siteRoot, '../..');

async function workspaceSources() {
  const aliases = {};
  for (const folder of await readdir(path.join(repositoryRoot, 'packages'))) {
    const manifest = path.join(repositoryRoot, 'packages', folder, 'package.json');
    const { name } = JSON.parse(await readFile(manifest, 'utf8').catch(() => '{}'));
    if (name) aliases[name] = path.join(repositoryRoot, 'packages', folder, 'src/index.ts');
  }
  return aliases;
}

/** Writes public/live/live-cube.js (+ lazily loaded chunks) and public/live/sample-data/. */
export async function buildLiveCube() {
  const outdir = path.join(siteRoot, 'public/live');
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  await build({
    entryPoints: { 'live-cube': path.join(siteRoot, 'live/live-cube.ts') },
    outdir,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: ['chrome123', 'edge123', 'firefox138', 'safari17.2'],
    minify: true,
    logLevel: 'warning',
    alias: await workspaceSources(),
  });
  await cp(path.join(repositoryRoot, 'sample-data'), path.join(outdir, 'sample-data'), {
    recursive: true,
  });
  return outdir;
}
