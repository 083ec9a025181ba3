// User-defined GeoKeys for a CRS with no EPSG code, as GDAL writes them: the
// geographic part as datum, ellipsoid and prime meridian (EPSG codes where the
// WKT names them, user-defined values otherwise, names in GeogCitationGeoKey),
// the projection as a GeoTIFF coordinate transformation with its parameters.
// Reads WKT1 (GDAL and ESRI flavours) and WKT2 (2015 and 2019).
// Kept in one file: the WKT reader and the GeoTIFF parameter tables it maps onto are read together.
import type { GeoKeyDirectory, GeoKeyEntry } from './geo-key-directory.js';

/** A node of a WKT tree: its keyword and its values (texts, numbers, bare words as texts, child nodes). */
interface WktNode {
  keyword: string;
  values: (string | number | WktNode)[];
}

/** Parses WKT text into its tree. Throws a TypeError naming the position of a syntax error. */
function parseWktTree(text: string): WktNode {
  let position = 0;
  const skipSpace = () => {
    while (position < text.length && /\s/.test(text[position]!)) position++;
  };
  const fail = (what: string): never => {
    throw new TypeError(`malformed WKT at character ${position}: ${what}`);
  };
  const parseNode = (): WktNode => {
    skipSpace();
    const keyword =
      /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(position))?.[0] ?? fail('expected a keyword');
    position += keyword.length;
    skipSpace();
    const open = text[position];
    if (open !== '[' && open !== '(') return { keyword: keyword.toUpperCase(), values: [] };
    const close = open === '[' ? ']' : ')';
    position++;
    const values: WktNode['values'] = [];
    for (;;) {
      skipSpace();
      const character = text[position];
      if (character === undefined) fail(`missing '${close}'`);
      if (character === close) {
        position++;
        break;
      }
      if (character === ',') {
        position++;
        continue;
      }
      if (character === '"') {
        let value = '';
        position++;
        for (;;) {
          const next = text[position];
          if (next === undefined) fail('unterminated text');
          if (next === '"') {
            if (text[position + 1] === '"') {
              value += '"';
              position += 2;
              continue;
            }
            position++;
            break;
          }
          value += next;
          position++;
        }
        values.push(value);
        continue;
      }
      const number = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/.exec(text.slice(position))?.[0];
      if (number !== undefined) {
        values.push(Number(number));
        position += number.length;
        continue;
      }
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(position))?.[0];
      if (word === undefined) fail(`unexpected '${character}'`);
      const after = text.slice(position + word!.length).trimStart()[0];
      if (after === '[' || after === '(') values.push(parseNode());
      else {
        values.push(word!);
        position += word!.length;
      }
    }
    return { keyword: keyword.toUpperCase(), values };
  };
  const root = parseNode();
  skipSpace();
  if (position !== text.length) fail('text after the end of the WKT');
  return root;
}

function children(node: WktNode, ...keywords: string[]): WktNode[] {
  return node.values.filter(
    (value): value is WktNode => typeof value === 'object' && keywords.includes(value.keyword),
  );
}

function child(node: WktNode, ...keywords: string[]): WktNode | undefined {
  return children(node, ...keywords)[0];
}

function nameOf(node: WktNode): string | undefined {
  return typeof node.values[0] === 'string' ? node.values[0] : undefined;
}

function numberAt(node: WktNode, index: number): number | undefined {
  const value = node.values[index];
  return typeof value === 'number' ? value : undefined;
}

/** The EPSG code of a node (`AUTHORITY["EPSG","n"]` or `ID["EPSG",n]`), if any. */
function epsgOf(node: WktNode): number | undefined {
  for (const id of children(node, 'AUTHORITY', 'ID')) {
    if (String(id.values[0]).toUpperCase() === 'EPSG') {
      const code = Number(id.values[1]);
      if (Number.isInteger(code) && code > 0 && code <= 0xffff) return code;
    }
  }
  return undefined;
}

/** Conversion factor of a unit node (`UNIT`, `ANGLEUNIT`, `LENGTHUNIT`, `SCALEUNIT`), if any. */
function unitFactor(node: WktNode, ...keywords: string[]): number | undefined {
  const unit = child(node, ...keywords);
  return unit ? numberAt(unit, 1) : undefined;
}

