// The two private TIFF tags GDAL keeps its raster metadata in: GDAL_METADATA
// (42112, an XML document) and GDAL_NODATA (42113, the nodata value as text).
// The one GDAL_METADATA codec: the writer encodes with it, the readers decode.
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

/** Undoes one level of XML escaping (the five named entities and numeric references). */
function unescapeXml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g, (entity, body: string) => {
    if (body === 'amp') return '&';
    if (body === 'lt') return '<';
    if (body === 'gt') return '>';
    if (body === 'quot') return '"';
    if (body === 'apos') return "'";
    const code = body.startsWith('#x')
      ? Number.parseInt(body.slice(2), 16)
      : Number.parseInt(body.slice(1), 10);
    return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
  });
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

/** GDAL_METADATA decoded: dataset items by name, and per 0-based band its items by role (or name when it has no role). */
export interface GdalMetadata {
  dataset: Record<string, string>;
  bands: Map<number, Record<string, string>>;
}

/**
 * Decodes a GDAL_METADATA document as GDAL reads it: attribute values are
 * unescaped once, item values twice (GDAL escapes them twice on writing, see
 * `gdalMetadataXml`). Band items are keyed by their lower-cased `role`
 * (`scale`, `offset`, `unittype`, `description`) or, without a role, by `name`;
 * items of another `domain` than the default one are skipped. An absent or
 * empty document gives empty maps.
 */
export function parseGdalMetadata(xml: string | undefined): GdalMetadata {
  const dataset: Record<string, string> = {};
  const bands = new Map<number, Record<string, string>>();
  if (!xml) return { dataset, bands };
  for (const match of xml.matchAll(/<Item\b([^>]*?)(?:\/>|>([\s\S]*?)<\/Item>)/g)) {
    const attributes: Record<string, string> = {};
    for (const attribute of match[1]!.matchAll(/([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      attributes[attribute[1]!] = unescapeXml(attribute[2] ?? attribute[3] ?? '');
    }
    if (attributes['domain'] !== undefined && attributes['domain'] !== '') continue;
    const value = unescapeXml(unescapeXml(match[2] ?? ''));
    const name = attributes['name'];
    if (attributes['sample'] !== undefined) {
      const index = Number(attributes['sample']);
      if (!Number.isInteger(index) || index < 0) continue;
      const band = bands.get(index) ?? {};
      const key = attributes['role'] !== undefined ? attributes['role'].toLowerCase() : name;
      if (key !== undefined) band[key] = value;
      bands.set(index, band);
    } else if (name !== undefined) {
      dataset[name] = value;
    }
  }
  return { dataset, bands };
}
