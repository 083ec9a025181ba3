import type { OverviewLevel } from '../raster/raster-source.js';

/**
 * The overview level to read for a target that samples the source at `ratio`
 * level-0 pixels per target pixel, chosen as `gdalwarp` does by default (`-ovr
 * AUTO`): walking from full resolution towards coarser levels, stop at the level
 * whose decimation factor is below the ratio while the next one is above it, or
 * at the first level within 0.1 of the ratio. The data read is thus never
 * coarser than the target needs.
 */
export function chooseOverviewLevel(levels: readonly OverviewLevel[], ratio: number): number {
  if (levels.length <= 1 || !(ratio > 1)) return 0;
  const factor = (level: number) => levels[0]!.width / levels[level]!.width;
  let level = 0;
  for (; level < levels.length - 1; level++) {
    if (factor(level) < ratio && factor(level + 1) > ratio) break;
    if (Math.abs(factor(level) - ratio) < 0.1) break;
  }
  return level;
}