/** The unit of a CRS node: its own `UNIT` (WKT1) or `ANGLEUNIT`/`LENGTHUNIT` (WKT2), else its first axis's. */
function unitOf(node: WktNode, keyword: 'ANGLEUNIT' | 'LENGTHUNIT'): number | undefined {
  const own = unitFactor(node, 'UNIT', keyword);
  if (own !== undefined) return own;
  for (const axis of children(node, 'AXIS')) {
    const factor = unitFactor(axis, 'UNIT', keyword);
    if (factor !== undefined) return factor;
  }
  return undefined;
}

/** User-defined GeoKey value. */
const USER_DEFINED = 32767;
const DEGREE = Math.PI / 180;

/** GeoTIFF coordinate transformation codes and the GeoKeys each writes, GDAL's choice per method. */
interface Method {
  code: number;
  /** GeoKey id per canonical parameter (see `PARAMETERS`). */
  keys: Partial<Record<Parameter, number>>;
}

type Parameter =
  | 'latitudeOfOrigin'
  | 'centralMeridian'
  | 'scale'
  | 'falseEasting'
  | 'falseNorthing'
  | 'standardParallel1'
  | 'standardParallel2'
  | 'latitudeOfTrueScale';

const NAT_LAT = 3081;
const NAT_LON = 3080;
const SCALE = 3092;
const FE = 3082;
const FN = 3083;
const STD1 = 3078;
const STD2 = 3079;
const CENTER_LON = 3088;
const CENTER_LAT = 3089;
const NATURAL = {
  latitudeOfOrigin: NAT_LAT,
  centralMeridian: NAT_LON,
  scale: SCALE,
  falseEasting: FE,
  falseNorthing: FN,
};

/** Methods by normalised name (lower case, letters and digits only) of WKT1, ESRI and WKT2. */
const METHODS: Record<string, Method> = {
  transversemercator: { code: 1, keys: NATURAL },
  mercator1sp: { code: 7, keys: NATURAL },
  mercatorvarianta: { code: 7, keys: NATURAL },
  mercator2sp: {
    code: 7,
    keys: {
      standardParallel1: STD1,
      latitudeOfOrigin: NAT_LAT,
      centralMeridian: NAT_LON,
      falseEasting: FE,
      falseNorthing: FN,
    },
  },
  mercatorvariantb: {
    code: 7,
    keys: {
      standardParallel1: STD1,
      latitudeOfOrigin: NAT_LAT,
      centralMeridian: NAT_LON,
      falseEasting: FE,
      falseNorthing: FN,
    },
  },
  lambertconformalconic1sp: { code: 9, keys: NATURAL },
  lambertconicconformal1sp: { code: 9, keys: NATURAL },
  lambertconformalconic2sp: {
    code: 8,
    keys: {
      standardParallel1: STD1,
      standardParallel2: STD2,
      latitudeOfOrigin: 3085,
      centralMeridian: 3084,
      falseEasting: 3086,
      falseNorthing: 3087,
    },
  },
  lambertconicconformal2sp: {
    code: 8,
    keys: {
      standardParallel1: STD1,
      standardParallel2: STD2,
      latitudeOfOrigin: 3085,
      centralMeridian: 3084,
      falseEasting: 3086,
      falseNorthing: 3087,
    },
  },
  albersconicequalarea: {
    code: 11,
    keys: {
      standardParallel1: STD1,
      standardParallel2: STD2,
      latitudeOfOrigin: NAT_LAT,
      centralMeridian: NAT_LON,
      falseEasting: FE,
      falseNorthing: FN,
    },
  },
  albersequalarea: {
    code: 11,
    keys: {
      standardParallel1: STD1,
      standardParallel2: STD2,
      latitudeOfOrigin: NAT_LAT,
      centralMeridian: NAT_LON,
      falseEasting: FE,
      falseNorthing: FN,
    },
  },
  lambertazimuthalequalarea: {
    code: 10,
    keys: {
      latitudeOfOrigin: CENTER_LAT,
      centralMeridian: CENTER_LON,
      falseEasting: FE,
      falseNorthing: FN,
    },
  },
  sinusoidal: {
    code: 24,
    keys: { centralMeridian: CENTER_LON, falseEasting: FE, falseNorthing: FN },
  },
  obliquestereographic: { code: 16, keys: NATURAL },
  stereographic: {
    code: 14,
    keys: {
      latitudeOfOrigin: CENTER_LAT,
      centralMeridian: CENTER_LON,
      scale: SCALE,
      falseEasting: FE,
      falseNorthing: FN,
    },
  },
  // Variant A: origin at the pole with a scale; variant B: a latitude of true scale (written as the origin, scale 1).
  polarstereographic: {
    code: 15,
    keys: {
      latitudeOfOrigin: NAT_LAT,
      centralMeridian: 3095,
      scale: SCALE,
      falseEasting: FE,
      falseNorthing: FN,
    },
  },
  polarstereographicvarianta: {
    code: 15,
    keys: {
      latitudeOfOrigin: NAT_LAT,
      centralMeridian: 3095,
      scale: SCALE,
      falseEasting: FE,
      falseNorthing: FN,
    },
  },
  polarstereographicvariantb: {
    code: 15,
    keys: {
      latitudeOfTrueScale: NAT_LAT,
      centralMeridian: 3095,
      falseEasting: FE,
      falseNorthing: FN,
    },
  },
  equirectangular: {
    code: 17,
    keys: {
      latitudeOfOrigin: CENTER_LAT,
      centralMeridian: CENTER_LON,
      standardParallel1: STD1,
      falseEasting: FE,
      falseNorthing: FN,
    },
  },
  equidistantcylindrical: {
    code: 17,
    keys: {
      standardParallel1: STD1,
      centralMeridian: CENTER_LON,
      falseEasting: FE,
      falseNorthing: FN,
    },
  },
};

