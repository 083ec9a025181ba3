// The cube's bands: per asset, the source type/nodata/scale/offset (from the first
// Item, else its header) and the output type and nodata the options ask for.
import type { DataType } from '../raster/data-type.js';
import { isFloatType } from '../raster/data-type.js';
import type { StacItem } from '../stac/stac-types.js';
import { commonDataType } from './common-data-type.js';
import type { CubeOptions } from './cube-options.js';
import type { CubeBand } from './cube-plan.js';
import type { ItemAssetLookup } from './item-asset-lookup.js';
import { withoutUndefined } from '../util/without-undefined.js';

/**
 * One band per asset, as the first Item (or its header) describes it: the output type is
 * `dtype`, else float32 with `rescale`, uint16 for `count`, else the sources' common type;
 * the output nodata is `nodata`, else NaN with `rescale`, 0 for `count`, else the source's
 * (NaN for floats and 0 for integers without one).
 */
export async function resolveBands(
  items: StacItem[],
  assets: string[],
  options: Pick<CubeOptions, 'dtype' | 'nodata' | 'rescale'> & { method: string },
  lookup: ItemAssetLookup,
): Promise<CubeBand[]> {
  const first = items[0]!;
  const sourceBands = await Promise.all(
    assets.map(async (asset) => {
      const band = lookup.metadataOf(first, asset).bands[0];
      if (band?.dataType)
        return {
          dataType: band.dataType,
          nodata: band.nodata,
          scale: band.scale,
          offset: band.offset,
          unit: band.unit,
        };
      const info = (await lookup.header(first, asset)).bands[0]!;
      return {
        dataType: info.dataType,
        nodata: band?.nodata ?? info.nodata,
        scale: band?.scale ?? info.scale,
        offset: band?.offset ?? info.offset,
        unit: band?.unit ?? info.unit,
      };
    }),
  );
  const counting = options.method === 'count';
  const dataType: DataType =
    options.dtype ??
    (options.rescale
      ? 'float32'
      : counting
        ? 'uint16'
        : commonDataType(sourceBands.map((band) => band.dataType)));
  return assets.map((asset, index) => {
    const source = sourceBands[index]!;
    let nodata = options.nodata ?? (options.rescale ? Number.NaN : counting ? 0 : source.nodata);
    if (nodata === undefined || (Number.isNaN(nodata) && !isFloatType(dataType)))
      nodata = isFloatType(dataType) ? Number.NaN : 0;
    const band: CubeBand = {
      name: asset,
      asset,
      dataType,
      nodata,
      scale: options.rescale ? 1 : (source.scale ?? 1),
      offset: options.rescale ? 0 : (source.offset ?? 0),
      source: withoutUndefined({
        dataType: source.dataType,
        nodata: source.nodata,
        scale: source.scale,
        offset: source.offset,
      }),
    };
    if (source.unit) band.unit = source.unit;
    return band;
  });
}
