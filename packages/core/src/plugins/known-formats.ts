// Which published plugin serves which media types and extensions. Used only to
// tell a user which package to install when no registered reader matches.
export interface KnownFormat {
  name: string;
  mediaTypes: string[];
  extensions: string[];
  packageNames: string[];
}

export const KNOWN_FORMATS: KnownFormat[] = [
  {
    name: 'GeoTIFF / COG',
    mediaTypes: ['image/tiff', 'image/geotiff', 'image/vnd.stac.geotiff'],
    extensions: ['.tif', '.tiff'],
    packageNames: ['@pyramids/readers-geotiff', '@pyramids/readers-gdal'],
  },
  { name: 'JPEG 2000', mediaTypes: ['image/jp2'], extensions: ['.jp2'], packageNames: ['@pyramids/readers-gdal'] },
  {
    name: 'NetCDF',
    mediaTypes: ['application/x-netcdf', 'application/netcdf'],
    extensions: ['.nc', '.nc4'],
    packageNames: ['@pyramids/readers-gdal'],
  },
  {
    name: 'GRIB',
    mediaTypes: ['application/wmo-grib2', 'application/x-grib'],
    extensions: ['.grib', '.grib2', '.grb', '.grb2'],
    packageNames: ['@pyramids/readers-gdal'],
  },
  {
    name: 'Zarr',
    mediaTypes: ['application/vnd+zarr', 'application/vnd.zarr'],
    extensions: ['.zarr'],
    packageNames: ['@pyramids/readers-gdal'],
  },
  {
    name: 'HDF',
    mediaTypes: ['application/x-hdf5', 'application/x-hdf'],
    extensions: ['.h5', '.hdf5', '.hdf', '.he5'],
    packageNames: ['@pyramids/readers-gdal'],
  },
  { name: 'GDAL VRT', mediaTypes: ['application/xml; gdal=vrt', 'application/x-gdal-vrt'], extensions: ['.vrt'], packageNames: ['@pyramids/core (vrtReader)', '@pyramids/readers-gdal'] },
];

/** Normalises a media type for matching: lower case, parameters dropped. */
export function normalizeMediaType(mediaType: string): string {
  return mediaType.split(';')[0]!.trim().toLowerCase();
}

/** The extension of an href, lower case with the dot (query, fragment and trailing `/` stripped). */
export function hrefExtension(href: string): string {
  let path = href.split(/[?#]/)[0]!;
  while (path.endsWith('/')) path = path.slice(0, -1);
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot).toLowerCase();
}

/** The known format of a media type or extension, if any. */
export function findKnownFormat(mediaType: string | undefined, extension: string): KnownFormat | undefined {
  const normalized = mediaType ? normalizeMediaType(mediaType) : undefined;
  return (
    (normalized ? KNOWN_FORMATS.find((format) => format.mediaTypes.some((type) => normalized.startsWith(normalizeMediaType(type)))) : undefined) ??
    KNOWN_FORMATS.find((format) => format.extensions.includes(extension))
  );
}
