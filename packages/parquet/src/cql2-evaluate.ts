// A small CQL2-JSON evaluator for searching a stac-geoparquet file on the client:
// comparisons, and/or/not, in, between, like, isNull, s_intersects (on bounding
// boxes), t_intersects and friends on instants and intervals.
import { OptionError, type Geometry, type StacItem } from '@pyramids/core';
import { geometryBounds, type Bounds } from './geometry-bounds.js';
import { parseTimestampMicros } from './timestamps.js';

/** A CQL2-JSON expression. */
export type Cql2Expression = { op: string; args: unknown[] } | boolean;

/** Evaluates a CQL2-JSON filter against an Item; throws OptionError for unsupported operators. */
export function evaluateCql2(expression: unknown, item: StacItem): boolean {
  const result = evaluate(expression, item);
  return result === true;
}

/** Checks a filter once, before any row is read, so a typo fails fast with a clear message. */
export function validateCql2(expression: unknown): void {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (typeof record['op'] === 'string') {
      if (!OPERATORS.has(record['op'].toLowerCase())) {
        throw new OptionError(
          `CQL2 operator '${record['op']}' is not supported by searchGeoParquet; supported: ${[...OPERATORS].join(', ')}`,
        );
      }
      if (!Array.isArray(record['args']))
        throw new OptionError(`CQL2 operator '${record['op']}' needs an "args" array`);
      visit(record['args']);
    }
  };
  if (typeof expression === 'boolean') return;
  if (
    !expression ||
    typeof expression !== 'object' ||
    typeof (expression as { op?: unknown }).op !== 'string'
  ) {
    throw new OptionError(
      'a CQL2-JSON filter is an object with "op" and "args", e.g. {"op":"<=","args":[{"property":"eo:cloud_cover"},10]}',
    );
  }
  visit(expression);
}

const OPERATORS = new Set([
  'and',
  'or',
  'not',
  '=',
  '<>',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'in',
  'between',
  'like',
  'isnull',
  's_intersects',
  's_within',
  's_contains',
  's_disjoint',
  's_equals',
  't_intersects',
  't_before',
  't_after',
  't_during',
  't_equals',
  'anyinteracts',
  'a_contains',
  'a_containedby',
  'a_overlaps',
  'a_equals',
  'casei',
  'accenti',
]);

type Value = unknown;

function evaluate(node: unknown, item: StacItem): Value {
  if (node === null || typeof node !== 'object') return node;
  if (Array.isArray(node)) return node.map((entry) => evaluate(entry, item));
  const record = node as Record<string, unknown>;
  if ('property' in record) return propertyValue(item, String(record['property']));
  if ('timestamp' in record) return { instant: String(record['timestamp']) };
  if ('date' in record) return { instant: String(record['date']) };
  if ('interval' in record) return { interval: record['interval'] as string[] };
  if ('bbox' in record) return { bbox: record['bbox'] as number[] };
  if ('type' in record && ('coordinates' in record || 'geometries' in record))
    return { geometry: record as unknown as Geometry };
  if (typeof record['op'] !== 'string') return node;
  const op = record['op'].toLowerCase();
  const args = (record['args'] as unknown[]) ?? [];
  switch (op) {
    case 'and':
      return args.every((arg) => evaluate(arg, item) === true);
    case 'or':
      return args.some((arg) => evaluate(arg, item) === true);
    case 'not':
      return evaluate(args[0], item) !== true;
    case 'isnull': {
      const value = evaluate(args[0], item);
      return value === null || value === undefined;
    }
    case 'casei':
      return lower(evaluate(args[0], item));
    case 'accenti':
      return stripAccents(evaluate(args[0], item));
    case 'in': {
      const value = evaluate(args[0], item);
      const list = evaluate(args[1], item) as unknown[];
      return Array.isArray(list) && list.some((entry) => compare(value, entry) === 0);
    }
    case 'between': {
      const value = evaluate(args[0], item);
      const low = compare(value, evaluate(args[1], item));
      const high = compare(value, evaluate(args[2], item));
      return low !== undefined && high !== undefined && low >= 0 && high <= 0;
    }
    case 'like': {
      const value = evaluate(args[0], item);
      const pattern = evaluate(args[1], item);
      return (
        typeof value === 'string' &&
        typeof pattern === 'string' &&
        likeToRegExp(pattern).test(value)
      );
    }
    case '=':
    case '<>':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const order = compare(evaluate(args[0], item), evaluate(args[1], item));
      if (order === undefined) return false;
      return op === '='
        ? order === 0
        : op === '<>' || op === '!='
          ? order !== 0
          : op === '<'
            ? order < 0
            : op === '<='
              ? order <= 0
              : op === '>'
                ? order > 0
                : order >= 0;
    }
    case 's_intersects':
    case 's_within':
    case 's_contains':
    case 's_equals':
    case 's_disjoint': {
      const a = toBounds(evaluate(args[0], item));
      const b = toBounds(evaluate(args[1], item));
      if (!a || !b) return false;
      const intersects = a[0] <= b[2] && a[2] >= b[0] && a[1] <= b[3] && a[3] >= b[1];
      if (op === 's_intersects') return intersects;
      if (op === 's_disjoint') return !intersects;
      const within = (inner: Bounds, outer: Bounds) =>
        inner[0] >= outer[0] &&
        inner[1] >= outer[1] &&
        inner[2] <= outer[2] &&
        inner[3] <= outer[3];
      if (op === 's_within') return within(a, b);
      if (op === 's_contains') return within(b, a);
      return a.every((value, index) => value === b[index]);
    }
    case 't_intersects':
    case 'anyinteracts':
    case 't_before':
    case 't_after':
    case 't_during':
    case 't_equals': {
      const a = toInterval(evaluate(args[0], item));
      const b = toInterval(evaluate(args[1], item));
      if (!a || !b) return false;
      if (op === 't_before') return a[1] < b[0];
      if (op === 't_after') return a[0] > b[1];
      if (op === 't_during') return a[0] >= b[0] && a[1] <= b[1];
      if (op === 't_equals') return a[0] === b[0] && a[1] === b[1];
      return a[0] <= b[1] && a[1] >= b[0];
    }
    case 'a_contains':
    case 'a_containedby':
    case 'a_overlaps':
    case 'a_equals': {
      const a = evaluate(args[0], item);
      const b = evaluate(args[1], item);
      if (!Array.isArray(a) || !Array.isArray(b)) return false;
      const has = (list: unknown[], value: unknown) =>
        list.some((entry) => compare(entry, value) === 0);
      if (op === 'a_contains') return b.every((value) => has(a, value));
      if (op === 'a_containedby') return a.every((value) => has(b, value));
      if (op === 'a_overlaps') return a.some((value) => has(b, value));
      return (
        a.length === b.length &&
        a.every((value) => has(b, value)) &&
        b.every((value) => has(a, value))
      );
    }
    default:
      throw new OptionError(`CQL2 operator '${op}' is not supported by searchGeoParquet`);
  }
}