/** WKT2 methods by EPSG code, to the names above. */
const METHOD_CODES: Record<number, string> = {
  9807: 'transversemercator',
  9804: 'mercator1sp',
  9805: 'mercator2sp',
  9801: 'lambertconformalconic1sp',
  9802: 'lambertconformalconic2sp',
  9822: 'albersconicequalarea',
  9820: 'lambertazimuthalequalarea',
  9809: 'obliquestereographic',
  9810: 'polarstereographicvarianta',
  9829: 'polarstereographicvariantb',
  1028: 'equidistantcylindrical',
  1027: 'lambertazimuthalequalarea',
  1029: 'equidistantcylindrical',
  1026: 'mercator1sp',
};

/** Parameters by normalised WKT1/ESRI name. */
const PARAMETER_NAMES: Record<string, Parameter> = {
  latitudeoforigin: 'latitudeOfOrigin',
  latitudeofcenter: 'latitudeOfOrigin',
  latitudeofnaturalorigin: 'latitudeOfOrigin',
  latitudeoffalseorigin: 'latitudeOfOrigin',
  latitudeofprojectioncentre: 'latitudeOfOrigin',
  centralmeridian: 'centralMeridian',
  longitudeofcenter: 'centralMeridian',
  longitudeofnaturalorigin: 'centralMeridian',
  longitudeoforigin: 'centralMeridian',
  longitudeoffalseorigin: 'centralMeridian',
  longitudeofprojectioncentre: 'centralMeridian',
  scalefactor: 'scale',
  scalefactoratnaturalorigin: 'scale',
  falseeasting: 'falseEasting',
  eastingatfalseorigin: 'falseEasting',
  falsenorthing: 'falseNorthing',
  northingatfalseorigin: 'falseNorthing',
  standardparallel1: 'standardParallel1',
  latitudeof1ststandardparallel: 'standardParallel1',
  standardparallel2: 'standardParallel2',
  latitudeof2ndstandardparallel: 'standardParallel2',
  latitudeofstandardparallel: 'latitudeOfTrueScale',
};

/** WKT2 parameters by EPSG code. */
const PARAMETER_CODES: Record<number, Parameter> = {
  8801: 'latitudeOfOrigin',
  8802: 'centralMeridian',
  8805: 'scale',
  8806: 'falseEasting',
  8807: 'falseNorthing',
  8821: 'latitudeOfOrigin',
  8822: 'centralMeridian',
  8823: 'standardParallel1',
  8824: 'standardParallel2',
  8826: 'falseEasting',
  8827: 'falseNorthing',
  8832: 'latitudeOfTrueScale',
  8833: 'centralMeridian',
};

