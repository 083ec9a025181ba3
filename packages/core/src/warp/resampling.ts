import { OptionError } from '../errors/option-error.js';

/** Resampling methods, with GDAL's semantics (names as in `gdalwarp -r`). */
export type Resampling =
  'nearest' | 'bilinear' | 'cubic' | 'average' | 'mode' | 'min' | 'max' | 'median';

/** Every resampling method, in the order the docs list them. */
export const RESAMPLING_METHODS: readonly Resampling[] = [
  'nearest',
  'bilinear',
  'cubic',
  'average',
  'mode',
  'min',
  'max',
  'median',
];

/** True for the methods that summarise all source pixels under a target pixel (GDAL's "average or mode" family). */
export function isAreaResampling(resampling: Resampling): boolean {
  return (
    resampling === 'average' ||
    resampling === 'mode' ||
    resampling === 'min' ||
    resampling === 'max' ||
    resampling === 'median'
  );
}

/** Checks a resampling name; OptionError listing the valid ones otherwise. */
export function parseResampling(value: unknown): Resampling {
  if (value === undefined) return 'nearest';
  if (typeof value === 'string' && (RESAMPLING_METHODS as readonly string[]).includes(value))
    return value as Resampling;
  throw new OptionError(
    `unknown resampling ${JSON.stringify(value)}; use one of ${RESAMPLING_METHODS.join(', ')}`,
  );
}
