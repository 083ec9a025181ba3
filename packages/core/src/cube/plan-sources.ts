// Per time step and band, the sources to read in fusing order: one per Item, with its
// href (unsigned), its Item-level nodata/scale/offset and its footprint in the target CRS.
import { AlignmentError } from '../errors/alignment-error.js';
import { gridsEqual, type Bounds, type Grid } from '../grid/grid.js';
import { withoutSignedQuery } from '../signers/redact.js';
import { assetMediaType } from '../stac/accessors.js';
import type { StacItem } from '../stac/stac-types.js';
import type { ChunkSource } from './chunk-task.js';
import { describeGrid } from './choose-target-grid.js';
import type { ItemGroup } from './group-items.js';
import type { ItemAssetLookup } from './item-asset-lookup.js';
import { withoutUndefined } from '../util/without-undefined.js';
import { maskAssetOf, type CubeMask, type MaskRule } from './cube-mask.js';

/** A source of the plan: a chunk source with its footprint in the target CRS (undefined: read for every chunk). */
export interface PlannedSource extends ChunkSource {
  bounds?: Bounds;
}

/** The planned sources, and the pre-signed hrefs their unsigned hrefs stand for (kept out of the plan). */
export interface PlannedSources {
  /** sources[time][band] in fusing order. */
  sources: PlannedSource[][][];
  /** Unsigned href → the Item's pre-signed href (a SAS token, a presigned URL), for reads in this process. */
  signedHrefs: Map<string, string>;
}

/**
 * The sources of every group and asset. An href whose query signs it is planned without
 * the query (the task's signer signs it again); the signed form is returned apart.
 */
export async function planSources(
  groups: ItemGroup[],
  assets: string[],
  grid: Grid,
  lookup: ItemAssetLookup,
  mask?: CubeMask & { rule: MaskRule },
): Promise<PlannedSources> {
  const signedHrefs = new Map<string, string>();
  const sources: PlannedSource[][][] = [];
  for (const group of groups) {
    const perBand: PlannedSource[][] = [];
    for (const asset of assets) {
      const list: PlannedSource[] = [];
      for (const item of group.items) {
        const band = lookup.metadataOf(item, asset).bands[0];
        const given = lookup.hrefOf(item, asset);
        const href = withoutSignedQuery(given);
        if (href !== given) signedHrefs.set(href, given);
        const maskAsset = mask ? maskAssetOf(item, mask) : undefined;
        let maskSource: ChunkSource['mask'];
        if (mask && maskAsset) {
          const givenMask = lookup.hrefOf(item, maskAsset);
          const maskHref = withoutSignedQuery(givenMask);
          if (maskHref !== givenMask) signedHrefs.set(maskHref, givenMask);
          maskSource = withoutUndefined({
            asset: maskAsset,
            href: maskHref,
            mediaType: assetMediaType(item, maskAsset),
            band: 0,
            ...mask.rule,
          });
        }
        list.push(
          withoutUndefined({
            item: item.id,
            asset,
            href,
            mediaType: assetMediaType(item, asset),
            band: 0,
            nodata: band?.nodata,
            scale: band?.scale,
            offset: band?.offset,
            bounds: grid.crs ? await lookup.footprintIn(item, asset, grid.crs) : undefined,
            mask: maskSource,
          }),
        );
      }
      perBand.push(list);
    }
    sources.push(perBand);
  }
  return { sources, signedHrefs };
}

/** AlignmentError when an Item's assets are not all on its first asset's grid (`align: false`). */
export async function checkAssetsAligned(
  items: StacItem[],
  assets: string[],
  lookup: ItemAssetLookup,
): Promise<void> {
  for (const item of items) {
    const first = await lookup.nativeGrid(item, assets[0]!);
    for (const asset of assets.slice(1)) {
      const other = await lookup.nativeGrid(item, asset);
      if (!gridsEqual(first, other)) {
        throw new AlignmentError(
          `assets of item ${item.id} are on different grids: '${assets[0]}' is ${describeGrid(first)}, '${asset}' is ${describeGrid(other)}; ` +
            'leave align on (the default) to resample them onto the first asset’s grid',
          { details: { item: item.id, assets: [assets[0], asset] } },
        );
      }
    }
  }
}
