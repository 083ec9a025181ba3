// The GDAL VRT document model, and its XML in both directions. Covers what mosaics
// need: simple and complex sources with band, windows, nodata and linear scaling.
import { XMLParser } from 'fast-xml-parser';
import { ReadError } from '../errors/read-error.js';
import { crsWkt, epsgCode, normalizeCrs } from '../grid/crs.js';
import type { GeoTransform } from '../grid/geotransform.js';
import type { DataType } from '../raster/data-type.js';
import type { PixelWindow } from '../raster/raster-source.js';

/** A window that may be fractional (VRT `SrcRect` / `DstRect`). */
export type VrtRect = PixelWindow;

/** One source of a VRT band: a band of another raster, placed by two windows. */
export interface VrtSource {
  kind: 'SimpleSource' | 'ComplexSource';
  /** `SourceFilename`: a path or GDAL virtual path (`/vsicurl/…`). */
  filename: string;
  relativeToVRT: boolean;
  /** 1-based band of the source. */
  band: number;
  /** Window read from the source (all of it when omitted). */
  srcRect?: VrtRect;
  /** Where it lands in the VRT (the same window when omitted). */
  dstRect?: VrtRect;
  /** ComplexSource `NODATA`: source pixels with this value are transparent. */
  nodata?: number;
  /** ComplexSource linear scaling: value × scaleRatio + scaleOffset. */
  scaleRatio?: number;
  scaleOffset?: number;
  /** `SourceProperties`: the source's size, type and blocks, so GDAL need not open it to plan. */
  properties?: {
    width: number;
    height: number;
    dataType: DataType;
    blockWidth?: number;
    blockHeight?: number;
  };
}

/** One band of a VRT. */
export interface VrtBand {
  dataType: DataType;
  nodata?: number;
  scale?: number;
  offset?: number;
  description?: string;
  sources: VrtSource[];
}

/** A VRT dataset: its grid and bands. */
export interface VrtDocument {
  width: number;
  height: number;
  crs: string | null;
  transform: GeoTransform;
  bands: VrtBand[];
}

const GDAL_TYPES: Record<string, DataType> = {
  Byte: 'uint8',
  Int8: 'int8',
  UInt16: 'uint16',
  Int16: 'int16',
  UInt32: 'uint32',
  Int32: 'int32',
  UInt64: 'uint64',
  Int64: 'int64',
  Float32: 'float32',
  Float64: 'float64',
  CInt16: 'cint16',
  CInt32: 'cint32',
  CFloat32: 'cfloat32',
  CFloat64: 'cfloat64',
};

/** The GDAL name of a data type (`uint16` → `UInt16`). */
export function gdalDataTypeName(dataType: DataType): string {
  const found = Object.entries(GDAL_TYPES).find(([, type]) => type === dataType);
  if (!found) throw new TypeError(`data type '${dataType}' has no GDAL name`);
  return found[0];
}

/** The data type of a GDAL type name (`UInt16` → `uint16`); `other` when unknown. */
export function dataTypeFromGdalName(name: string): DataType {
  return GDAL_TYPES[name] ?? 'other';
}

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A number as GDAL writes it: `nan`, `inf`, `-inf`, or the shortest exact decimal. */
function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Number.POSITIVE_INFINITY) return 'inf';
  if (value === Number.NEGATIVE_INFINITY) return '-inf';
  return String(value);
}

