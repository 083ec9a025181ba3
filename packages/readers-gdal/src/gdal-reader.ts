import { PLUGIN_API_VERSION, type ReaderPlugin } from '@pyramids/core';

/** Options of the GDAL reader. */
export interface GdalReaderOptions {
  /**
   * Also serve GeoTIFF / COG (media types `image/tiff`, `image/geotiff`, extensions
   * `.tif`, `.tiff`). Off by default: @pyramids/readers-geotiff reads those in pure JS.
   */
  geotiff?: boolean;
  /** Also serve GDAL VRT files (`.vrt`, `application/x-gdal-vrt`); default true. */
  vrt?: boolean;
  /**
   * GDAL configuration options applied to every GDAL call of this reader (e.g.
   * `{ GDAL_HTTP_MAX_RETRY: '3' }`). Process-wide in GDAL: calls under different
   * options are run one set at a time (see the README).
   */
  config?: Record<string, string>;
  /** Rows × columns per GDAL read call; the abort signal is checked between calls (default 4 194 304 pixels). */
  pixelsPerRead?: number;
}

/** Per-open options, given as `readerOptions` to `openRaster` / `loadAsset`. */
export interface GdalOpenOptions {
  /**
   * Variable (subdataset) to read from a NetCDF, Zarr, HDF5 or other multi-variable file:
   * its name (`'blue'`, `'/group/var'`) or a full GDAL subdataset name (`NETCDF:"f.nc":blue`).
   * Needed when the file has more than one; the error lists them.
   */
  variable?: string;
  /** GDAL open options (`-oo`), e.g. `{ VARIABLES_AS_BANDS: 'YES' }`. */
  openOptions?: Record<string, string>;
  /** Restricts the GDAL drivers tried (e.g. `['netCDF']`). */
  drivers?: string[];
}

const MEDIA_TYPES = [
  'image/jp2',
  'image/jpx',
  'application/x-netcdf',
  'application/netcdf',
  'application/x-netcdf4',
  'application/wmo-grib',
  'application/wmo-grib2',
  'application/x-grib',
  'application/x-grib2',
  'application/vnd+zarr',
  'application/vnd.zarr',
  'application/x-zarr',
  'application/x-hdf5',
  'application/x-hdf',
  'application/x-hdf-eos',
];
const EXTENSIONS = ['.jp2', '.j2k', '.jpx', '.nc', '.nc4', '.cdf', '.grib', '.grib2', '.grb', '.grb2', '.zarr', '.h5', '.hdf5', '.hdf', '.he5', '.h4'];
const GEOTIFF_MEDIA_TYPES = ['image/tiff', 'image/geotiff', 'image/vnd.stac.geotiff'];
const GEOTIFF_EXTENSIONS = ['.tif', '.tiff'];

function startsWith(head: Uint8Array, bytes: readonly number[], offset = 0): boolean {
  return bytes.every((byte, index) => head[offset + index] === byte);
}
const ascii = (text: string) => [...text].map((character) => character.charCodeAt(0));

/** True when the first bytes look like a format this reader serves. */
export function sniffGdalFormat(head: Uint8Array, options: Pick<GdalReaderOptions, 'geotiff' | 'vrt'> = {}): boolean {
  if (startsWith(head, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20]) || startsWith(head, [0xff, 0x4f, 0xff, 0x51])) return true; // JP2, J2K
  if (startsWith(head, ascii('CDF')) && [1, 2, 5].includes(head[3]!)) return true; // NetCDF classic / 64-bit / CDF5
  if (startsWith(head, [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])) return true; // HDF5 (and NetCDF-4)
  if (startsWith(head, [0x0e, 0x03, 0x13, 0x01])) return true; // HDF4
  if (startsWith(head, ascii('GRIB'))) return true;
  if (options.vrt !== false && new TextDecoder().decode(head).trimStart().startsWith('<VRTDataset')) return true;
  if (options.geotiff) {
    return [[0x49, 0x49, 0x2a, 0x00], [0x4d, 0x4d, 0x00, 0x2a], [0x49, 0x49, 0x2b, 0x00], [0x4d, 0x4d, 0x00, 0x2b]].some((magic) => startsWith(head, magic));
  }
  return false;
}

/**
 * The GDAL reader plugin (gdal-async): JPEG 2000, NetCDF, GRIB, Zarr, HDF5 and VRT;
 * GeoTIFF too with `{ geotiff: true }`. Register with `registry.use(gdalReader())`.
 * Importing this costs nothing: gdal-async is loaded on the first open.
 */
export function gdalReader(options: GdalReaderOptions = {}): ReaderPlugin {
  const vrt = options.vrt !== false;
  return {
    kind: 'reader',
    id: 'gdal',
    apiVersion: PLUGIN_API_VERSION,
    packageName: '@pyramids/readers-gdal',
    mediaTypes: [...MEDIA_TYPES, ...(vrt ? ['application/x-gdal-vrt'] : []), ...(options.geotiff ? GEOTIFF_MEDIA_TYPES : [])],
    extensions: [...EXTENSIONS, ...(vrt ? ['.vrt'] : []), ...(options.geotiff ? GEOTIFF_EXTENSIONS : [])],
    sniff: (head) => sniffGdalFormat(head, options),
    load: async () => {
      const { createGdalReaderImplementation } = await import('./gdal-reader-impl.js');
      return createGdalReaderImplementation(options);
    },
  } satisfies ReaderPlugin;
}
