// Per-collection band aliases and metadata overrides (pyramids.stac's `cfg`, odc-stac's
// `stac_cfg`), applied to copies of the Items before a cube is built from them.
import { OptionError } from '../errors/option-error.js';
import type { DataType } from '../raster/data-type.js';
import type { StacAsset, StacItem } from '../stac/stac-types.js';
import { withoutUndefined } from '../util/without-undefined.js';

/** Metadata that replaces what the Items say (or fills in what they lack) for every band of an asset. */
export interface BandOverride {
  /** Data type of the stored values, e.g. `'uint16'`. */
  dataType?: DataType;
  /** Nodata value (`NaN` allowed). */
  nodata?: number;
  /** Multiplier from stored to physical values. */
  scale?: number;
  /** Added after `scale`. */
  offset?: number;
}

/** The configuration of one collection. */
export interface CollectionBandConfig {
  /** Other names for assets: `{ red: 'B04', nir: 'B08' }`; `asset: 'red'` then reads `B04` as a band named `red`. */
  aliases?: Record<string, string>;
  /** Overrides by asset key (or alias); `'*'` applies to every asset, a key's own entry wins. */
  assets?: Record<string, BandOverride>;
}

/**
 * Band configuration by collection id; `'*'` applies to every collection (an Item's own
 * collection entry wins, field by field).
 */
export type BandConfig = Record<string, CollectionBandConfig>;

const DATA_TYPES = new Set<string>([
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'float16',
  'float32',
  'float64',
]);
const OVERRIDE_FIELDS = new Set(['dataType', 'nodata', 'scale', 'offset']);

function checkOverride(where: string, override: BandOverride): void {
  if (typeof override !== 'object' || override === null)
    throw new OptionError(
      `bandConfig ${where}: expected an object of dataType, nodata, scale, offset`,
    );
  for (const field of Object.keys(override)) {
    if (!OVERRIDE_FIELDS.has(field))
      throw new OptionError(
        `bandConfig ${where}: unknown field '${field}'; use dataType, nodata, scale, offset`,
      );
  }
  if (override.dataType !== undefined && !DATA_TYPES.has(override.dataType)) {
    throw new OptionError(
      `bandConfig ${where}: dataType '${String(override.dataType)}' is not one of ${[...DATA_TYPES].join(', ')}`,
    );
  }
  if (override.nodata !== undefined && typeof override.nodata !== 'number')
    throw new OptionError(`bandConfig ${where}: nodata must be a number (NaN allowed)`);
  for (const field of ['scale', 'offset'] as const) {
    const value = override[field];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value)))
      throw new OptionError(`bandConfig ${where}: ${field} must be a finite number`);
  }
}

/**
 * Checks a band configuration: aliases map names to asset keys, overrides hold only known fields.
 * @throws OptionError naming the collection and field that is wrong.
 */
export function checkBandConfig(config: BandConfig): void {
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw new OptionError('bandConfig must be an object keyed by collection id (or *)');
  for (const [collection, entry] of Object.entries(config)) {
    for (const [alias, target] of Object.entries(entry?.aliases ?? {})) {
      if (typeof target !== 'string' || target === '')
        throw new OptionError(
          `bandConfig['${collection}'].aliases.${alias} must name an asset key`,
        );
    }
    for (const [key, override] of Object.entries(entry?.assets ?? {}))
      checkOverride(`['${collection}'].assets.${key}`, override);
  }
}

/** An asset with the override written into every entry of its `raster:bands` (created if absent). */
function overrideAsset(asset: StacAsset, override: BandOverride): StacAsset {
  const existing = Array.isArray(asset['raster:bands'])
    ? (asset['raster:bands'] as Record<string, unknown>[])
    : undefined;
  const named = [asset['bands'], asset['eo:bands']].find(Array.isArray) as unknown[] | undefined;
  const count = Math.max(existing?.length ?? 0, named?.length ?? 0, 1);
  const fields = withoutUndefined({
    data_type: override.dataType,
    nodata:
      override.nodata !== undefined && Number.isNaN(override.nodata) ? 'nan' : override.nodata,
    scale: override.scale,
    offset: override.offset,
  });
  // raster:bands wins over STAC 1.1 `bands` when metadata is read, so the override lands there.
  return {
    ...asset,
    'raster:bands': Array.from({ length: count }, (_, index) => ({
      ...(existing?.[index] ?? {}),
      ...fields,
    })),
  };
}

/** The configuration that applies to one collection: `'*'` merged with its own. */
function configFor(
  config: BandConfig,
  collection: string | undefined,
): Required<CollectionBandConfig> {
  const common = config['*'] ?? {};
  const own = (collection !== undefined ? config[collection] : undefined) ?? {};
  const keys = new Set([...Object.keys(common.assets ?? {}), ...Object.keys(own.assets ?? {})]);
  const assets: Record<string, BandOverride> = {};
  for (const key of keys)
    assets[key] = { ...(common.assets?.[key] ?? {}), ...(own.assets?.[key] ?? {}) };
  return { aliases: { ...(common.aliases ?? {}), ...(own.aliases ?? {}) }, assets };
}

/**
 * Copies of the Items with the band configuration applied: overrides written into
 * `raster:bands` of the assets they name, then each alias added as an asset (a copy of its
 * target, with the alias's own overrides on top). The Items given are not changed.
 * @throws OptionError for a malformed configuration.
 */
export function applyBandConfig(items: StacItem[], config: BandConfig | undefined): StacItem[] {
  if (config === undefined) return items;
  checkBandConfig(config);
  return items.map((item) => {
    const { aliases, assets: overrides } = configFor(config, item.collection);
    const assets: Record<string, StacAsset> = {};
    for (const [key, asset] of Object.entries(item.assets ?? {})) {
      const override = { ...(overrides['*'] ?? {}), ...(overrides[key] ?? {}) };
      assets[key] = Object.keys(override).length > 0 ? overrideAsset(asset, override) : asset;
    }
    for (const [alias, target] of Object.entries(aliases)) {
      if (assets[alias] !== undefined || assets[target] === undefined) continue;
      assets[alias] = overrides[alias]
        ? overrideAsset(assets[target], overrides[alias])
        : assets[target];
    }
    return { ...item, assets };
  });
}
