// What `pyramids --help` lists, without importing any command's code (cold start).
// `main-help.test.ts` checks that this equals the full program's own help, so a
// command added or renamed in `program.ts` must be added or renamed here too.

/** One subcommand as the top-level help lists it. */
export interface CommandSummary {
  name: string;
  /** The usage term commander prints for it: name, `[options]`, arguments. */
  term: string;
  description: string;
}

/** Every subcommand of `pyramids`, in the order `createProgram` registers them. */
export const COMMAND_SUMMARIES: readonly CommandSummary[] = [
  {
    name: 'info',
    term: 'info [options] <items>',
    description:
      "print what an Item's STAC extension fields say about an asset (CRS, grid, bands), reading no pixels",
  },
  {
    name: 'read',
    term: 'read [options] <source>',
    description:
      'read one asset of an Item, or a raster path/URL (--variable picks a NetCDF/HDF5 variable), and write the (windowed) pixels as a GeoTIFF',
  },
  {
    name: 'cube',
    term: 'cube [options] <items>',
    description:
      'stack STAC Items into a time × band × y × x cube on one grid and write it as GeoTIFF',
  },
  {
    name: 'search',
    term: 'search [options] <url>',
    description: 'search a STAC API for Items; prints an ItemCollection as JSON',
  },
  {
    name: 'sign',
    term: 'sign [options] <href>',
    description:
      'print an href signed for reading (SAS token, s3:// → HTTPS URL); the output carries the credential',
  },
  {
    name: 'item',
    term: 'item [options] <raster>',
    description:
      'describe a raster as a STAC Item (projection and raster extensions, footprint in EPSG:4326)',
  },
  {
    name: 'download',
    term: 'download [options] <items>',
    description:
      'download the assets of STAC Items to local files (verified, restartable) and write the Items with local hrefs',
  },
  {
    name: 'vrt',
    term: 'vrt [options] <items>',
    description:
      'write a GDAL VRT mosaic of one asset of the Items (opens in GDAL and QGIS; `pyramids read` reads it lazily)',
  },
  { name: 'parquet', term: 'parquet', description: 'write and read stac-geoparquet files' },
  {
    name: 'point',
    term: 'point [options]',
    description:
      'search a STAC API around a point and write an edge-size × edge-size cube in the local UTM zone as GeoTIFF',
  },
  {
    name: 'collections',
    term: 'collections [options] <url>',
    description:
      'list or search the collections of a STAC API (collection search), or print its queryables',
  },
  {
    name: 'point-values',
    term: 'point-values [options] <items>',
    description:
      'values of an asset of each Item at lon/lat points (a time series across Items), as JSON',
  },
  {
    name: 'worker',
    term: 'worker [options] <redis-url>',
    description:
      'compute cube chunks queued by `pyramids cube --queue` (run any number, on any machines)',
  },
];
