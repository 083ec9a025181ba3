// @pyramids/core: the contracts every plugin is built against, and the shared machinery.
// Kept in one file: this is the package's export list; split, it would hide what is public.

export { PLUGIN_API_VERSION, type PluginApiVersion } from './version.js';

// Errors
export {
  PyramidsError,
  type PyramidsErrorOptions,
  StacError,
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
  DownloadError,
  isAbortError,
  throwIfAborted,
} from './errors/index.js';

// STAC
export type {
  StacItem,
  StacAsset,
  StacLink,
  ItemCollection,
  ItemsInput,
  Geometry,
} from './stac/stac-types.js';
export {
  asItem,
  toPlainJson,
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
  ALLOW_LOCAL_VARIABLE,
} from './stac/accessors.js';
export { toItems, toItemCollection, parseItemsText } from './stac/items.js';
export {
  LabelledArray,
  labelArray,
  type LabelledAttrs,
  type IndexSelection,
  type LabelSelection,
  type IndexList,
  type IndexRange,
} from './cube/labelled-array.js';
export {
  applyBandConfig,
  checkBandConfig,
  type BandConfig,
  type BandOverride,
  type CollectionBandConfig,
} from './cube/band-config.js';
export {
  resolveAlternateHref,
  assetAlternates,
  type AlternateChoice,
  type AlternateHrefOptions,
} from './stac/alternate-href.js';

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
  WriterImplementation,
  WriterOptions,
  CubeWriteDescription,
  CubeWriteChunk,
  FuseFunction,
  FusePlugin,
} from './plugins/plugin-types.js';
export {
  createRegistry,
  type Registry,
  type ReaderQuery,
  type ReaderChoice,
} from './plugins/registry.js';
export { hrefExtension, normalizeMediaType } from './plugins/normalize-media-type.js';

// Signers
export {
  type Signer,
  type SignableRequest,
  type SignerDescription,
  type SignerEnvironment,
  signHrefWith,
  headersFor,
} from './signers/signer.js';
export { anonymousSigner } from './signers/anonymous-signer.js';
export { routingSigner } from './signers/routing-signer.js';
export { redactHref } from './signers/redact.js';

// Rasters
export type { DataType, TypedArray, WritableArray } from './raster/data-type.js';
export {
  typedArrayFor,
  allocateArray,
  dataTypeOf,
  bytesPerSample,
  isFloatType,
  INTEGER_RANGES,
} from './raster/data-type.js';
export type {
  RasterSource,
  BandInfo,
  PixelWindow,
  OverviewLevel,
  ReadRequest,
} from './raster/raster-source.js';

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
  loadCrs,
} from './grid/crs.js';
export {
  loadEpsgDefinition,
  loadedEpsgDefinitions,
  addEpsgDefinitions,
  type EpsgDefinition,
} from './grid/epsg-definitions.js';
// Node built-ins reached at call time, so the default entry bundles for browsers
export {
  nodeBuiltin,
  hasNodeBuiltins,
  fileUrlToPath,
  type NodeBuiltins,
} from './platform/node-builtin.js';

// HTTP
export {
  checkRequestUrl,
  httpRequest,
  httpRequestBytes,
  parseRetryAfter,
  responseSnippet,
  type HttpBytesResponse,
  type HttpRequestOptions,
  type HeadersSource,
} from './http/http-request.js';
export { MAX_JSON_BYTES_VARIABLE, MAX_JSON_DEPTH_VARIABLE } from './stac/json-limits.js';
export {
  DEFAULT_HTTP_TIMEOUT_SECONDS,
  HTTP_TIMEOUT_VARIABLE,
  defaultHttpTimeout,
  parseTimeoutSeconds,
} from './http/http-timeout.js';

// Metadata and datasets
export {
  readExtensionMetadata,
  parseNodata,
  type ExtensionMetadata,
  type BandMetadata,
} from './stac/extension-metadata.js';
export { Dataset, type DatasetReadOptions, type DatasetReadResult } from './dataset/dataset.js';
export {
  openRaster,
  loadAsset,
  whichEngine,
  type OpenRasterOptions,
  type LoadAssetOptions,
} from './dataset/load-asset.js';
export {
  readItemPoint,
  type ReadItemPointOptions,
  type PointValues,
} from './dataset/read-item-point.js';
export {
  readItemFeature,
  type ReadItemFeatureOptions,
  type FeatureRead,
} from './dataset/read-item-feature.js';