/** Where CQL2 finds a property: Item fields by name, else `properties`. */
function propertyValue(item: StacItem, name: string): unknown {
  switch (name) {
    case 'id':
      return item.id;
    case 'collection':
      return item.collection;
    case 'geometry':
      return item.geometry ? { geometry: item.geometry } : undefined;
    case 'bbox':
      return item.bbox ? { bbox: item.bbox } : undefined;
    default: {
      const key = name.startsWith('properties.') ? name.slice('properties.'.length) : name;
      const value = item.properties[key];
      if (
        (key === 'datetime' ||
          key.endsWith('_datetime') ||
          key === 'created' ||
          key === 'updated') &&
        typeof value === 'string'
      ) {
        return { instant: value };
      }
      if (
        key === 'datetime' &&
        value === null &&
        typeof item.properties['start_datetime'] === 'string'
      ) {
        return {
          interval: [
            item.properties['start_datetime'] as string,
            (item.properties['end_datetime'] as string) ?? '..',
          ],
        };
      }
      return value;
    }
  }
}

function compare(a: unknown, b: unknown): number | undefined {
  if (a === undefined || a === null || b === undefined || b === null) return undefined;
  const ta = toInterval(a);
  const tb = toInterval(b);
  if (isTemporal(a) || isTemporal(b)) {
    if (!ta || !tb) return undefined;
    return ta[0] < tb[0] ? -1 : ta[0] > tb[0] ? 1 : 0;
  }
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  return undefined;
}

function isTemporal(value: unknown): boolean {
  return !!value && typeof value === 'object' && ('instant' in value || 'interval' in value);
}

/** An instant or interval as [start, end] in microseconds; strings that are RFC 3339 count too. */
function toInterval(value: unknown): [bigint, bigint] | undefined {
  const parse = (text: string | undefined, open: bigint): bigint | undefined => {
    if (text === undefined || text === '..' || text === '') return open;
    const full = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text;
    return parseTimestampMicros(full);
  };
  if (value && typeof value === 'object') {
    if ('instant' in value) {
      const instant = parse((value as { instant: string }).instant, 0n);
      return instant === undefined ? undefined : [instant, instant];
    }
    if ('interval' in value) {
      const [start, end] = (value as { interval: string[] }).interval;
      const a = parse(start, -(2n ** 62n));
      const b = parse(end, 2n ** 62n);
      return a === undefined || b === undefined ? undefined : [a, b];
    }
  }
  if (typeof value === 'string') {
    const instant = parse(value, 0n);
    return instant === undefined ? undefined : [instant, instant];
  }
  return undefined;
}

function toBounds(value: unknown): Bounds | undefined {
  if (!value || typeof value !== 'object') return undefined;
  if ('bbox' in value) {
    const bbox = (value as { bbox: number[] }).bbox;
    return bbox.length === 6
      ? [bbox[0]!, bbox[1]!, bbox[3]!, bbox[4]!]
      : [bbox[0]!, bbox[1]!, bbox[2]!, bbox[3]!];
  }
  if ('geometry' in value) return geometryBounds((value as { geometry: Geometry }).geometry);
  return undefined;
}

function lower(value: unknown): unknown {
  return typeof value === 'string' ? value.toLowerCase() : value;
}

function stripAccents(value: unknown): unknown {
  return typeof value === 'string' ? value.normalize('NFD').replace(/\p{Diacritic}/gu, '') : value;
}

function likeToRegExp(pattern: string): RegExp {
  let source = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index]!;
    if (char === '\\' && index + 1 < pattern.length)
      source += pattern[++index]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (char === '%') source += '.*';
    else if (char === '_') source += '.';
    else source += char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}
