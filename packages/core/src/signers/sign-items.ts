import { asItem, toPlainJson } from '../stac/accessors.js';
import type { ItemCollection, StacAsset, StacItem } from '../stac/stac-types.js';
import type { Signer } from './signer.js';

/**
 * A copy of `item` with every asset href (and every alternate href of the
 * alternate-assets extension) passed through `signHref`. The input is not changed.
 * Signers use it to implement `signItem`.
 */
export async function signItemAssets(
  item: StacItem,
  signHref: (href: string, signal?: AbortSignal) => Promise<string>,
  signal?: AbortSignal,
): Promise<StacItem> {
  const source = asItem(item);
  const assets: Record<string, StacAsset> = {};
  for (const [key, asset] of Object.entries(source.assets)) {
    const copy: StacAsset = { ...asset };
    if (typeof asset.href === 'string') copy.href = await signHref(asset.href, signal);
    const alternates = (asset as { alternate?: Record<string, { href?: unknown }> }).alternate;
    if (alternates && typeof alternates === 'object') {
      const signed: Record<string, unknown> = {};
      for (const [name, alternate] of Object.entries(alternates)) {
        signed[name] =
          alternate && typeof alternate.href === 'string'
            ? { ...alternate, href: await signHref(alternate.href, signal) }
            : alternate;
      }
      (copy as Record<string, unknown>).alternate = signed;
    }
    assets[key] = copy;
  }
  return { ...source, assets };
}

/**
 * Signs an Item, an array of Items or an ItemCollection with `signer.signItem`
 * (or, when it has none, its `signHref` on each matching asset href). Returns the
 * same shape it was given; Items the signer has nothing for come back unchanged.
 */
export async function signItemsWith<T extends StacItem | StacItem[] | ItemCollection>(
  signer: Signer | undefined,
  input: T,
  signal?: AbortSignal,
): Promise<T> {
  const plain = toPlainJson(input) as StacItem | StacItem[] | ItemCollection;
  const signOne = async (item: StacItem): Promise<StacItem> => {
    if (signer?.signItem) return signer.signItem(item, signal);
    if (signer?.signHref) {
      const signHref = signer.signHref.bind(signer);
      return signItemAssets(
        item,
        async (href, hrefSignal) => (signer.matches(href) ? signHref(href, hrefSignal) : href),
        signal,
      );
    }
    return item;
  };
  if (Array.isArray(plain)) {
    const signed: StacItem[] = [];
    for (const item of plain) signed.push(await signOne(toPlainJson(item) as StacItem));
    return signed as T;
  }
  if ((plain as ItemCollection).type === 'FeatureCollection') {
    const collection = plain as ItemCollection;
    const features: StacItem[] = [];
    for (const item of collection.features)
      features.push(await signOne(toPlainJson(item) as StacItem));
    return { ...collection, features } as T;
  }
  return (await signOne(plain as StacItem)) as T;
}
