// Cube pixels with labels, as xarray users expect: `sel` by time label, band name and
// coordinate, `isel` by position, and `attrs` (CRS, transform, nodata, per-step properties).
import { OptionError } from '../errors/option-error.js';
import type { GeoTransform } from '../grid/geotransform.js';
import { xCoordinates, yCoordinates, type Grid } from '../grid/grid.js';
import { allocateArray, dataTypeOf, type TypedArray } from '../raster/data-type.js';
import type { CubeBand, CubeTimeStep } from './cube-plan.js';
import { withoutUndefined } from '../util/without-undefined.js';
import type { CubeArray } from './cube-write.js';

/** What describes the pixels beyond their coordinates. */
export interface LabelledAttrs {
  /** CRS of x and y (`EPSG:32632`, WKT), or null. */
  crs: Grid['crs'];
  /** GDAL geotransform of exactly these pixels. */
  transform: GeoTransform;
  /** Nodata of each band, in band order. */
  nodata: number[];
  /** Per band: name, output type, nodata, scale and offset still to apply, unit. */
  bands: Array<
    Pick<CubeBand, 'name' | 'dataType' | 'nodata' | 'scale' | 'offset'> & { unit?: string }
  >;
  /** Per time step: label, datetime (ISO) and the properties of the Items fused into it. */
  steps: Array<{ label: string; datetime?: string; items: CubeTimeStep['items'] }>;
}

/** Positions along time or band: one, or a list in the order wanted. Negative counts from the end. */
export type IndexList = number | readonly number[];
/** Positions along y or x: one, or `[start, stop)` (contiguous, so the result keeps a grid). */
export type IndexRange = number | readonly [number, number];

/** What `isel` selects; a dim left out is kept whole. */
export interface IndexSelection {
  time?: IndexList;
  band?: IndexList;
  y?: IndexRange;
  x?: IndexRange;
}

/** What `sel` selects by label: time labels, band names, and coordinates in the grid's CRS. */
export interface LabelSelection {
  time?: string | readonly string[];
  band?: string | readonly string[];
  /** One coordinate (the pixel that contains it) or `[from, to]` (every pixel centre between, inclusive). */
  y?: number | readonly [number, number];
  x?: number | readonly [number, number];
}

function indexList(value: IndexList | undefined, size: number, dim: string): number[] {
  if (value === undefined) return Array.from({ length: size }, (_, index) => index);
  return (typeof value === 'number' ? [value] : [...value]).map((index) => {
    const position = index < 0 ? size + index : index;
    if (!Number.isInteger(index) || position < 0 || position >= size)
      throw new OptionError(`isel: ${dim} index ${index} is outside 0..${size - 1}`);
    return position;
  });
}

function indexRange(value: IndexRange | undefined, size: number, dim: string): [number, number] {
  if (value === undefined) return [0, size];
  if (typeof value === 'number') {
    const [position] = indexList(value, size, dim);
    return [position!, position! + 1];
  }
  const [start, stop] = value;
  if (
    !Number.isInteger(start) ||
    !Number.isInteger(stop) ||
    start < 0 ||
    stop > size ||
    start >= stop
  ) {
    throw new OptionError(
      `isel: ${dim} range [${start}, ${stop}) is not a non-empty range within 0..${size}`,
    );
  }
  return [start, stop];
}

function labelIndices(
  wanted: string | readonly string[] | undefined,
  labels: string[],
  dim: string,
): number[] | undefined {
  if (wanted === undefined) return undefined;
  return (typeof wanted === 'string' ? [wanted] : [...wanted]).map((label) => {
    const index = labels.indexOf(label);
    if (index < 0)
      throw new OptionError(`sel: no ${dim} '${label}'; available: ${labels.join(', ')}`);
    return index;
  });
}

function coordinateRange(
  wanted: number | readonly [number, number] | undefined,
  centres: Float64Array,
  step: number,
  dim: string,
): [number, number] | undefined {
  if (wanted === undefined) return undefined;
  if (typeof wanted === 'number') {
    // The pixel whose extent holds the coordinate: its centre is at most half a pixel away.
    let best = 0;
    for (let index = 1; index < centres.length; index++)
      if (Math.abs(centres[index]! - wanted) < Math.abs(centres[best]! - wanted)) best = index;
    if (centres.length === 0 || Math.abs(centres[best]! - wanted) > Math.abs(step) / 2) {
      throw new OptionError(
        `sel: ${dim} ${wanted} is outside the array (${dim} centres ${centres[0]} … ${centres.at(-1)})`,
      );
    }
    return [best, best + 1];
  }
  const low = Math.min(wanted[0], wanted[1]);
  const high = Math.max(wanted[0], wanted[1]);
  const inside = [...centres.keys()].filter(
    (index) => centres[index]! >= low && centres[index]! <= high,
  );
  if (inside.length === 0)
    throw new OptionError(`sel: no ${dim} pixel centre lies in [${low}, ${high}]`);
  return [inside[0]!, inside.at(-1)! + 1];
}

