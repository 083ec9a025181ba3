// What the GDAL reader learns from an opened dataset: its CRS, its variables
// (subdatasets) and how to choose one, NetCDF-style extra dimensions, band names.
import type { Dataset as GDALDataset, RasterBand as GDALRasterBand } from 'gdal-async';
import {
  dataTypeFromGdalName,
  OptionError,
  type BandInfo,
  type GeoTransform,
  type Grid,
  type OverviewLevel,
} from '@pyramids/core';

/** The CRS of a GDAL dataset as `EPSG:n` when GDAL identifies it, else WKT; null when none. */
export function crsOf(dataset: GDALDataset): string | null {
  const srs = dataset.srs;
  if (!srs) return null;
  const epsg = (candidate: typeof srs): string | undefined => {
    try {
      const code = candidate.getAuthorityCode(null);
      return candidate.getAuthorityName(null) === 'EPSG' && code ? `EPSG:${code}` : undefined;
    } catch {
      return undefined;
    }
  };
  const direct = epsg(srs);
  if (direct) return direct;
  try {
    // CF grid mappings and GRIB grids often lack an authority; identify one when GDAL can.
    const clone = srs.clone();
    clone.autoIdentifyEPSG();
    const identified = epsg(clone);
    if (identified) return identified;
  } catch {
    // not identifiable: keep the WKT
  }
  return srs.toWKT();
}

/** One variable of a multi-variable file, as GDAL lists it. */
export interface Subdataset {
  name: string;
  description: string;
}

/** The variables (subdatasets) GDAL lists for a dataset, in order. */
export function subdatasetsOf(dataset: GDALDataset): Subdataset[] {
  const metadata = (dataset.getMetadata('SUBDATASETS') ?? {}) as Record<string, string>;
  const list: Subdataset[] = [];
  for (let index = 1; metadata[`SUBDATASET_${index}_NAME`]; index += 1) {
    list.push({
      name: metadata[`SUBDATASET_${index}_NAME`]!,
      description: metadata[`SUBDATASET_${index}_DESC`] ?? '',
    });
  }
  return list;
}

/** The variable a subdataset name points at: `NETCDF:"f.nc":blue` → `blue`, `HDF5:"f.h5"://g/v` → `/g/v`. */
export function subdatasetVariable(name: string): string {
  const match = /^[A-Za-z0-9_]+:(?:"[^"]*"|[^:]*):(.*)$/.exec(name);
  return (match ? match[1]! : name).replace(/^\/(?=\/)/, '');
}

/** The subdataset named by `variable` (the only one when undefined); an OptionError listing them otherwise. */
export function pickSubdataset(
  subdatasets: Subdataset[],
  variable: string | undefined,
  describe: string,
): Subdataset {
  const names = subdatasets.map((subdataset) => subdatasetVariable(subdataset.name));
  if (variable === undefined) {
    if (subdatasets.length === 1) return subdatasets[0]!;
    throw new OptionError(
      `${describe} holds ${subdatasets.length} variables (${names.join(', ')}); choose one with readerOptions: { variable: '${names[0]}' }`,
      { plugin: 'gdal', details: { variables: names } },
    );
  }
  const wanted = variable.replace(/^\/+/, '');
  const found = subdatasets.find(
    (subdataset, index) =>
      subdataset.name === variable || names[index]!.replace(/^\/+/, '') === wanted,
  );
  if (!found) {
    throw new OptionError(
      `${describe} has no variable '${variable}'; it has: ${names.join(', ')}`,
      {
        plugin: 'gdal',
        details: { variables: names },
      },
    );
  }
  return found;
}