function parseNumber(text: unknown): number | undefined {
  if (text === undefined || text === null || text === '') return undefined;
  const value = String(text).trim().toLowerCase();
  if (value === 'nan' || value === '-nan') return Number.NaN;
  if (value === 'inf' || value === '+inf') return Number.POSITIVE_INFINITY;
  if (value === '-inf') return Number.NEGATIVE_INFINITY;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

function rectXml(name: string, rect: VrtRect): string {
  return `<${name} xOff="${rect.x}" yOff="${rect.y}" xSize="${rect.width}" ySize="${rect.height}" />`;
}

/** The SRS text GDAL reads: WKT for EPSG codes (so QGIS and old GDALs agree), the CRS text otherwise. */
function srsText(crs: string): string {
  return (epsgCode(crs) !== undefined ? crsWkt(crs) : undefined) ?? crs;
}

/** Writes a VRT document as GDAL-compatible XML. */
export function writeVrtXml(document: VrtDocument): string {
  const lines = [`<VRTDataset rasterXSize="${document.width}" rasterYSize="${document.height}">`];
  if (document.crs)
    lines.push(`  <SRS dataAxisToSRSAxisMapping="1,2">${escapeXml(srsText(document.crs))}</SRS>`);
  lines.push(
    `  <GeoTransform>${document.transform.map((value) => value.toPrecision(17).replace(/\.?0+(e|$)/, '$1')).join(', ')}</GeoTransform>`,
  );
  document.bands.forEach((band, index) => {
    lines.push(
      `  <VRTRasterBand dataType="${gdalDataTypeName(band.dataType)}" band="${index + 1}">`,
    );
    if (band.description)
      lines.push(`    <Description>${escapeXml(band.description)}</Description>`);
    if (band.nodata !== undefined)
      lines.push(`    <NoDataValue>${formatNumber(band.nodata)}</NoDataValue>`);
    if (band.offset !== undefined) lines.push(`    <Offset>${formatNumber(band.offset)}</Offset>`);
    if (band.scale !== undefined) lines.push(`    <Scale>${formatNumber(band.scale)}</Scale>`);
    for (const source of band.sources) {
      lines.push(`    <${source.kind}>`);
      lines.push(
        `      <SourceFilename relativeToVRT="${source.relativeToVRT ? 1 : 0}">${escapeXml(source.filename)}</SourceFilename>`,
      );
      lines.push(`      <SourceBand>${source.band}</SourceBand>`);
      if (source.properties) {
        const p = source.properties;
        const blocks =
          p.blockWidth && p.blockHeight
            ? ` BlockXSize="${p.blockWidth}" BlockYSize="${p.blockHeight}"`
            : '';
        lines.push(
          `      <SourceProperties RasterXSize="${p.width}" RasterYSize="${p.height}" DataType="${gdalDataTypeName(p.dataType)}"${blocks} />`,
        );
      }
      if (source.srcRect) lines.push(`      ${rectXml('SrcRect', source.srcRect)}`);
      if (source.dstRect) lines.push(`      ${rectXml('DstRect', source.dstRect)}`);
      if (source.kind === 'ComplexSource') {
        if (source.scaleOffset !== undefined)
          lines.push(`      <ScaleOffset>${formatNumber(source.scaleOffset)}</ScaleOffset>`);
        if (source.scaleRatio !== undefined)
          lines.push(`      <ScaleRatio>${formatNumber(source.scaleRatio)}</ScaleRatio>`);
        if (source.nodata !== undefined)
          lines.push(`      <NODATA>${formatNumber(source.nodata)}</NODATA>`);
      }
      lines.push(`    </${source.kind}>`);
    }
    lines.push('  </VRTRasterBand>');
  });
  lines.push('</VRTDataset>');
  return `${lines.join('\n')}\n`;
}

/** An XML element in document order. */
interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

type OrderedNode = Record<string, unknown>;

/** fast-xml-parser's order-preserving output → elements (source order matters in a VRT: later sources paint over earlier ones). */
function toElements(nodes: OrderedNode[]): XmlElement[] {
  const elements: XmlElement[] = [];
  for (const node of nodes) {
    const name = Object.keys(node).find((key) => key !== ':@');
    if (!name || name === '#text' || name.startsWith('?')) continue;
    const childNodes = (node[name] as OrderedNode[]) ?? [];
    const attributes: Record<string, string> = {};
    for (const [key, value] of Object.entries((node[':@'] as Record<string, unknown>) ?? {}))
      attributes[key.replace(/^@_/, '')] = String(value);
    elements.push({
      name,
      attributes,
      children: toElements(childNodes),
      text: childNodes
        .map((child) => (child['#text'] !== undefined ? String(child['#text']) : ''))
        .join('')
        .trim(),
    });
  }
  return elements;
}

function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((candidate) => candidate.name === name);
}

function childText(element: XmlElement, name: string): string | undefined {
  return child(element, name)?.text;
}

function rect(element: XmlElement | undefined): VrtRect | undefined {
  if (!element) return undefined;
  const values = ['xOff', 'yOff', 'xSize', 'ySize'].map((key) => Number(element.attributes[key]));
  if (values.some((value) => !Number.isFinite(value))) return undefined;
  return { x: values[0]!, y: values[1]!, width: values[2]!, height: values[3]! };
}

/**
 * Parses VRT XML. Bands with sources other than simple and complex sources
 * (warped, derived, pixel functions) give a ReadError: only GDAL reads those.
 */
