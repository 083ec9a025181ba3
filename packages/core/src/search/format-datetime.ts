// The `datetime` parameter of a STAC item search, written the way pystac-client writes it,
// so the same call sends the same request from Python and from here.
import { SearchError } from '../errors/search-error.js';

/** One end of a datetime range: an RFC 3339 / shorthand string, a `Date`, or open (`..`, `null`). */
export type DatetimeComponent = string | Date | null | undefined;

/**
 * What `datetime` accepts: a single instant or shorthand (`2023`, `2023-06`, `2023-06-01`,
 * `2023-06-01T10:00:00Z`), a range string (`2023-06/2023-08`, `2023-01-01/..`), a `Date`,
 * or a `[start, end]` pair where either end may be open (`null`, `undefined`, `'..'`).
 */
export type DatetimeInput = string | Date | readonly [DatetimeComponent, DatetimeComponent];

const DATETIME_PATTERN =
  /^(?<year>\d{4})(-(?<month>\d{2})(-(?<day>\d{2})(?<remainder>[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?(?<zone>[Zz]|[-+]\d{2}:\d{2})?)?)?)?$/;

/** `2023-06-01T00:00:00Z`, with milliseconds only when there are some (as Python's isoformat). */
function toUtcIso(date: Date): string {
  if (Number.isNaN(date.getTime()))
    throw new SearchError('datetime: invalid Date object; pass a valid Date or an RFC 3339 string');
  const text = date.toISOString();
  return text.endsWith('.000Z') ? `${text.slice(0, -5)}Z` : text;
}

function invalid(component: string): SearchError {
  return new SearchError(
    `datetime: cannot read '${component}'; use RFC 3339 (2023-06-01T10:00:00Z) or a shorthand (2023, 2023-06, 2023-06-01), ` +
      `and '..' for an open end of a range`,
  );
}

/** Start and, for a shorthand, end of one component. An exact instant has no end. */
function expandComponent(component: DatetimeComponent): [string, string | undefined] {
  if (component === null || component === undefined || component === '..' || component === '')
    return ['..', undefined];
  if (component instanceof Date) return [toUtcIso(component), undefined];
  const match = DATETIME_PATTERN.exec(component.trim());
  if (!match?.groups) throw invalid(component);
  const { year, month, day, remainder, zone } = match.groups;
  if (remainder) {
    const text = component.trim();
    const checked = Date.parse(zone ? text : `${text}Z`);
    if (Number.isNaN(checked)) throw invalid(component);
    return [zone ? text : `${text}Z`, undefined];
  }
  const y = Number(year);
  const m = month === undefined ? undefined : Number(month) - 1;
  const d = day === undefined ? undefined : Number(day);
  const start = new Date(Date.UTC(y, m ?? 0, d ?? 1));
  // Reject 2023-02-30 and friends instead of letting Date roll them over.
  if (
    (m !== undefined && start.getUTCMonth() !== m) ||
    (d !== undefined && start.getUTCDate() !== d)
  )
    throw invalid(component);
  const next =
    d !== undefined
      ? Date.UTC(y, m!, d + 1)
      : m !== undefined
        ? Date.UTC(y, m + 1, 1)
        : Date.UTC(y + 1, 0, 1);
  // The last second of the period, as pystac-client does (relativedelta(..., seconds=-1)).
  return [toUtcIso(start), toUtcIso(new Date(next - 1000))];
}

/**
 * Formats a `datetime` search parameter. Mirrors pystac-client's `_format_datetime`:
 * shorthand dates expand to the whole period in UTC (`2023` →
 * `2023-01-01T00:00:00Z/2023-12-31T23:59:59Z`, `2023-06/2023-08` →
 * `2023-06-01T00:00:00Z/2023-08-31T23:59:59Z`); a timestamp without a zone is taken as UTC
 * (`Z` appended); a zone offset is kept; `Date` objects are written in UTC. A fully open
 * range (`../..`) is refused, since the STAC API spec does not define it.
 * @throws SearchError when a component cannot be read.
 */
export function formatDatetime(value: DatetimeInput): string {
  if (value instanceof Date) return toUtcIso(value);
  let components: DatetimeComponent[];
  if (typeof value === 'string') components = value.split('/');
  else if (Array.isArray(value)) components = [...(value as readonly DatetimeComponent[])];
  else throw new SearchError('datetime: expected a string, a Date or a [start, end] pair');
  if (components.length === 1) {
    const [start, end] = expandComponent(components[0]);
    if (start === '..')
      throw new SearchError(
        "datetime: '..' alone is not a date; give a date or a range such as 2023-01-01/..",
      );
    return end === undefined ? start : `${start}/${end}`;
  }
  if (components.length !== 2) {
    throw new SearchError(
      `datetime: too many components (at most 2, got ${components.length}) in ${JSON.stringify(value)}`,
    );
  }
  const [start] = expandComponent(components[0]);
  const [endStart, endEnd] = expandComponent(components[1]);
  const end = endEnd ?? endStart;
  if (start === '..' && end === '..') {
    throw new SearchError(
      'datetime: a range open at both ends (../..) is not allowed; leave datetime out to search all times',
    );
  }
  if (start !== '..' && end !== '..' && Date.parse(start) > Date.parse(end)) {
    throw new SearchError(`datetime: the range ${start}/${end} ends before it starts`);
  }
  return `${start}/${end}`;
}
