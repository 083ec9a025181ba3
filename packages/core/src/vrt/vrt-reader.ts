import { fileUrlToPath, nodeBuiltin } from '../platform/node-builtin.js';
import { ReadError } from '../errors/read-error.js';
import { httpRequest } from '../http/http-request.js';
import type { ReaderPlugin } from '../plugins/plugin-types.js';
import type { Registry } from '../plugins/registry.js';
import { headersFor } from '../signers/signer.js';
import { redactHref } from '../signers/redact.js';
import { PLUGIN_API_VERSION } from '../version.js';
import { parseVrtXml, type VrtDocument } from './vrt-document.js';
import { resolveVrtSource, VrtRasterSource } from './vrt-raster-source.js';

function localPath(href: string): string {
  return href.startsWith('file://') ? fileUrlToPath(href) : href;
}

/** Options of the JS VRT reader. */
export interface VrtReaderOptions {
  /** Registry whose readers open the VRT's sources (usually the one this reader is registered on). */
  registry: Registry;
  /**
   * Reader for VRTs that only GDAL reads (warped or derived VRTs, pixel functions,
   * archive sources), e.g. `gdalReader()`; without it those fail with a ReadError.
   */
  fallback?: ReaderPlugin;
}

/**
 * The pure-JS GDAL VRT reader: simple and complex sources (band, windows, nodata,
 * linear scaling), each source opened through `registry`, so a mosaic reads without
 * GDAL. Warped or derived VRTs need GDAL: pass `fallback: gdalReader()` to hand them over.
 *
 * ```ts
 * const registry = createRegistry().use(geotiffReader());
 * registry.use(vrtReader({ registry }));
 * ```
 */
export function vrtReader(options: VrtReaderOptions): ReaderPlugin {
  return {
    kind: 'reader',
    id: 'vrt',
    apiVersion: PLUGIN_API_VERSION,
    packageName: '@pyramids/core',
    mediaTypes: ['application/x-gdal-vrt'],
    extensions: ['.vrt'],
    sniff: (head) => new TextDecoder().decode(head).trimStart().startsWith('<VRTDataset'),
    load: async () => ({
      async open(href, context) {
        let xml: string;
        try {
          if (/^https?:\/\//i.test(href)) {
            const response = await httpRequest(href, {
              headers: (url) => headersFor(context.signer, url, { method: 'GET' }, context.signal),
              signal: context.signal,
              fetch: context.fetch,
            });
            if (!response.ok)
              throw new ReadError(`HTTP ${response.status} for ${redactHref(href)}`);
            xml = await response.text();
          } else {
            const { readFile } = nodeBuiltin('node:fs/promises', 'reading a local VRT');
            xml = await readFile(href.startsWith('file://') ? fileUrlToPath(href) : href, 'utf8');
          }
        } catch (error) {
          if ((error as Error).name === 'AbortError' || ReadError.isInstance(error)) throw error;
          throw new ReadError(
            `cannot read the VRT ${redactHref(href)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
            {
              plugin: 'vrt',
              cause: error,
            },
          );
        }
        let document: VrtDocument;
        try {
          document = parseVrtXml(xml, `VRT ${redactHref(href)}`);
          for (const band of document.bands)
            for (const source of band.sources) resolveVrtSource(source, localPath(href));
        } catch (error) {
          if (options.fallback && ReadError.isInstance(error) && error.details.gdalOnly === true) {
            return (await options.fallback.load()).open(href, context);
          }
          throw error;
        }
        return new VrtRasterSource(document, {
          registry: options.registry,
          vrtHref: localPath(href),
          signer: context.signer,
          fetch: context.fetch,
        });
      },
    }),
  } satisfies ReaderPlugin;
}
