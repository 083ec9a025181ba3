// The two private TIFF tags GDAL keeps its raster metadata in: GDAL_METADATA
// (42112, an XML document) and GDAL_NODATA (42113, the nodata value as text).
import type { BandInfo } from '../raster/raster-source.js';

/** Escapes text for XML (CPLEscapeString with CPLES_XML). */
function escapeXml(text: string, quotes = true): string {
  const escaped = text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  return quotes ? escaped.replaceAll('"', '&quot;') : escaped;
}

/**
 * A number as GDAL parses it back exactly: the shortest round-trip decimal, and
 * `nan`, `inf`, `-inf` for the non-finite values.
 */
export function formatGdalNumber(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Number.POSITIVE_INFINITY) return 'inf';
  if (value === Number.NEGATIVE_INFINITY) return '-inf';
  return String(value);
}

function item(name: string, value: string, band?: number, role?: string): string {
  const sample = band === undefined ? '' : ` sample="${band}"`;
  const roleAttribute = role === undefined ? '' : ` role="${role}"`;
  // GDAL escapes the value once itself and once more when serialising the XML tree,
  // and unescapes twice on reading; doing the same keeps `&`, `<` and quotes intact.
  return `  <Item name="${escapeXml(name)}"${sample}${roleAttribute}>${escapeXml(escapeXml(value), false)}</Item>\n`;
}

/**
 * The GDAL_METADATA XML GDAL itself writes for dataset metadata and, per band,
 * offset/scale (only when not 0/1), unit and description. Undefined when there is
 * nothing to write.
 */
export function gdalMetadataXml(
  bands: readonly Omit<BandInfo, 'dataType'>[],
  metadata: Readonly<Record<string, string>> = {},
): string | undefined {
  let body = '';
  for (const [name, value] of Object.entries(metadata)) body += item(name, String(value));
  bands.forEach((band, index) => {
    const offset = band.offset ?? 0;
    const scale = band.scale ?? 1;
    if (offset !== 0 || scale !== 1) {
      body += item('OFFSET', formatGdalNumber(offset), index, 'offset');
      body += item('SCALE', formatGdalNumber(scale), index, 'scale');
    }
    if (band.unit) body += item('UNITTYPE', band.unit, index, 'unittype');
    if (band.name) body += item('DESCRIPTION', band.name, index, 'description');
  });
  return body === '' ? undefined : `<GDALMetadata>\n${body}</GDALMetadata>\n`;
}
