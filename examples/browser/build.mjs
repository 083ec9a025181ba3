// Builds the browser example with esbuild: dist/index.html, dist/main.js, dist/chunk-worker.js.
//   node examples/browser/build.mjs [--epsg-base=<URL of epsg-index/s/>]
// Workspace packages resolve to their sources, so no package build is needed first.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const here = import.meta.dirname;
const root = path.resolve(here, '../..');

/** Where the page imports EPSG definitions from by default (the epsg-index package on a CDN). */
export const DEFAULT_EPSG_BASE = 'https://cdn.jsdelivr.net/npm/epsg-index@2.0.0/s/';

async function workspaceAliases() {
  const aliases = {};
  for (const folder of await readdir(path.join(root, 'packages'))) {
    const manifest = path.join(root, 'packages', folder, 'package.json');
    const { name } = JSON.parse(await readFile(manifest, 'utf8').catch(() => '{}'));
    if (name) aliases[name] = path.join(root, 'packages', folder, 'src/index.ts');
  }
  return aliases;
}

/**
 * Builds the page into `outdir`. `epsgBase` is where the import map sends
 * `epsg-index/s/<code>.json` (the per-code EPSG definitions core imports lazily).
 * Returns the output directory, the bytes of JavaScript written (all chunks) and esbuild's metafile.
 */
export async function buildBrowserExample({
  outdir = path.join(here, 'dist'),
  epsgBase = DEFAULT_EPSG_BASE,
} = {}) {
  await mkdir(outdir, { recursive: true });
  const result = await build({
    entryPoints: {
      main: path.join(here, 'src/main.ts'),
      'chunk-worker': path.join(here, 'src/chunk-worker.ts'),
    },
    outdir,
    // Lazy imports (geotiff.js, its codecs, the Parquet library) become chunks loaded on first use.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    platform: 'browser',
    format: 'esm',
    // Browsers with import attributes (core imports EPSG definitions as JSON modules); an older target drops them.
    target: ['chrome123', 'edge123', 'firefox138', 'safari17.2'],
    minify: true,
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    alias: await workspaceAliases(),
  });
  const html = (await readFile(path.join(here, 'index.html'), 'utf8')).replace(
    '__EPSG_BASE__',
    epsgBase,
  );
  await writeFile(path.join(outdir, 'index.html'), html);
  const bytes = Object.entries(result.metafile.outputs)
    .filter(([file]) => file.endsWith('.js'))
    .reduce((total, [, output]) => total + output.bytes, 0);
  return { outdir, bytes, metafile: result.metafile };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const epsgBase = process.argv
    .find((argument) => argument.startsWith('--epsg-base='))
    ?.slice('--epsg-base='.length);
  const { outdir } = await buildBrowserExample(epsgBase ? { epsgBase } : {});
  console.log(
    `built ${path.relative(process.cwd(), outdir)}/index.html; serve that folder over HTTP and open it`,
  );
}
