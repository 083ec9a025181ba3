#!/usr/bin/env node
// Compares the two browser-capable Parquet stacks for stac-geoparquet on the same
// Sentinel-2-like Items: hyparquet + hyparquet-writer (pure JS, what @pyramids/parquet
// uses) and parquet-wasm + apache-arrow (Rust compiled to WASM). Prints write time,
// read-to-Items time, file size, install size, and whether the Items come back equal.
// Run: pnpm --filter @pyramids/core --filter @pyramids/parquet build && node packages/parquet/bench/compare-libraries.mjs [count]
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  Binary,
  Bool,
  Field,
  Float64,
  List,
  Struct,
  Utf8,
  tableFromIPC,
  tableToIPC,
  Table,
  vectorFromArray,
} from 'apache-arrow';
import * as parquetWasm from 'parquet-wasm/esm/parquet_wasm.js';
import { sentinel2Items } from './sentinel-2-items.mjs';

const { toGeoParquetBuffer, readGeoParquet } = await import('../dist/index.js');
const require = createRequire(import.meta.url);
const count = Number(process.argv[2] ?? 1000);
const items = sentinel2Items(count);

const packageDir = (name) =>
  realpathSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../node_modules', name));
const sizeOf = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce((total, entry) => {
    const full = path.join(dir, entry.name);
    return (
      total +
      (entry.isDirectory()
        ? entry.name === 'node_modules'
          ? 0
          : sizeOf(full)
        : statSync(full).size)
    );
  }, 0);
const time = async (run) => {
  const start = performance.now();
  const result = await run();
  return [result, (performance.now() - start) / 1000];
};

// --- hyparquet + hyparquet-writer, through @pyramids/parquet ---
await readGeoParquet(await toGeoParquetBuffer(items.slice(0, 50)));
const [hyBytes, hyWrite] = await time(() => toGeoParquetBuffer(items));
const [hyItems, hyRead] = await time(() => readGeoParquet(hyBytes));
const hyEqual =
  isDeepStrictEqual(
    hyItems.map((item) => item.id),
    items.map((item) => item.id),
  ) && isDeepStrictEqual(hyItems[7].assets, items[7].assets);