// Search: STAC API client, item search, CQL2 text, datetime, point AOI
export {
  openClient,
  StacApiClient,
  joinUrl,
  type OpenClientOptions,
  type StacCollection,
  type SearchEndpoint,
} from './search/stac-api-client.js';
export {
  itemSearch,
  search,
  ItemSearch,
  type SearchOptions,
  type SearchPage,
} from './search/item-search.js';
export type { SearchParameters, SortKey, FieldsSpec } from './search/search-parameters.js';
export { conformsToClass, conformanceUri, type ConformanceName } from './search/conformance.js';
export {
  searchCollections,
  CollectionSearch,
  type CollectionSearchOptions,
  type CollectionSearchPage,
} from './search/collection-search.js';
export { getQueryables, type GetQueryablesOptions } from './search/get-queryables.js';
export {
  formatDatetime,
  type DatetimeInput,
  type DatetimeComponent,
} from './search/format-datetime.js';
export { parseCql2Text, type Cql2Json } from './search/parse-cql2-text.js';
export type { TransportOptions } from './search/request-json.js';
export {
  pointAoi,
  pointSearchOptions,
  roundHalfEven,
  PLANETARY_COMPUTER_STAC_URL,
  type PointAoi,
  type PointAoiOptions,
  type PointSearchOptions,
} from './search/point-aoi.js';
// Signer building blocks: bearer tokens, token caches, host matching, S3 hrefs, signing Items
export {
  bearerTokenSigner,
  type BearerTokenSignerOptions,
  type BearerTokenSource,
} from './signers/bearer-token-signer.js';
export {
  oauthBearerSigner,
  type OAuthBearerSignerOptions,
  type OAuthTokenSource,
} from './signers/oauth-bearer-signer.js';
export {
  createTokenCache,
  type TokenCache,
  type TokenCacheOptions,
  type CachedToken,
} from './signers/token-cache.js';
export { matchHost } from './signers/match-host.js';
export { headerRecord } from './signers/header-record.js';
export {
  parseS3Href,
  parseS3Url,
  s3ObjectUrl,
  type S3Location,
  type S3Endpoint,
} from './signers/s3-href.js';
export { signItemAssets, signItemsWith } from './signers/sign-items.js';
export {
  escapeControlCharacters,
  quoteServerText,
  redactSecretLooking,
  redactSecrets,
  redactRequestSecrets,
  withoutSignedQuery,
} from './signers/redact.js';
// Writing GeoTIFF
export {
  writeGeoTiff,
  encodeGeoTiff,
  type WritableRaster,
  type WritableBand,
  type WriteGeoTiffOptions,
} from './write/geotiff-writer.js';
export {
  type GeoKeyDirectory,
  type GeoKeyEntry,
  type GeoKeyType,
  GEO_KEY_IDS,
  geoKeyDirectoryFromTags,
  geoKeyDirectoryFromParsed,
  geoKeysForEpsg,
  geoKeysForCrs,
  epsgForCrs,
} from './write/geo-key-directory.js';
export { type OverviewResampling } from './write/overviews.js';
export { parseGdalMetadata, gdalMetadataXml, type GdalMetadata } from './write/gdal-metadata.js';
export {
  openGeoTiffStream,
  type GeoTiffStream,
  type GeoTiffStreamChunk,
  type GeoTiffStreamDescription,
} from './write/geotiff-stream.js';
export { geotiffWriter } from './write/geotiff-writer-plugin.js';
export { zarrWriter } from './write/zarr-writer-plugin.js';
export type { ZarrWriteOptions } from './write/zarr-cube-writer.js';
export {
  zarrStoreLayout,
  zarrChunkKey,
  zarrChunkBytes,
  ZARR_DATA_TYPES,
  type ZarrStoreLayout,
  type ZarrChunkEncoding,
  type ZarrCompression,
} from './write/zarr-layout.js';
export { zlibOptions } from './write/deflate-tile.js';
// STAC Items from rasters
export { toStacItem, STAC_EXTENSION_SCHEMAS, type ToStacItemOptions } from './item/to-stac-item.js';
export {
  footprintFromRings,
  splitAtAntimeridian,
  type Footprint,
  type Position,
  type Ring,
} from './item/footprint.js';
export type { BandStatistics, BandHistogram } from './item/band-statistics.js';

