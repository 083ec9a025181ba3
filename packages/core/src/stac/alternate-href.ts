// Which href of an asset to read: its own, or one of its `alternate` hrefs (the STAC
// alternate-assets extension, e.g. `alternate.s3.href` beside an https href).
import { OptionError } from '../errors/option-error.js';
import type { Signer } from '../signers/signer.js';
import { resolveAssetHref } from './accessors.js';
import type { StacItem } from './stac-types.js';

/**
 * Which href to use: `'auto'` prefers an `s3://` href (the asset's own or an alternate) when the
 * signer matches it (an AWS signer: same-region reads, no egress through an HTTPS gateway) and
 * the asset's own href otherwise; any other string names an alternate (`'s3'`, `'https'`, …),
 * used where the asset has it, the asset's own href where not.
 */
export type AlternateChoice = 'auto' | (string & {});

/** Options of {@link resolveAlternateHref}. */
export interface AlternateHrefOptions {
  /** The alternate to prefer; unset: the asset's own href. */
  alternate?: AlternateChoice | undefined;
  /** Base that relative hrefs resolve against (default: the Item's self link). */
  baseHref?: string | undefined;
  /** For `'auto'`: an s3:// href is preferred only when this signer matches it. */
  signer?: Signer | undefined;
  /**
   * Let Items from remote catalogs name local files (default false, or PYRAMIDS_ALLOW_LOCAL=1);
   * see `resolveAssetHref`.
   */
  allowLocal?: boolean | undefined;
}

/** The alternates of an asset by name: `{ s3: 's3://…', https: 'https://…' }` (hrefs as written). */
export function assetAlternates(item: StacItem, key: string): Record<string, string> {
  const alternate = (item.assets?.[key] as { alternate?: unknown } | undefined)?.alternate;
  if (typeof alternate !== 'object' || alternate === null || Array.isArray(alternate)) return {};
  const hrefs: Record<string, string> = {};
  for (const [name, value] of Object.entries(alternate as Record<string, unknown>)) {
    const href = (value as { href?: unknown } | null)?.href;
    if (typeof href === 'string' && href) hrefs[name] = href;
  }
  return hrefs;
}

/** The href of a named alternate, resolved like the asset's own href. */
function resolveAlternate(
  item: StacItem,
  key: string,
  href: string,
  baseHref: string | undefined,
  allowLocal: boolean | undefined,
): string {
  // Resolve through the same rule as the main href, on a copy of the Item holding the alternate href.
  const copy = {
    ...item,
    assets: { ...item.assets, [key]: { ...item.assets[key]!, href } },
  } as StacItem;
  return resolveAssetHref(copy, key, baseHref, allowLocal);
}

/**
 * The href to read for asset `key`: its own (resolved against `baseHref` or the Item's self
 * link), or an alternate as `alternate` asks; see {@link AlternateChoice}.
 * @throws OptionError when `alternate` is an empty string.
 */
export function resolveAlternateHref(
  item: StacItem,
  key: string,
  options: AlternateHrefOptions = {},
): string {
  const own = resolveAssetHref(item, key, options.baseHref, options.allowLocal);
  const choice = options.alternate;
  if (choice === undefined) return own;
  if (typeof choice !== 'string' || choice.trim() === '') {
    throw new OptionError(
      `alternate must be 'auto' or the name of an alternate href (e.g. 's3', 'https'), not ${JSON.stringify(choice)}`,
    );
  }
  const alternates = assetAlternates(item, key);
  if (choice !== 'auto')
    return alternates[choice] === undefined
      ? own
      : resolveAlternate(item, key, alternates[choice], options.baseHref, options.allowLocal);
  const signer = options.signer;
  const usable = (href: string) =>
    /^s3:\/\//i.test(href) && signer !== undefined && signer.matches(href);
  if (usable(own)) return own;
  const s3 = Object.values(alternates).find(usable);
  return s3 === undefined
    ? own
    : resolveAlternate(item, key, s3, options.baseHref, options.allowLocal);
}
