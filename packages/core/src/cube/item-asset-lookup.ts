// What the planner asks of an Item's asset: its href, its extension metadata, its
// native grid and its footprint. Answers come from the Item; a file header is read
// only where the Item says too little, once per href, and closed by `close()`.
import type { Dataset } from '../dataset/dataset.js';
import { openRaster } from '../dataset/load-asset.js';
import { GridError } from '../errors/grid-error.js';
import { loadCrs, transformBounds } from '../grid/crs.js';
import { gridBounds, type Bounds, type Grid } from '../grid/grid.js';
import { assetMediaType, itemBbox } from '../stac/accessors.js';
import { resolveAlternateHref } from '../stac/alternate-href.js';
import { readExtensionMetadata, type ExtensionMetadata } from '../stac/extension-metadata.js';
import type { StacItem } from '../stac/stac-types.js';
import type { CubeOptions } from './cube-options.js';

/** Answers about Items' assets for one planning run; see `createItemAssetLookup`. */
export interface ItemAssetLookup {
  /** The asset's href: alternate chosen, `patchUrl` applied, still signed if the Item's href was. */
  hrefOf(item: StacItem, asset: string): string;
  /** The asset's header, opened once per href. */
  header(item: StacItem, asset: string): Promise<Dataset>;
  /** What the Item's projection and raster extensions say about the asset. */
  metadataOf(item: StacItem, asset: string): ExtensionMetadata;
  /** The asset's own grid: the Item's, or the header's when the Item gives no CRS. */
  nativeGrid(item: StacItem, asset: string): Promise<Grid>;
  /** The asset's footprint in `crs`; undefined when unknown (it is then read for every chunk). */
  footprintIn(item: StacItem, asset: string, crs: string): Promise<Bounds | undefined>;
  /** Closes the headers opened. */
  close(): void;
}

/** A lookup reading headers through `options.registry` (signed with `options.signer`). */
export function createItemAssetLookup(options: CubeOptions): ItemAssetLookup {
  const headers = new Map<string, Promise<Dataset>>();
  const metadata = new Map<string, ExtensionMetadata>();
  const hrefOf = (item: StacItem, asset: string) => {
    const href = resolveAlternateHref(item, asset, options);
    return options.patchUrl ? options.patchUrl(href) : href;
  };
  const header = (item: StacItem, asset: string): Promise<Dataset> => {
    const href = hrefOf(item, asset);
    let pending = headers.get(href);
    if (!pending) {
      pending = openRaster(href, {
        registry: options.registry,
        mediaType: assetMediaType(item, asset),
        signer: options.signer,
        fetch: options.fetch,
        signal: options.signal,
      });
      headers.set(href, pending);
    }
    return pending;
  };
  const metadataOf = (item: StacItem, asset: string) => {
    const key = `${item.id}\u0000${asset}`;
    let found = metadata.get(key);
    if (!found) {
      found = readExtensionMetadata(item, asset);
      metadata.set(key, found);
    }
    return found;
  };
  const nativeGrid = async (item: StacItem, asset: string): Promise<Grid> => {
    const own = metadataOf(item, asset).grid;
    // An Item with a transform but no CRS says too little: ask the file.
    return own?.crs ? own : (await header(item, asset)).grid;
  };
  const footprintIn = async (
    item: StacItem,
    asset: string,
    crs: string,
  ): Promise<Bounds | undefined> => {
    const own = metadataOf(item, asset).grid;
    try {
      if (own?.crs)
        return transformBounds(gridBounds(own), await loadCrs(own.crs), await loadCrs(crs));
      const bbox = itemBbox(item);
      if (bbox && bbox[0] <= bbox[2]) return transformBounds(bbox, 'EPSG:4326', crs);
      if (bbox) return undefined; // crosses the antimeridian: keep it in every chunk
      const opened = await header(item, asset);
      return opened.crs ? transformBounds(opened.bounds, opened.crs, crs) : undefined;
    } catch (error) {
      if (GridError.isInstance(error)) return undefined;
      throw error;
    }
  };
  const close = () => {
    for (const pending of headers.values())
      pending.then((dataset) => dataset.close()).catch(() => undefined);
  };
  return { hrefOf, header, metadataOf, nativeGrid, footprintIn, close };
}
