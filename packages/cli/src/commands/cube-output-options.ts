// `pyramids cube` output: writer options from the flags, and the first time step kept for --preview.
import {
  allocateArray,
  OptionError,
  type CubeArray,
  type CubeWriteChunk,
  type CubeWriteOptions,
  type DatasetCollection,
  type DataType,
} from '@pyramids/core';
import type { CubeCommandOptions } from './cube-command.js';

/** Writer options from `--format`, `--compress`, `--predictor` and `--overviews`; checked against the output format and the cube's data type. */
export function writeOptionsFromFlags(
  flags: Pick<CubeCommandOptions, 'format' | 'compress' | 'predictor' | 'overviews' | 'output'>,
  dataType: DataType,
): CubeWriteOptions {
  const isZarr = flags.format
    ? flags.format.toLowerCase().startsWith('zarr')
    : /\.zarr[\\/]*$/i.test(flags.output ?? '');
  const compress = (flags.compress ?? 'deflate').toLowerCase();
  if (isZarr) {
    // Zarr chunks are gzip-compressed; no predictor there.
    if (compress !== 'deflate' && compress !== 'gzip' && compress !== 'none')
      throw new OptionError(
        `--compress ${flags.compress} is not supported for Zarr; use gzip or none`,
      );
    if (flags.predictor !== undefined)
      throw new OptionError('--predictor applies to GeoTIFF output only');
    if (flags.overviews) throw new OptionError('--overviews applies to GeoTIFF output only');
    return {
      format: flags.format || undefined,
      compression: compress === 'none' ? 'none' : 'gzip',
    };
  }
  if (compress !== 'deflate' && compress !== 'lzw' && compress !== 'none') {
    throw new OptionError(
      `--compress ${flags.compress} is not supported; use deflate, lzw or none`,
    );
  }
  const isFloat = dataType.startsWith('float');
  const predictor = (flags.predictor ?? (compress === 'none' ? 'no' : 'yes')).toLowerCase();
  const allowed: Record<string, boolean> = {
    yes: true,
    no: false,
    '1': false,
    [isFloat ? '3' : '2']: true,
  };
  if (!(predictor in allowed)) {
    throw new OptionError(
      `--predictor ${flags.predictor} does not fit ${dataType} pixels; use yes, no, 1 or ${isFloat ? 3 : 2}`,
    );
  }
  if (allowed[predictor] && compress === 'none')
    throw new OptionError(
      '--predictor needs compression; pass --compress deflate or --predictor no',
    );
  return {
    format: flags.format || undefined,
    compression: compress as 'deflate' | 'lzw' | 'none',
    predictor: allowed[predictor]!,
    overviews: flags.overviews === true,
  };
}

/** Collects the chunks of the first time step into a one-time-step array, for the preview. */
export function firstTimeStep(cube: DatasetCollection): {
  onChunk: (chunk: CubeWriteChunk) => void;
  array: CubeArray;
} {
  const [, bands, height, width] = cube.shape;
  const data = allocateArray(cube.dataType, bands * height * width);
  const onChunk = (chunk: CubeWriteChunk) => {
    if (chunk.time !== 0) return;
    chunk.data.forEach((values, band) => {
      for (let row = 0; row < chunk.window.height; row++) {
        const start = band * width * height + (chunk.window.y + row) * width + chunk.window.x;
        (data as Float64Array).set(
          (values as Float64Array).subarray(
            row * chunk.window.width,
            (row + 1) * chunk.window.width,
          ),
          start,
        );
      }
    });
  };
  const coords = cube.coords;
  return {
    onChunk,
    array: {
      data,
      shape: [1, bands, height, width],
      dims: ['time', 'band', 'y', 'x'],
      coords: { ...coords, time: coords.time.slice(0, 1) },
      grid: cube.grid,
    },
  };
}
