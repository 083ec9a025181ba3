/** GeoJSON geometry, as loose as STAC allows. */
export interface Geometry {
  type: string;
  coordinates?: unknown;
  geometries?: Geometry[];
}

/** A STAC Asset object (only the fields core relies on are typed). */
export interface StacAsset {
  href: string;
  type?: string;
  title?: string;
  roles?: string[];
  [field: string]: unknown;
}

/** A STAC Link object. */
export interface StacLink {
  href: string;
  rel: string;
  type?: string;
  [field: string]: unknown;
}

/** A STAC Item as plain JSON. Core duck-types Items; it never needs a class. */
export interface StacItem {
  type: 'Feature';
  stac_version?: string;
  stac_extensions?: string[];
  id: string;
  geometry: Geometry | null;
  bbox?: number[];
  properties: Record<string, unknown>;
  links?: StacLink[];
  assets: Record<string, StacAsset>;
  collection?: string;
  [field: string]: unknown;
}

/** A GeoJSON FeatureCollection of STAC Items. */
export interface ItemCollection {
  type: 'FeatureCollection';
  features: StacItem[];
  links?: StacLink[];
  [field: string]: unknown;
}

/** Anything core accepts where Items are expected. */
export type ItemsInput =
  StacItem | ItemCollection | { toJSON(): unknown } | Iterable<StacItem | { toJSON(): unknown }>;
