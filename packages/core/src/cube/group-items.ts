import { OptionError } from '../errors/option-error.js';
import { StacAssetError } from '../errors/stac-asset-error.js';
import { itemBbox, itemDatetime, itemProperty } from '../stac/accessors.js';
import type { StacItem } from '../stac/stac-types.js';
import type { GroupBy } from './cube-options.js';
import { parseTimePeriod, periodOf } from './time-periods.js';

/** One time step: its label, its representative time and its items in fusing order. */
export interface ItemGroup {
  label: string;
  /** Start of the period (`groupby: 'P1M'`…), else the earliest datetime of the group's items (undefined when none has one). */
  datetime: Date | undefined;
  items: StacItem[];
}

/**
 * Centre longitude of an Item's bbox, antimeridian-aware (a bbox with west > east
 * crosses it), in [-180, 180] by pyramids.stac's rule: a crossing box is averaged
 * with its east edge moved by +360° and brought back only when past 180°, so a
 * box centred on the antimeridian (170..-170) is at +180°, twelve hours ahead.
 */
export function bboxCentreLongitude(bbox: [number, number, number, number]): number {
  const [west, , east] = bbox;
  if (west <= east) return (west + east) / 2;
  const centre = (west + east + 360) / 2;
  return centre > 180 ? centre - 360 : centre;
}

/**
 * The solar day of an Item as `YYYY-MM-DD`: its UTC datetime shifted by the bbox
 * centre's longitude / 15 hours (no bbox: no shift). StacAssetError without a datetime.
 */
export function solarDay(item: StacItem): string {
  const datetime = itemDatetime(item);
  if (!datetime) {
    throw new StacAssetError(
      `item ${item.id} has no datetime (nor start/end_datetime), so it has no solar day; give it one or use another groupby`,
      {
        details: { item: item.id },
      },
    );
  }
  const bbox = itemBbox(item);
  const shiftHours = bbox ? bboxCentreLongitude(bbox) / 15 : 0;
  return new Date(datetime.getTime() + shiftHours * 3_600_000).toISOString().slice(0, 10);
}

function compareItems(a: StacItem, b: StacItem): number {
  const timeA = itemDatetime(a)?.getTime() ?? Number.POSITIVE_INFINITY;
  const timeB = itemDatetime(b)?.getTime() ?? Number.POSITIVE_INFINITY;
  if (timeA !== timeB) return timeA < timeB ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function keyOf(item: StacItem, groupby: GroupBy | undefined): string {
  if (groupby === undefined) return item.id;
  if (typeof groupby === 'function') {
    const value = groupby(item);
    return value instanceof Date ? value.toISOString() : String(value);
  }
  if (groupby === 'solar_day') return solarDay(item);
  if (groupby === 'id') return item.id;
  if (groupby === 'time') {
    const datetime = itemDatetime(item);
    if (!datetime)
      throw new StacAssetError(`item ${item.id} has no datetime to group by time`, {
        details: { item: item.id },
      });
    return datetime.toISOString();
  }
  const value = itemProperty(item, groupby);
  if (value === undefined || value === null) {
    throw new OptionError(
      `cannot group by '${groupby}': item ${item.id} has no such property; use solar_day, time, id, a property every item has, or a function`,
    );
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * Groups items into time steps. Without `groupby` every item is its own step; a period
 * (`P1M`, `season`, … see {@link parseTimePeriod}) groups by the period of each Item's solar day.
 * Items in a group are in (datetime, id) order, or input order with
 * `preserveOrder`. Steps are ordered by their earliest datetime, then label.
 */
export function groupItems(
  items: StacItem[],
  groupby: GroupBy | undefined,
  preserveOrder = false,
): ItemGroup[] {
  const ordered = preserveOrder ? [...items] : [...items].sort(compareItems);
  const period = typeof groupby === 'string' ? parseTimePeriod(groupby) : undefined;
  const groups = new Map<string, StacItem[]>();
  const starts = new Map<string, Date>();
  for (const item of ordered) {
    let key: string;
    if (period) {
      const { label, start } = periodOf(solarDay(item), period);
      key = label;
      starts.set(label, start);
    } else key = keyOf(item, groupby);
    const list = groups.get(key);
    if (list) list.push(item);
    else groups.set(key, [item]);
  }
  const result: ItemGroup[] = [...groups.entries()].map(([label, members]) => {
    const times = members
      .map((item) => itemDatetime(item)?.getTime())
      .filter((time): time is number => time !== undefined);
    return {
      label,
      datetime: starts.get(label) ?? (times.length ? new Date(Math.min(...times)) : undefined),
      items: members,
    };
  });
  result.sort((a, b) => {
    const timeA = a.datetime?.getTime() ?? Number.POSITIVE_INFINITY;
    const timeB = b.datetime?.getTime() ?? Number.POSITIVE_INFINITY;
    if (timeA !== timeB) return timeA < timeB ? -1 : 1;
    return a.label < b.label ? -1 : a.label > b.label ? 1 : 0;
  });
  return result;
}

/** True when an Item's bbox intersects `bbox` (both lon/lat, either may cross the antimeridian); items without bbox pass. */
export function itemIntersectsBbox(
  item: StacItem,
  bbox: [number, number, number, number],
): boolean {
  const own = itemBbox(item);
  if (!own) return true;
  if (own[1] > bbox[3] || own[3] < bbox[1]) return false;
  const spans = (box: [number, number, number, number]): [number, number][] =>
    box[0] <= box[2]
      ? [[box[0], box[2]]]
      : [
          [box[0], 180],
          [-180, box[2]],
        ];
  return spans(own).some(([a0, a1]) => spans(bbox).some(([b0, b1]) => a0 <= b1 && b0 <= a1));
}
