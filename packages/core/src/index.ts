// @pyramids/core: the contracts every plugin is built against, and the shared machinery.

export { PLUGIN_API_VERSION, type PluginApiVersion } from './version.js';

// Errors
export {
  PyramidsError,
  type PyramidsErrorOptions,
  StacAssetError,
  UnsupportedAssetError,
  AlignmentError,
  SearchError,
  SignerError,
  ReadError,
  IncompatiblePluginError,
  GridError,
  WriteError,
  OptionError,
  isAbortError,
  throwIfAborted,
} from './errors/index.js';

// STAC
export type { StacItem, StacAsset, StacLink, ItemCollection, ItemsInput, Geometry } from './stac/stac-types.js';
export {
  asItem,
  toPlainJSON,
  itemId,
  itemCollection,
  itemBbox,
  itemDatetime,
  itemProperty,
  assetKeys,
  getAsset,
  hasAsset,
  assetHref,
  assetMediaType,
  assetRoles,
  assetField,
  itemSelfHref,
  isAbsoluteHref,
  resolveAssetHref,
} from './stac/accessors.js';
export { toItems, toItemCollection, parseItemsText } from './stac/items.js';

// Plugins
export type {
  PluginBase,
  Plugin,
  ReaderPlugin,
  ReaderImplementation,
  ReaderContext,
  CodecPlugin,
  CodecImplementation,
  WriterPlugin,
} from './plugins/plugin-types.js';
export { createRegistry, type Registry, type ReaderQuery, type ReaderChoice } from './plugins/registry.js';
export { hrefExtension, normalizeMediaType, KNOWN_FORMATS, type KnownFormat } from './plugins/known-formats.js';

// Signers
export { type Signer, type SignableRequest, signHrefWith, headersFor } from './signers/signer.js';
export { anonymousSigner } from './signers/anonymous-signer.js';
export { redactHref } from './signers/redact.js';

// Rasters
export type { DataType, TypedArray } from './raster/data-type.js';
export { typedArrayFor, allocateArray, dataTypeOf, bytesPerSample, isFloatType } from './raster/data-type.js';
export type { RasterSource, BandInfo, PixelWindow, OverviewLevel, ReadRequest } from './raster/raster-source.js';

// Grid and CRS
export {
  type GeoTransform,
  affineToGeotransform,
  geotransformToAffine,
  pixelToWorld,
  worldToPixel,
  invertGeotransform,
  isNorthUp,
} from './grid/geotransform.js';
export {
  type Grid,
  type Bounds,
  DEFAULT_MAX_PIXELS,
  gridBounds,
  gridResolution,
  snapBounds,
  gridFromBounds,
  checkGridSize,
  xCoordinates,
  yCoordinates,
  gridsEqual,
} from './grid/grid.js';
export {
  normalizeCrs,
  epsgCode,
  ensureCrs,
  isGeographic,
  crsName,
  crsWkt,
  createTransformer,
  transformBounds,
  utmZoneEpsg,
} from './grid/crs.js';

// HTTP
export { httpRequest, parseRetryAfter, responseSnippet, type HttpRequestOptions, type HeadersSource } from './http/http-request.js';

// Metadata and datasets
export {
  readExtensionMetadata,
  parseNodata,
  type ExtensionMetadata,
  type BandMetadata,
} from './stac/extension-metadata.js';
export { Dataset, type DatasetReadOptions, type DatasetReadResult } from './dataset/dataset.js';
export { openRaster, loadAsset, whichEngine, type OpenRasterOptions, type LoadAssetOptions } from './dataset/load-asset.js';

// VRT mosaics: STAC Items → GDAL VRT, the pure-JS VRT reader, href ↔ GDAL path
export { hrefToGDALPath, gdalPathToHref, parseVSICurlOptions, vsicurlPathWithHeaders } from './vrt/gdal-path.js';
export {
  type VRTDocument,
  type VRTBand,
  type VRTSource,
  type VRTRect,
  writeVrtXml,
  parseVrtXml,
  gdalDataTypeName,
  dataTypeFromGDALName,
} from './vrt/vrt-document.js';
export { VRTRasterSource, resolveVrtSource, type VRTSourceOptions } from './vrt/vrt-raster-source.js';
export { vrtReader, type VRTReaderOptions } from './vrt/vrt-reader.js';
export {
  buildVrtFromStac,
  buildVrtDocument,
  writeFileAtomic,
  type BuildVRTOptions,
  type VRTBuildResult,
  type SkippedVRTSource,
} from './vrt/build-vrt-from-stac.js';
