// Guide "Downloads": assets of Items to disk, resumable, checked against file:checksum.
import type { ItemsInput, StacItem } from '@pyramids/core';
import { downloadItems, type DownloadProgress } from '@pyramids/core/node';

/** Downloads the `data` asset of every Item into `directory`, checking checksums; returns the rewritten Items. */
export async function downloadData(
  items: ItemsInput,
  directory: string,
): Promise<{ items: StacItem[]; events: DownloadProgress[] }> {
  const events: DownloadProgress[] = [];
  // #region download
  const downloaded = await downloadItems(items, directory, {
    include: ['data'], // asset keys; default all
    overwrite: 'if-changed', // a complete file with the same ETag/size is kept; a partial one is resumed
    verify: true, // compare with file:checksum (multihash) when the Item has one
    concurrency: 4,
    progress: (event) => events.push(event),
  });
  // Each returned Item's hrefs point at the local files; item.json is written beside them.
  // #endregion download
  return { items: downloaded, events };
}
