// Guide "Extension metadata": what an Item's proj/raster/eo fields say, with zero I/O.
import { readExtensionMetadata, type ExtensionMetadata, type StacItem } from '@pyramids/core';

/** The grid and band metadata of one asset, straight from the Item's JSON. */
export function describeAsset(item: StacItem, assetKey: string): ExtensionMetadata {
  // #region metadata
  const metadata = readExtensionMetadata(item, assetKey); // no request, no file opened
  console.log(metadata.crs, metadata.crsSource); // e.g. 'EPSG:32613' 'proj:epsg'
  console.log(metadata.shape, metadata.transform); // proj:shape [rows, cols], GDAL-order geotransform
  console.log(metadata.bands.map((band) => [band.nodata, band.scale, band.offset]));
  // #endregion metadata
  return metadata;
}
