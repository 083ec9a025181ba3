// Bundle size of core + the GeoTIFF reader + search for a browser page (issue 15):
// the built packages bundled by esbuild for platform=browser, minified, code-split at
// the lazy imports, each chunk gzipped. Prints the page's first load and what opening
// a COG adds; codecs (loaded per compression) and EPSG data (geotiff-geokeys-to-proj4's
// tables, for files whose CRS has no EPSG code) separately. Aim (issue 15): ≤ 150 kB.
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '../../..');
const entry = `
import { createRegistry, search, openRaster, DatasetCollection } from '@pyramids/core';
import { geotiffReader } from '@pyramids/readers-geotiff';
export { createRegistry, search, openRaster, DatasetCollection, geotiffReader };
`;
const result = await build({
  stdin: { contents: entry, resolveDir: root, loader: 'js' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome123', 'firefox138', 'safari17.2'],
  minify: true,
  write: false,
  metafile: true,
  outdir: path.join(root, 'out/bundle-size'),
  logLevel: 'error',
  alias: {
    '@pyramids/core': path.join(root, 'packages/core/dist/index.js'),
    '@pyramids/readers-geotiff': path.join(root, 'packages/readers-geotiff/dist/index.js'),
  },
});

const kilobytes = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;
const chunks = Object.entries(result.metafile.outputs)
  .filter(([file]) => file.endsWith('.js'))
  .map(([file, output]) => {
    const text =
      result.outputFiles.find((outputFile) => outputFile.path === path.resolve(file))?.contents ??
      new Uint8Array();
    const inputs = Object.entries(output.inputs)
      .map(([input, info]) => [path.resolve(input), info])
      .sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput);
    const packageOf = (input) =>
      /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ??
      input.replace(/^.*packages\/([^/]+)\/.*$/, '@pyramids/$1');
    return {
      file,
      output,
      gzip: gzipSync(text, { level: 9 }).byteLength,
      main: packageOf(inputs[0]?.[0] ?? ''),
    };
  });

// What a chunk pulls in with it: itself and its static imports, transitively.
const byFile = new Map(chunks.map((chunk) => [chunk.file, chunk]));
const closure = (file, into = new Set()) => {
  if (!file || into.has(file)) return into;
  into.add(file);
  for (const imported of byFile.get(file)?.output.imports ?? [])
    if (imported.kind === 'import-statement') closure(imported.path, into);
  return into;
};
const sum = (files) => [...files].reduce((total, file) => total + (byFile.get(file)?.gzip ?? 0), 0);
const initial = closure(chunks.find((chunk) => chunk.output.entryPoint === '<stdin>')?.file);
// Opening a COG loads the reader's heavy half (geotiff.js); its codecs load per compression used.
const reader = closure(
  chunks.find((chunk) => chunk.output.entryPoint?.includes('geotiff-reader-impl'))?.file,
);
const opened = new Set([...initial, ...reader]);
const epsgData = new Set(
  chunks.filter((chunk) => chunk.main === 'geotiff-geokeys-to-proj4').map((chunk) => chunk.file),
);
const codecs = new Set(
  chunks
    .filter((chunk) => !opened.has(chunk.file) && !epsgData.has(chunk.file))
    .map((chunk) => chunk.file),
);

console.log(
  'browser bundle of core + geotiff reader + search (esbuild, minified, code-split, gzip -9):',
);
for (const chunk of [...chunks].sort((a, b) => b.gzip - a.gzip)) {
  const role = initial.has(chunk.file)
    ? 'first load'
    : opened.has(chunk.file)
      ? 'open a COG'
      : epsgData.has(chunk.file)
        ? 'EPSG data'
        : 'codec';
  console.log(`  ${kilobytes(chunk.gzip).padStart(9)}  ${role.padEnd(10)}  mostly ${chunk.main}`);
}
console.log(
  `first load: ${kilobytes(sum(initial))}; after opening a COG: ${kilobytes(sum(opened))} (aim ≤ 150 kB, without EPSG data)`,
);
console.log(
  `loaded only when needed: codecs (per compression) ${kilobytes(sum(codecs))}; EPSG data of geotiff-geokeys-to-proj4 ${kilobytes(sum(epsgData))}`,
);
