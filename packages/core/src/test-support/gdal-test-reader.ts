// Test support: a reader plugin over GDAL-decoded local files, the I/O seam of cube
// tests. A query on the href (a pre-signed URL's) is ignored to find the file.
import type { ReaderContext, ReaderPlugin } from '../plugins/plugin-types.js';
import type { RasterSource } from '../raster/raster-source.js';
import { PLUGIN_API_VERSION } from '../version.js';
import { gdalRasterSource } from './gdal-raster.js';

/** The reader, and the hrefs it was asked to open, in order. */
export function gdalTestReader(scratch: () => string): ReaderPlugin & { opened: string[] } {
  const decoded = new Map<string, RasterSource>();
  const opened: string[] = [];
  return {
    kind: 'reader',
    id: 'gdal-test',
    apiVersion: PLUGIN_API_VERSION,
    mediaTypes: ['image/tiff'],
    extensions: ['.tif'],
    opened,
    load: async () => ({
      open: async (href: string, _context: ReaderContext): Promise<RasterSource> => {
        opened.push(href);
        const file = href.replace(/\?.*$/, '');
        if (!decoded.has(file)) decoded.set(file, gdalRasterSource(file, scratch()));
        return { ...decoded.get(file)!, href };
      },
    }),
  };
}
