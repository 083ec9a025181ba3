import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesDir } from '../../../../vitest.shared.js';
import { runCli } from '../run-cli-for-tests.js';

const items = path.join(fixturesDir, 'stac/items');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixture JSON is walked freely in assertions
function json(file: string): Record<string, any> {
  return JSON.parse(readFileSync(path.join(items, file), 'utf8'));
}

describe('pyramids info', () => {
  it('prints what an Earth Search Item says about an asset, field by field', async () => {
    const file = 'earth-search-v1/sentinel-2-c1-l2a_item-collection_10.json';
    const item = json(file).features[3];
    const result = await runCli([
      'info',
      path.join(items, file),
      '--asset',
      'nir',
      '--item',
      item.id,
    ]);
    expect(result.code).toBe(0);
    const info = JSON.parse(result.stdout);
    const asset = item.assets.nir;
    expect(info.item).toBe(item.id);
    expect(info.href).toBe(asset.href);
    expect(info.mediaType).toBe(asset.type);
    expect(info.crs).toBe(`EPSG:${item.properties['proj:epsg']}`);
    expect(info.shape).toEqual(asset['proj:shape']);
    const [a, b, c, d, e, f] = asset['proj:transform'];
    expect(info.transform).toEqual([c, a, b, f, d, e]);
    expect(info.bands[0]).toEqual({
      dataType: asset['raster:bands'][0].data_type,
      nodata: asset['raster:bands'][0].nodata,
      scale: asset['raster:bands'][0].scale,
      offset: asset['raster:bands'][0].offset,
      name: asset['eo:bands'][0].name,
    });
  });

  it('reads CDSE proj:code and STAC 1.1 bands', async () => {
    const file = 'cdse/sentinel-2-l2a_S2A_MSIL2A_20200301T090901_N0500_R050_T35UPU.json';
    const item = json(file);
    const result = await runCli(['info', path.join(items, file), '--asset', 'B05_20m']);
    const info = JSON.parse(result.stdout);
    expect(info.crs).toBe(item.assets.B05_20m['proj:code']);
    expect(info.crsSource).toBe('proj:code');
    expect(info.bandNames).toEqual(
      item.assets.B05_20m.bands.map((band: { name: string }) => band.name),
    );
  });

  it('prints non-finite nodata as the raster extension spells it', async () => {
    // The real Copernicus DEM Item, its asset given float32 bands with non-finite nodata
    // (no fixture carries one; JSON can only spell them as these strings).
    const item = json('planetary-computer/cop-dem-glo-30_4items.json')[0];
    item.assets.data['raster:bands'] = [
      { data_type: 'float32', nodata: 'nan' },
      { data_type: 'float32', nodata: '-inf' },
      { data_type: 'float32', nodata: 'inf' },
    ];
    const directory = mkdtempSync(path.join(tmpdir(), 'pyramids-info-'));
    try {
      const file = path.join(directory, 'item.json');
      writeFileSync(file, JSON.stringify(item));
      const result = await runCli(['info', file, '--asset', 'data']);
      expect(result.code).toBe(0);
      const info = JSON.parse(result.stdout);
      expect(info.crs).toBe('EPSG:4326');
      expect(info.bands.map((band: { nodata: unknown }) => band.nodata)).toEqual([
        'nan',
        '-inf',
        'inf',
      ]);
      expect(result.stdout).not.toMatch(/null|NaN|Infinity/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('a missing asset is one line naming the available keys, exit code 1', async () => {
    const file = path.join(items, 'earth-search-v1/sentinel-2-c1-l2a_item-collection_10.json');
    const result = await runCli(['info', file, '--asset', 'B99']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^pyramids: StacAssetError: asset 'B99' not found on item \S+; available: red, green/,
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--debug adds the stack', async () => {
    const result = await runCli(['info', '/nonexistent.json', '--debug']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot read Items from \/nonexistent\.json: ENOENT/);
    expect(result.stderr).toMatch(/at .*load-items/);
  });
});
