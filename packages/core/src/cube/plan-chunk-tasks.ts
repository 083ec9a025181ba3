// A plan cut into chunk tasks: time-major, then chunk rows, then chunk columns, each
// listing only the sources whose footprint meets the chunk.
import { OptionError } from '../errors/option-error.js';
import { gridBounds, windowGrid, type Bounds } from '../grid/grid.js';
import type { PixelWindow } from '../raster/raster-source.js';
import type { ChunkTask } from './chunk-task.js';
import type { CubePlan } from './cube-plan.js';

function intersects(a: Bounds, b: Bounds): boolean {
  return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
}

/** The chunks of `area`, `chunkSize` pixels each (smaller at the right and bottom edges), row by row. */
export function* chunkWindows(
  area: PixelWindow,
  [chunkWidth, chunkHeight]: [number, number],
): Generator<PixelWindow> {
  for (let y = area.y; y < area.y + area.height; y += chunkHeight)
    for (let x = area.x; x < area.x + area.width; x += chunkWidth)
      yield {
        x,
        y,
        width: Math.min(chunkWidth, area.x + area.width - x),
        height: Math.min(chunkHeight, area.y + area.height - y),
      };
}

/**
 * The chunk tasks covering `window` of the plan's grid (the whole grid by default).
 * `signer` is the signer's non-secret description, for workers to rebuild it.
 * @throws OptionError when the window is not inside the grid.
 */
export function planChunkTasks(
  plan: CubePlan,
  window?: PixelWindow,
  signer?: ChunkTask['options']['signer'],
): ChunkTask[] {
  const { grid } = plan;
  const area = window ?? { x: 0, y: 0, width: grid.width, height: grid.height };
  if (
    !Number.isInteger(area.x) ||
    !Number.isInteger(area.y) ||
    area.width < 1 ||
    area.height < 1 ||
    area.x < 0 ||
    area.y < 0 ||
    area.x + area.width > grid.width ||
    area.y + area.height > grid.height
  ) {
    throw new OptionError(
      `window ${JSON.stringify(window)} is not inside the cube's grid (${grid.width} × ${grid.height})`,
    );
  }
  const options: ChunkTask['options'] = {
    resampling: plan.resampling,
    method: plan.method,
    rescale: plan.rescale,
    dtype: plan.bands[0]!.dataType,
    nodata: plan.bands.map((band) => band.nodata),
    errorsAsNodata: plan.errorsAsNodata,
  };
  if (Object.keys(plan.resamplingByBand).length > 0)
    options.bandResampling = plan.bands.map(
      (band) => plan.resamplingByBand[band.name] ?? plan.resampling,
    );
  if (plan.errorThreshold !== undefined) options.errorThreshold = plan.errorThreshold;
  if (signer) options.signer = signer;
  const tasks: ChunkTask[] = [];
  for (let time = 0; time < plan.steps.length; time++) {
    for (const chunk of chunkWindows(area, plan.chunkSize)) {
      const chunkBounds = gridBounds(windowGrid(grid, chunk));
      tasks.push({
        kind: 'pyramids.cube-chunk',
        version: 1,
        grid,
        window: chunk,
        time,
        label: plan.steps[time]!.label,
        bands: plan.sources[time]!.map((list) =>
          list
            .filter((source) => !source.bounds || intersects(source.bounds, chunkBounds))
            .map(({ bounds: _bounds, ...source }) => source),
        ),
        options: { ...options },
      });
    }
  }
  return tasks;
}