// Safe outputs: never a partial file, never a device or directory replaced
export { checkOutputTarget, replaceWithTemporary } from './write/atomic-output.js';
// Downloads: Node only, in '@pyramids/core/node'
// VRT mosaics: STAC Items → GDAL VRT, the pure-JS VRT reader, href ↔ GDAL path
export {
  hrefToGdalPath,
  gdalPathToHref,
  parseVsiCurlOptions,
  vsicurlPathWithHeaders,
} from './vrt/gdal-path.js';
export {
  type VrtDocument,
  type VrtBand,
  type VrtSource,
  type VrtRect,
  writeVrtXml,
  parseVrtXml,
  gdalDataTypeName,
  dataTypeFromGdalName,
} from './vrt/vrt-document.js';
export {
  VrtRasterSource,
  resolveVrtSource,
  type VrtSourceOptions,
} from './vrt/vrt-raster-source.js';
export { vrtReader, type VrtReaderOptions } from './vrt/vrt-reader.js';
export {
  buildVrtFromStac,
  buildVrtDocument,
  writeFileAtomic,
  type BuildVrtOptions,
  type VrtBuildResult,
  type SkippedVrtSource,
} from './vrt/build-vrt-from-stac.js';

// Warp and cube: resampling onto a target grid, and the lazy time × band × y × x cube
export {
  type Resampling,
  RESAMPLING_METHODS,
  parseResampling,
  isAreaResampling,
} from './warp/resampling.js';
export {
  createPixelTransformer,
  DEFAULT_ERROR_THRESHOLD,
  type PixelTransformer,
  type PixelSpace,
} from './warp/approx-transformer.js';
export { chooseOverviewLevel } from './warp/choose-overview.js';
export { resampleWindow, kernelScale, type SourcePixels } from './warp/resample-window.js';
export {
  resampleRequest,
  type ResampleRequest,
  type ResamplePart,
  type Resampler,
} from './warp/resample-request.js';
export {
  warpRaster,
  planWarp,
  resamplePlanned,
  type WarpOptions,
  type WarpPlan,
  type WarpResult,
  type WarpSourceShape,
} from './warp/warp-raster.js';
export { DatasetCollection, type CubeRunOptions } from './cube/dataset-collection.js';
export {
  planCube,
  selectItems,
  checkCubePlan,
  type CubePlan,
  type CubeBand,
  type CubeTimeStep,
} from './cube/cube-plan.js';
export { checkCubeOptions, type CheckedCubeOptions } from './cube/check-cube-options.js';
export {
  chooseTargetGrid,
  parseAnchor,
  describeGrid,
  type GridAnchor,
} from './cube/choose-target-grid.js';
export { resolveBands } from './cube/resolve-bands.js';
export {
  CUBE_MASK_PRESETS,
  parseMaskOption,
  maskAssetOf,
  keptPixels,
  type CubeMask,
  type CubeMaskPreset,
  type MaskRule,
} from './cube/cube-mask.js';
export { planSources, type PlannedSource, type PlannedSources } from './cube/plan-sources.js';
export { planChunkTasks } from './cube/plan-chunk-tasks.js';
export { createItemAssetLookup, type ItemAssetLookup } from './cube/item-asset-lookup.js';
export type { CubeEstimate } from './cube/cube-estimate.js';
export type { CubeArray, CubeWriteOptions } from './cube/cube-write.js';
export {
  FUSE_METHODS,
  FUNCTION_FUSE,
  type FuseOption,
  type CubeOptions,
  type CubeReadOptions,
  type CubeProgress,
  type FuseMethod,
  type GroupBy,
} from './cube/cube-options.js';
export { fusePlugin } from './cube/fuse-pixels.js';
export {
  isItemIndex,
  itemsFromIndex,
  openItemIndex,
  type ItemIndex,
  type ItemIndexQuery,
  type IndexLookupStats,
} from './cube/item-index.js';
export { parseTimePeriod, periodOf, type TimePeriod } from './cube/time-periods.js';
export {
  runChunkTask,
  type ChunkTask,
  type ChunkSource,
  type ChunkResult,
  type ChunkContext,
  type ChunkMask,
} from './cube/chunk-task.js';
export { groupItems, solarDay, itemIntersectsBbox, type ItemGroup } from './cube/group-items.js';
// Chunk tasks on Web Workers
export {
  createWebWorkerPool,
  serveChunkTasks,
  type WebWorkerPool,
  type WebWorkerPoolOptions,
  type WorkerLike,
  type WorkerScopeLike,
} from './cube/web-worker-pool.js';

// Cube around a point: the options of DatasetCollection.fromPoint
export type { FromPointOptions } from './cube/from-point.js';
