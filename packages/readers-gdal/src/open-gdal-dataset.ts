// Opens one GDAL path as the dataset to read: with the caller's open options and
// drivers, then the chosen variable (subdataset) of a multi-variable file.
import type { Dataset as GDALDataset } from 'gdal-async';
import { OptionError, ReadError } from '@pyramids/core';
import {
  pickSubdataset,
  subdatasetVariable,
  subdatasetsOf,
  type Subdataset,
} from './gdal-dataset-info.js';
import type { GdalOpenOptions } from './gdal-reader.js';
import type { GdalModule } from './load-gdal.js';

/** An opened dataset, the variables its file lists, and the one chosen. */
export interface OpenedGdalDataset {
  dataset: GDALDataset;
  subdatasets: Subdataset[];
  /** The variable opened, when the file has several. */
  variable?: string;
}

async function openDataset(
  gdal: GdalModule,
  path: string,
  openOptions: GdalOpenOptions,
): Promise<GDALDataset> {
  if (openOptions.openOptions && Object.keys(openOptions.openOptions).length > 0) {
    let driverName = openOptions.drivers?.[0];
    if (!driverName) {
      const probe = await gdal.openAsync(path);
      driverName = probe.driver.description;
      probe.close();
    }
    const list = Object.entries(openOptions.openOptions).map(([name, value]) => `${name}=${value}`);
    return gdal.drivers.get(driverName).openAsync(path, 'r', list);
  }
  return openOptions.drivers?.length
    ? gdal.openAsync(path, 'r', openOptions.drivers)
    : gdal.openAsync(path);
}

/**
 * Opens `path` and, when the file holds variables, the one named `variable` (or the
 * only one). Run it under the access plan's GDAL options; `describe` names the raster
 * (redacted) in errors.
 */
export async function openGdalDataset(
  gdal: GdalModule,
  path: string,
  openOptions: GdalOpenOptions,
  variable: string | undefined,
  describe: string,
): Promise<OpenedGdalDataset> {
  let dataset = await openDataset(gdal, path, openOptions);
  const subdatasets = subdatasetsOf(dataset);
  let chosen: string | undefined;
  if (subdatasets.length > 0 && (variable !== undefined || dataset.bands.count() === 0)) {
    const subdataset = pickSubdataset(subdatasets, variable, describe);
    dataset.close();
    dataset = await gdal.openAsync(subdataset.name);
    chosen = subdatasetVariable(subdataset.name);
  } else if (variable !== undefined) {
    dataset.close();
    throw new OptionError(
      `${describe} has no variables (subdatasets) to choose '${variable}' from; drop the variable option`,
      { plugin: 'gdal' },
    );
  }
  if (dataset.bands.count() === 0) {
    dataset.close();
    throw new ReadError(
      `${describe} opened with GDAL (${dataset.driver.description}) but has no raster bands`,
      { plugin: 'gdal' },
    );
  }
  return { dataset, subdatasets, ...(chosen ? { variable: chosen } : {}) };
}