function normalise(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** A CRS the writer cannot express as GeoKeys: a TypeError whose message says what to do. */
function inexpressible(what: string): never {
  throw new TypeError(
    `${what}, which GeoTIFF GeoKeys cannot express; reproject to an EPSG CRS (e.g. --crs EPSG:4326) before writing`,
  );
}

/** GDAL's GeoTIFF linear unit code for metres per unit, or user-defined. */
function linearUnitKeys(metres: number, unitKey: number, sizeKey: number): GeoKeyEntry[] {
  const known: [number, number][] = [
    [1, 9001],
    [0.3048, 9002],
    [0.304800609601219, 9003],
    [1000, 9036],
  ];
  const match = known.find(([factor]) => Math.abs(factor - metres) < 1e-12 * factor);
  return match
    ? [{ id: unitKey, type: 'short', value: match[1] }]
    : [
        { id: unitKey, type: 'short', value: USER_DEFINED },
        { id: sizeKey, type: 'double', value: metres },
      ];
}

function angularUnitKeys(radians: number): GeoKeyEntry[] {
  if (Math.abs(radians - DEGREE) < 1e-15) return [{ id: 2054, type: 'short', value: 9102 }];
  if (Math.abs(radians - 1) < 1e-15) return [{ id: 2054, type: 'short', value: 9101 }];
  return [
    { id: 2054, type: 'short', value: USER_DEFINED },
    { id: 2055, type: 'double', value: radians },
  ];
}

/** The geographic GeoKeys of a geographic CRS node (WKT1 GEOGCS, WKT2 GEOGCRS/BASEGEOGCRS …). */
function geographicKeys(
  node: WktNode,
  towgs84: number[] | undefined,
): { keys: GeoKeyEntry[]; angularUnit: number } {
  const angularUnit = unitOf(node, 'ANGLEUNIT') ?? DEGREE;
  const keys: GeoKeyEntry[] = [];
  const code = epsgOf(node);
  if (code !== undefined && towgs84 === undefined) {
    keys.push({ id: 2048, type: 'short', value: code }, ...angularUnitKeys(angularUnit));
    return { keys, angularUnit };
  }
  const datum = child(node, 'DATUM', 'GEODETICDATUM', 'TRF', 'ENSEMBLE');
  if (!datum) inexpressible(`geographic CRS ${nameOf(node) ?? ''} has no datum`);
  const ellipsoid = child(datum!, 'SPHEROID', 'ELLIPSOID') ?? child(node, 'SPHEROID', 'ELLIPSOID');
  const semiMajor = ellipsoid ? numberAt(ellipsoid, 1) : undefined;
  const inverseFlattening = ellipsoid ? numberAt(ellipsoid, 2) : undefined;
  if (!ellipsoid || semiMajor === undefined || inverseFlattening === undefined)
    inexpressible(`the datum ${nameOf(datum!) ?? ''} has no ellipsoid`);
  const ellipsoidMetres = unitFactor(ellipsoid!, 'LENGTHUNIT', 'UNIT') ?? 1;
  const primeMeridian = child(node, 'PRIMEM');
  const primeMeridianUnit = primeMeridian
    ? (unitFactor(primeMeridian, 'ANGLEUNIT') ?? angularUnit)
    : angularUnit;
  const primeMeridianLongitude = primeMeridian
    ? (numberAt(primeMeridian, 1) ?? 0) * (primeMeridianUnit / angularUnit)
    : 0;
  const names = [
    `GCS Name = ${nameOf(node) ?? 'unknown'}`,
    `Datum = ${nameOf(datum!) ?? 'unknown'}`,
    `Ellipsoid = ${nameOf(ellipsoid!) ?? 'unknown'}`,
    `Primem = ${(primeMeridian && nameOf(primeMeridian)) ?? 'Greenwich'}`,
  ];
  keys.push({ id: 2048, type: 'short', value: USER_DEFINED });
  keys.push({ id: 2049, type: 'ascii', value: `${names.join('|')}|` });
  keys.push({
    id: 2050,
    type: 'short',
    value: (towgs84 === undefined ? epsgOf(datum!) : undefined) ?? USER_DEFINED,
  });
  const primeMeridianCode = primeMeridian ? epsgOf(primeMeridian) : 8901;
  if (primeMeridianCode !== undefined)
    keys.push({ id: 2051, type: 'short', value: primeMeridianCode });
  else {
    keys.push({ id: 2051, type: 'short', value: USER_DEFINED });
    keys.push({ id: 2061, type: 'double', value: primeMeridianLongitude });
  }
  keys.push(...angularUnitKeys(angularUnit));
  const ellipsoidCode = epsgOf(ellipsoid!);
  if (ellipsoidCode !== undefined) keys.push({ id: 2056, type: 'short', value: ellipsoidCode });
  else {
    keys.push({ id: 2056, type: 'short', value: USER_DEFINED });
    keys.push({ id: 2057, type: 'double', value: semiMajor! * ellipsoidMetres });
    // A sphere (inverse flattening 0) is written with its semi-minor axis, as GDAL does.
    if (inverseFlattening === 0)
      keys.push({ id: 2058, type: 'double', value: semiMajor! * ellipsoidMetres });
    else keys.push({ id: 2059, type: 'double', value: inverseFlattening! });
  }
  const datumTowgs84 = child(datum!, 'TOWGS84');
  const shift =
    towgs84 ?? datumTowgs84?.values.filter((value): value is number => typeof value === 'number');
  if (shift && shift.length > 0 && shift.some((value) => value !== 0))
    keys.push({ id: 2062, type: 'double', value: shift });
  return { keys, angularUnit };
}

/** The projection GeoKeys of a projected CRS node (WKT1 PROJCS, WKT2 PROJCRS). */
function projectionKeys(node: WktNode, angularUnit: number): GeoKeyEntry[] {
  const conversion = child(node, 'CONVERSION');
  const methodNode = conversion
    ? child(conversion, 'METHOD', 'PROJECTION')
    : child(node, 'PROJECTION');
  const methodName = methodNode ? nameOf(methodNode) : undefined;
  if (!methodNode || methodName === undefined)
    inexpressible(`projected CRS ${nameOf(node) ?? ''} has no projection method`);
  const methodCode = epsgOf(methodNode!);
  const method =
    METHODS[
      (methodCode !== undefined ? METHOD_CODES[methodCode] : undefined) ?? normalise(methodName!)
    ] ?? METHODS[normalise(methodName!)];
  if (!method)
    inexpressible(
      `the projection method '${methodName}' has no GeoTIFF coordinate transformation in pyramids`,
    );
  const linearUnit = unitOf(node, 'LENGTHUNIT') ?? 1;
  const values: Partial<Record<Parameter, number>> = {};
  for (const parameter of children(conversion ?? node, 'PARAMETER')) {
    const name = nameOf(parameter);
    const code = epsgOf(parameter);
    const key =
      (code !== undefined ? PARAMETER_CODES[code] : undefined) ??
      (name === undefined ? undefined : PARAMETER_NAMES[normalise(name)]);
    const value = numberAt(parameter, 1);
    if (key === undefined || value === undefined) {
      if (value !== undefined && value !== 0)
        inexpressible(`the projection parameter '${name}' = ${value} has no GeoKey`);
      continue;
    }
    // WKT2 gives each parameter its unit; GeoTIFF wants angles in the geographic unit, lengths in the projected one.
    const angle = unitFactor(parameter, 'ANGLEUNIT');
    const length = unitFactor(parameter, 'LENGTHUNIT');
    values[key] =
      angle !== undefined
        ? (value * angle) / angularUnit
        : length !== undefined
          ? (value * length) / linearUnit
          : value;
  }
  const keys: GeoKeyEntry[] = [
    { id: 3072, type: 'short', value: USER_DEFINED },
    { id: 3074, type: 'short', value: USER_DEFINED },
    { id: 3075, type: 'short', value: method!.code },
    ...linearUnitKeys(linearUnit, 3076, 3077),
  ];
  const defaults: Partial<Record<Parameter, number>> = { scale: 1 };
  for (const [parameter, id] of Object.entries(method!.keys) as [Parameter, number][]) {
    const value = values[parameter] ?? defaults[parameter] ?? 0;
    keys.push({ id, type: 'double', value });
  }
  for (const parameter of Object.keys(values) as Parameter[]) {
    if (
      method!.keys[parameter] === undefined &&
      values[parameter] !== 0 &&
      !(parameter === 'scale' && values[parameter] === 1)
    ) {
      inexpressible(`the parameter ${parameter} of '${methodName}' has no GeoKey`);
    }
  }
  return keys;
}

/** TOWGS84 of a WKT2 BOUNDCRS (its abridged transformation), if it is a Helmert shift. */
function boundTowgs84(node: WktNode): number[] | undefined {
  const transformation = child(node, 'ABRIDGEDTRANSFORMATION');
  if (!transformation) return undefined;
  const byCode = new Map<number, number>();
  for (const parameter of children(transformation, 'PARAMETER')) {
    const code = epsgOf(parameter);
    const value = numberAt(parameter, 1);
    if (code !== undefined && value !== undefined) byCode.set(code, value);
  }
  if (![8605, 8606, 8607].every((code) => byCode.has(code)))
    inexpressible('the BOUNDCRS transformation is not a Helmert shift');
  const scale = byCode.get(8611) ?? 0;
  // WKT2 from PROJ gives the scale as a ratio near 1; TOWGS84 wants parts per million.
  const ppm = Math.abs(scale - 1) < 0.01 ? (scale - 1) * 1e6 : scale;
  return [8605, 8606, 8607, 8608, 8609, 8610].map((code) => byCode.get(code) ?? 0).concat(ppm);
}

/**
 * GeoKeys for a CRS given as WKT (1 or 2) that has no EPSG code of its own, as
 * GDAL writes them: user-defined datum, ellipsoid, prime meridian and
 * projection parameters, with the names in the citations. Throws a TypeError
 * when the WKT is malformed or its CRS has no GeoTIFF equivalent (a method
 * GeoTIFF has no coordinate transformation for, a vertical-only CRS).
 */
export function geoKeysForWkt(wkt: string): GeoKeyDirectory {
  let root = parseWktTree(wkt.trim());
  let towgs84: number[] | undefined;
  if (root.keyword === 'BOUNDCRS') {
    towgs84 = boundTowgs84(root);
    const source = child(root, 'SOURCECRS');
    const inner = source?.values.find((value): value is WktNode => typeof value === 'object');
    if (!inner) inexpressible('the BOUNDCRS has no source CRS');
    root = inner!;
  }
  if (root.keyword === 'COMPD_CS' || root.keyword === 'COMPOUNDCRS') {
    const horizontal = root.values.find(
      (value): value is WktNode =>
        typeof value === 'object' &&
        /^(PROJCS|GEOGCS|PROJCRS|PROJECTEDCRS|GEOGCRS|GEOGRAPHICCRS|GEODCRS|GEODETICCRS)$/.test(
          value.keyword,
        ),
    );
    if (!horizontal) inexpressible('the compound CRS has no horizontal part');
    root = horizontal!;
  }
  const citation = nameOf(root);
  if (/^(PROJCS|PROJCRS|PROJECTEDCRS)$/.test(root.keyword)) {
    const base = child(root, 'GEOGCS', 'BASEGEOGCRS', 'BASEGEODCRS');
    if (!base) inexpressible(`projected CRS ${citation ?? ''} has no geographic base`);
    const geographic = geographicKeys(base!, towgs84);
    return {
      keys: [
        { id: 1024, type: 'short', value: 1 },
        { id: 1025, type: 'short', value: 1 },
        ...(citation ? [{ id: 1026, type: 'ascii' as const, value: citation }] : []),
        ...geographic.keys,
        ...projectionKeys(root, geographic.angularUnit),
      ],
    };
  }
  if (/^(GEOGCS|GEOGCRS|GEOGRAPHICCRS|GEODCRS|GEODETICCRS)$/.test(root.keyword)) {
    if (
      root.keyword.startsWith('GEOD') &&
      child(root, 'CS') &&
      /cartesian/i.test(String(child(root, 'CS')!.values[0]))
    ) {
      inexpressible('a geocentric CRS');
    }
    return {
      keys: [
        { id: 1024, type: 'short', value: 2 },
        { id: 1025, type: 'short', value: 1 },
        ...geographicKeys(root, towgs84).keys,
      ],
    };
  }
  return inexpressible(`a ${root.keyword} CRS`);
}