/** NetCDF-style extra dimensions (time, level, …) as GDAL reports them, with their values. */
export function dimensionsOf(
  metadata: Record<string, string>,
): Record<string, { values: number[]; units?: string }> {
  const extra = metadata.NETCDF_DIM_EXTRA;
  if (!extra) return {};
  const dimensions: Record<string, { values: number[]; units?: string }> = {};
  for (const name of extra
    .replace(/[{}]/g, '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const values = (metadata[`NETCDF_DIM_${name}_VALUES`] ?? '')
      .replace(/[{}]/g, '')
      .split(',')
      .filter((part) => part.trim() !== '')
      .map(Number);
    const units = metadata[`${name}#units`];
    dimensions[name] = { values, ...(units ? { units } : {}) };
  }
  return dimensions;
}

/** A band's name: its description, else its extra-dimension values (`time=3,level=2`). */
export function bandName(
  band: GDALRasterBand,
  metadata: Record<string, string>,
  dimensions: string[],
): string | undefined {
  if (band.description) return band.description;
  const parts = dimensions
    .filter((name) => metadata[`NETCDF_DIM_${name}`] !== undefined)
    .map((name) => `${name}=${metadata[`NETCDF_DIM_${name}`]}`);
  return parts.length > 0 ? parts.join(',') : undefined;
}

/** What a RasterSource says about a GDAL dataset: grid, overview levels, bands, block size, metadata. */
export interface GdalDatasetDescription {
  grid: Grid;
  levels: OverviewLevel[];
  bands: BandInfo[];
  blockSize: { width: number; height: number };
  metadata: Record<string, unknown>;
}

/** Describes an opened dataset; `chosen` is the variable opened and the variables of its file. */
export function describeGdalDataset(
  dataset: GDALDataset,
  chosen: { variable?: string; subdatasets: Subdataset[] },
): GdalDatasetDescription {
  const size = dataset.rasterSize;
  const transform = (dataset.geoTransform ?? [0, 1, 0, 0, 0, 1]) as GeoTransform;
  const grid: Grid = { crs: crsOf(dataset), transform, width: size.x, height: size.y };
  const count = dataset.bands.count();
  const first = count > 0 ? dataset.bands.get(1) : undefined;
  const levels: OverviewLevel[] = [{ width: size.x, height: size.y, transform }];
  if (first) {
    for (let index = 0; index < first.overviews.count(); index += 1) {
      const overview = first.overviews.get(index).size;
      const scaleX = size.x / overview.x;
      const scaleY = size.y / overview.y;
      levels.push({
        width: overview.x,
        height: overview.y,
        transform: [
          transform[0],
          transform[1] * scaleX,
          transform[2] * scaleY,
          transform[3],
          transform[4] * scaleX,
          transform[5] * scaleY,
        ],
      });
    }
  }
  const datasetMetadata = (dataset.getMetadata() ?? {}) as Record<string, string>;
  const dimensions = dimensionsOf(datasetMetadata);
  const bandMetadata: Record<string, string>[] = [];
  const bands: BandInfo[] = [];
  for (let number = 1; number <= count; number += 1) {
    const band = dataset.bands.get(number);
    const metadata = (band.getMetadata() ?? {}) as Record<string, string>;
    bandMetadata.push(metadata);
    const info: BandInfo = { dataType: dataTypeFromGdalName(band.dataType ?? '') };
    if (band.noDataValue !== null && band.noDataValue !== undefined) info.nodata = band.noDataValue;
    if (band.scale !== null && band.scale !== undefined && band.scale !== 1)
      info.scale = band.scale;
    if (band.offset !== null && band.offset !== undefined && band.offset !== 0)
      info.offset = band.offset;
    const name = bandName(band, metadata, Object.keys(dimensions));
    if (name) info.name = name;
    if (band.unitType) info.unit = band.unitType;
    bands.push(info);
  }
  const block = first?.blockSize ?? { x: size.x, y: 1 };
  const blockSize = { width: block.x, height: block.y };
  const metadata: Record<string, unknown> = {
    driver: dataset.driver.description,
    variable: chosen.variable,
    ...(chosen.subdatasets.length > 0
      ? { variables: chosen.subdatasets.map((subdataset) => subdatasetVariable(subdataset.name)) }
      : {}),
    dimensions,
    datasetMetadata,
    bandMetadata,
  };
  return { grid, levels, bands, blockSize, metadata };
}
