// Absurd options and unwritable outputs: refused before any work, in one typed line,
// with nothing written anywhere.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StacItem } from '@pyramids/core';
import { createCubeScene } from '../../../core/src/test-support/cube-scene.js';
import { startRangeServer, type RangeServer } from '../../../../test-support/range-server.js';
import { runCli } from '../run-cli-for-tests.js';

let scratch: string;
let output: string;
let server: RangeServer;
let itemsFile: string;

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-cube-hostile-'));
  const scene = createCubeScene(scratch);
  server = await startRangeServer(scratch);
  const items: StacItem[] = scene
    .items(server.url)
    .filter((item) => item.properties['proj:epsg'] === 32632);
  itemsFile = path.join(scratch, 'items.json');
  writeFileSync(itemsFile, JSON.stringify({ type: 'FeatureCollection', features: items }));
  output = path.join(scratch, 'out');
  mkdirSync(output);
});
afterAll(async () => {
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const base = () => ['cube', itemsFile, '--asset', 'B04'];

describe('pyramids cube refuses bad options before any work', () => {
  it.each([
    [['--nodata', 'abc', '--dry-run'], /--nodata needs a number/],
    [['--dtype', 'float128', '--dry-run'], /--dtype must be one of/],
    [['--dtype', 'uint16', '--nodata', '99999999', '--dry-run'], /does not fit uint16/],
    [['--dtype', 'uint8', '--nodata', '1.5', '--dry-run'], /does not fit uint8/],
    [
      ['--crs', 'EPSG:32632', '--resolution', '1e308', '--dry-run'],
      /--resolution 1e308 is larger than the Earth/,
    ],
    [
      ['--crs', 'EPSG:32632', '--resolution', 'NaN', '--dry-run'],
      /--resolution needs a positive number/,
    ],
    [['--bbox', '-200,-100,200,100', '--dry-run'], /--bbox is west,south,east,north in degrees/],
    [['-o', '/dev/full'], /-o \/dev\/full is a character device, not a file/],
    [['-o', '/nonexistent-folder/cube.tif'], /its folder \/nonexistent-folder does not exist/],
  ])('%j', async (extra, message) => {
    server.requests.length = 0;
    const result = await runCli([...base(), ...extra]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/^pyramids: (OptionError|WriteError): /);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(server.requests).toEqual([]); // no pixel, no header was read
  });

  it('checks --preview before writing the GeoTIFF, so no half of the output is left', async () => {
    const target = path.join(output, 'cube.tif');
    const result = await runCli([
      ...base(),
      '-o',
      target,
      '--preview',
      '/nonexistent-folder/preview.png',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--preview .* does not exist/);
    expect(readdirSync(output)).toEqual([]);
  });
});

describe('printed errors', () => {
  it('escape control characters, so an href cannot add a line', async () => {
    const hostile = path.join(scratch, 'hostile.json');
    const item = JSON.parse(JSON.stringify({ type: 'FeatureCollection', features: [] })) as {
      features: unknown[];
    };
    item.features.push({
      type: 'Feature',
      stac_version: '1.0.0',
      id: 'x',
      geometry: null,
      bbox: [0, 0, 1, 1],
      properties: { datetime: '2024-01-01T00:00:00Z' },
      links: [],
      assets: {
        B04: { href: `${server.url}/missing\r\nHost: evil\u001b[31m.tif`, type: 'image/tiff' },
      },
    });
    writeFileSync(hostile, JSON.stringify(item));
    const result = await runCli([
      'cube',
      hostile,
      '--asset',
      'B04',
      '--crs',
      'EPSG:4326',
      '--resolution',
      '0.5',
      '-o',
      path.join(output, 'x.tif'),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toContain('\u001b');
    expect(result.stderr).toContain('\\r\\nHost: evil');
    expect(readdirSync(output)).toEqual([]);
  });
});