export function parseVrtXml(xml: string, name = 'VRT'): VrtDocument {
  const parser = new XMLParser({
    ignoreAttributes: false,
    preserveOrder: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
  });
  let elements: XmlElement[];
  try {
    elements = toElements(parser.parse(xml) as OrderedNode[]);
  } catch (error) {
    throw new ReadError(`${name} is not valid XML: ${(error as Error).message}`, { cause: error });
  }
  const dataset = elements.find((element) => element.name === 'VRTDataset');
  if (!dataset) throw new ReadError(`${name} is not a GDAL VRT: no <VRTDataset> element`);
  if (dataset.attributes.subClass) {
    throw new ReadError(
      `${name} is a ${dataset.attributes.subClass}, which only GDAL reads: register @pyramids/readers-gdal`,
      { details: { gdalOnly: true } },
    );
  }
  const width = Number(dataset.attributes.rasterXSize);
  const height = Number(dataset.attributes.rasterYSize);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new ReadError(`${name}: <VRTDataset> needs positive integer rasterXSize and rasterYSize`);
  }
  const transformText = childText(dataset, 'GeoTransform');
  const transform = (
    transformText ? transformText.split(',').map((part) => Number(part.trim())) : [0, 1, 0, 0, 0, 1]
  ) as GeoTransform;
  if (transform.length !== 6 || transform.some((value) => !Number.isFinite(value))) {
    throw new ReadError(
      `${name}: <GeoTransform> must hold 6 numbers; got ${JSON.stringify(transformText)}`,
    );
  }
  const srs = childText(dataset, 'SRS');
  const bands: VrtBand[] = dataset.children
    .filter((element) => element.name === 'VRTRasterBand')
    .map((bandElement, index) => {
      if (bandElement.attributes.subClass) {
        throw new ReadError(
          `${name}: band ${index + 1} is a ${bandElement.attributes.subClass}, which only GDAL reads: register @pyramids/readers-gdal`,
          {
            details: { gdalOnly: true },
          },
        );
      }
      for (const unsupported of [
        'KernelFilteredSource',
        'AveragedSource',
        'NoDataFromMaskSource',
      ]) {
        if (child(bandElement, unsupported)) {
          throw new ReadError(
            `${name}: band ${index + 1} uses a ${unsupported}, which only GDAL reads: register @pyramids/readers-gdal`,
            { details: { gdalOnly: true } },
          );
        }
      }
      const band: VrtBand = {
        dataType: dataTypeFromGdalName(bandElement.attributes.dataType ?? 'Byte'),
        sources: [],
      };
      const nodata = parseNumber(childText(bandElement, 'NoDataValue'));
      if (nodata !== undefined) band.nodata = nodata;
      const scale = parseNumber(childText(bandElement, 'Scale'));
      if (scale !== undefined) band.scale = scale;
      const offset = parseNumber(childText(bandElement, 'Offset'));
      if (offset !== undefined) band.offset = offset;
      const description = childText(bandElement, 'Description');
      if (description) band.description = description;
      for (const sourceElement of bandElement.children) {
        if (sourceElement.name !== 'SimpleSource' && sourceElement.name !== 'ComplexSource')
          continue;
        const kind = sourceElement.name;
        const filenameElement = child(sourceElement, 'SourceFilename');
        if (!filenameElement?.text)
          throw new ReadError(`${name}: a ${kind} of band ${index + 1} has no <SourceFilename>`);
        const source: VrtSource = {
          kind,
          filename: filenameElement.text,
          relativeToVRT: (filenameElement.attributes.relativeToVRT ?? '0') === '1',
          band: Number(childText(sourceElement, 'SourceBand') ?? 1),
        };
        const srcRect = rect(child(sourceElement, 'SrcRect'));
        if (srcRect) source.srcRect = srcRect;
        const dstRect = rect(child(sourceElement, 'DstRect'));
        if (dstRect) source.dstRect = dstRect;
        const sourceNodata = parseNumber(childText(sourceElement, 'NODATA'));
        if (sourceNodata !== undefined) source.nodata = sourceNodata;
        const ratio = parseNumber(childText(sourceElement, 'ScaleRatio'));
        if (ratio !== undefined) source.scaleRatio = ratio;
        const scaleOffset = parseNumber(childText(sourceElement, 'ScaleOffset'));
        if (scaleOffset !== undefined) source.scaleOffset = scaleOffset;
        band.sources.push(source);
      }
      return band;
    });
  if (bands.length === 0) throw new ReadError(`${name} has no <VRTRasterBand>`);
  return { width, height, crs: srs ? crsFromSrsText(srs) : null, transform, bands };
}

/** `EPSG:n` for WKT whose outermost authority is EPSG (as written by GDAL), else the normalised text. */
function crsFromSrsText(srs: string): string | null {
  const trimmed = srs.trim();
  const wkt1 = /AUTHORITY\["EPSG",\s*"?(\d+)"?\]\]\s*$/.exec(trimmed);
  if (wkt1) return `EPSG:${wkt1[1]}`;
  const wkt2 = /ID\["EPSG",\s*(\d+)\]\]\s*$/.exec(trimmed);
  if (wkt2) return `EPSG:${wkt2[1]}`;
  return normalizeCrs(trimmed);
}