/** Cube pixels with `sel`, `isel` and `attrs`; what `cube.read()` returns. Dims stay time × band × y × x. */
export class LabelledArray implements CubeArray {
  readonly data: TypedArray;
  readonly shape: [number, number, number, number];
  readonly dims: ['time', 'band', 'y', 'x'] = ['time', 'band', 'y', 'x'];
  readonly coords: CubeArray['coords'];
  readonly grid: Grid;
  readonly attrs: LabelledAttrs;

  constructor(array: CubeArray, attrs: Omit<LabelledAttrs, 'crs' | 'transform'>) {
    this.data = array.data;
    this.shape = array.shape;
    this.coords = array.coords;
    this.grid = array.grid;
    this.attrs = { crs: array.grid.crs, transform: array.grid.transform, ...attrs };
  }

  /** The value at one position of each dim. */
  value(time: number, band: number, y: number, x: number): number {
    const [, bands, height, width] = this.shape;
    const [t] = indexList(time, this.shape[0], 'time');
    const [b] = indexList(band, bands, 'band');
    const [row] = indexList(y, height, 'y');
    const [column] = indexList(x, width, 'x');
    return Number(this.data[((t! * bands + b!) * height + row!) * width + column!]);
  }

  /**
   * Selects by position (xarray's `isel`): time and band by index lists, y and x by one
   * index or a `[start, stop)` range. Dims are kept, with length 1 for a single index.
   * @throws OptionError for an index outside the array.
   */
  isel(selection: IndexSelection): LabelledArray {
    const [times, bands, height, width] = this.shape;
    const timeIndices = indexList(selection.time, times, 'time');
    const bandIndices = indexList(selection.band, bands, 'band');
    const [y0, y1] = indexRange(selection.y, height, 'y');
    const [x0, x1] = indexRange(selection.x, width, 'x');
    const [newHeight, newWidth] = [y1 - y0, x1 - x0];
    const data = allocateArray(
      dataTypeOf(this.data),
      timeIndices.length * bandIndices.length * newHeight * newWidth,
    );
    let offset = 0;
    for (const t of timeIndices) {
      for (const b of bandIndices) {
        for (let row = y0; row < y1; row++) {
          const start = ((t * bands + b) * height + row) * width;
          (data as Float64Array).set(
            (this.data as Float64Array).subarray(start + x0, start + x1),
            offset,
          );
          offset += newWidth;
        }
      }
    }
    const t = this.grid.transform;
    const grid: Grid = {
      crs: this.grid.crs,
      transform: [
        t[0] + x0 * t[1] + y0 * t[2],
        t[1],
        t[2],
        t[3] + x0 * t[4] + y0 * t[5],
        t[4],
        t[5],
      ],
      width: newWidth,
      height: newHeight,
    };
    return new LabelledArray(
      {
        data,
        shape: [timeIndices.length, bandIndices.length, newHeight, newWidth],
        dims: ['time', 'band', 'y', 'x'],
        coords: {
          time: timeIndices.map((index) => this.coords.time[index]!),
          band: bandIndices.map((index) => this.coords.band[index]!),
          y: yCoordinates(grid),
          x: xCoordinates(grid),
        },
        grid,
      },
      {
        nodata: bandIndices.map((index) => this.attrs.nodata[index]!),
        bands: bandIndices.map((index) => this.attrs.bands[index]!),
        steps: timeIndices.map((index) => this.attrs.steps[index]!),
      },
    );
  }

  /**
   * Selects by label (xarray's `sel`): time labels, band names, and x/y coordinates in the
   * grid's CRS (one coordinate: the pixel containing it; `[from, to]`: every pixel whose
   * centre lies between, inclusive). Dims are kept.
   * @throws OptionError naming the label or coordinate that is not in the array.
   */
  sel(selection: LabelSelection): LabelledArray {
    const time = labelIndices(selection.time, this.coords.time, 'time');
    const band = labelIndices(selection.band, this.coords.band, 'band');
    const y = coordinateRange(selection.y, this.coords.y, this.grid.transform[5], 'y');
    const x = coordinateRange(selection.x, this.coords.x, this.grid.transform[1], 'x');
    return this.isel({ time, band, y, x });
  }
}

/** Wraps the pixels `cube.read()` produced with labels and attrs from the cube's bands and steps. */
export function labelArray(
  array: CubeArray,
  cube: { bands: readonly CubeBand[]; steps: readonly CubeTimeStep[] },
): LabelledArray {
  return new LabelledArray(array, {
    nodata: cube.bands.map((band) => band.nodata),
    bands: cube.bands.map((band) =>
      withoutUndefined({
        name: band.name,
        dataType: band.dataType,
        nodata: band.nodata,
        scale: band.scale,
        offset: band.offset,
        unit: band.unit,
      }),
    ),
    steps: cube.steps.map((step) =>
      withoutUndefined({
        label: step.label,
        datetime: step.datetime?.toISOString(),
        items: step.items,
      }),
    ),
  });
}