// --- parquet-wasm + apache-arrow: the same rows, Arrow types inferred by apache-arrow ---
await parquetWasm.default({
  module_or_path: readFileSync(require.resolve('parquet-wasm/esm/parquet_wasm_bg.wasm')),
});
const toRow = (item) => ({
  type: item.type,
  stac_version: item.stac_version,
  stac_extensions: item.stac_extensions,
  id: item.id,
  bbox: { xmin: item.bbox[0], ymin: item.bbox[1], xmax: item.bbox[2], ymax: item.bbox[3] },
  links: item.links,
  assets: item.assets,
  collection: item.collection,
  ...item.properties,
});
const writeWasm = () => {
  const rows = items.map(toRow);
  const columns = {};
  for (const key of Object.keys(rows[0])) {
    const values = rows.map((row) => row[key] ?? null);
    columns[key] = vectorFromArray(values, arrowType(values));
  }
  const wkb = items.map((item) => {
    const ring = item.geometry.coordinates[0];
    const view = new DataView(new ArrayBuffer(13 + ring.length * 16));
    view.setUint8(0, 1);
    view.setUint32(1, 3, true);
    view.setUint32(5, 1, true);
    view.setUint32(9, ring.length, true);
    ring.forEach(([x, y], index) => {
      view.setFloat64(13 + index * 16, x, true);
      view.setFloat64(21 + index * 16, y, true);
    });
    return new Uint8Array(view.buffer);
  });
  columns.geometry = vectorFromArray(wkb, new Binary());
  const table = new Table(columns);
  const wasmTable = parquetWasm.Table.fromIPCStream(tableToIPC(table, 'stream'));
  return parquetWasm.writeParquet(
    wasmTable,
    new parquetWasm.WriterPropertiesBuilder()
      .setCompression(parquetWasm.Compression.SNAPPY)
      .build(),
  );
};
// apache-arrow cannot infer nested types from JSON, so infer them here (union of keys, lists by element).
function arrowType(values) {
  const present = values.filter((value) => value !== null && value !== undefined);
  const first = present[0];
  if (first === undefined || typeof first === 'string') return new Utf8();
  if (typeof first === 'number') return new Float64();
  if (typeof first === 'boolean') return new Bool();
  if (Array.isArray(first)) return new List(new Field('element', arrowType(present.flat()), true));
  const keys = [...new Set(present.flatMap((value) => Object.keys(value)))];
  return new Struct(
    keys.map((key) => new Field(key, arrowType(present.map((value) => value[key] ?? null)), true)),
  );
}
const plain = (value) => {
  if (value === null || value === undefined) return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'object' || value instanceof Uint8Array) return value;
  if (
    typeof value.toArray === 'function' &&
    typeof value.get === 'function' &&
    !('toJSON' in value && !value.numChildren)
  )
    return [...value].map(plain);
  if (typeof value.toJSON === 'function') {
    const json = value.toJSON();
    if (Array.isArray(json)) return json.map(plain);
    return Object.fromEntries(
      Object.entries(json)
        .filter(([, entry]) => entry !== null)
        .map(([key, entry]) => [key, plain(entry)]),
    );
  }
  return value;
};
const readWasm = (bytes) => {
  const table = tableFromIPC(parquetWasm.readParquet(bytes).intoIPCStream());
  const names = table.schema.fields.map((field) => field.name);
  const vectors = names.map((name) => table.getChild(name));
  const out = [];
  for (let index = 0; index < table.numRows; index++) {
    const row = {};
    names.forEach((name, column) => (row[name] = plain(vectors[column].get(index))));
    out.push(row);
  }
  return out;
};
let wasmWrite;
let wasmRead;
let wasmBytes;
let wasmEqual = false;
try {
  readWasm(writeWasm());
  [wasmBytes, wasmWrite] = await time(writeWasm);
  let rows;
  [rows, wasmRead] = await time(() => readWasm(wasmBytes));
  wasmEqual =
    isDeepStrictEqual(
      rows.map((row) => row.id),
      items.map((item) => item.id),
    ) && isDeepStrictEqual(rows[7].assets, items[7].assets);
} catch (error) {
  console.log(`parquet-wasm + apache-arrow failed: ${error.message}`);
}

const mb = (bytes) => `${(bytes / 1e6).toFixed(2)} MB`;
console.log(`${count} Sentinel-2-like Items (Node ${process.version})`);
console.log(
  'library                          write      read→Items  file       install     round trip',
);
console.log(
  `hyparquet ${'+ hyparquet-writer'.padEnd(22)} ${hyWrite.toFixed(2).padStart(6)} s  ${hyRead.toFixed(2).padStart(7)} s  ${mb(hyBytes.length).padStart(9)}  ${mb(sizeOf(packageDir('hyparquet')) + sizeOf(packageDir('hyparquet-writer')) + sizeOf(packageDir('hyparquet-compressors'))).padStart(9)}  ${hyEqual ? 'equal' : 'DIFFERENT'}`,
);
if (wasmWrite !== undefined) {
  console.log(
    `parquet-wasm ${'+ apache-arrow'.padEnd(19)} ${wasmWrite.toFixed(2).padStart(6)} s  ${wasmRead.toFixed(2).padStart(7)} s  ${mb(wasmBytes.length).padStart(9)}  ${mb(statSync(require.resolve('parquet-wasm/esm/parquet_wasm_bg.wasm')).size + statSync(path.join(packageDir('apache-arrow'), 'Arrow.es2015.min.js')).size).padStart(9)}  ${wasmEqual ? 'equal' : 'DIFFERENT'}`,
  );
}
