import { describe, expect, it } from 'vitest';
import type { StacItem } from '../stac/stac-types.js';
import { bboxCentreLongitude, groupItems, itemIntersectsBbox, solarDay } from './group-items.js';

function item(
  id: string,
  datetime: string | null,
  bbox?: number[],
  properties: Record<string, unknown> = {},
): StacItem {
  return {
    type: 'Feature',
    id,
    bbox,
    geometry: null,
    properties: { datetime, ...properties },
    assets: {},
    links: [],
  } as unknown as StacItem;
}

describe('solarDay', () => {
  it('shifts the UTC datetime by the bbox centre longitude / 15 hours', () => {
    // 23:30 UTC at 150°E is 09:30 local on the next day.
    expect(solarDay(item('east', '2024-05-01T23:30:00Z', [149, -30, 151, -29]))).toBe('2024-05-02');
    // 02:00 UTC at 120°W is 18:00 local on the previous day.
    expect(solarDay(item('west', '2024-05-01T02:00:00Z', [-121, 40, -119, 41]))).toBe('2024-04-30');
    // No bbox: no shift.
    expect(solarDay(item('none', '2024-05-01T23:30:00Z'))).toBe('2024-05-01');
  });

  it('takes the centroid across the antimeridian', () => {
    // The cases of pyramids.stac's documented rule: a box centred on the antimeridian is at +180°, never -180°.
    expect(bboxCentreLongitude([179, 0, -179, 1])).toBe(180);
    expect(bboxCentreLongitude([170, 0, -170, 5])).toBe(180);
    expect(bboxCentreLongitude([170, 0, -150, 5])).toBe(-170);
    expect(bboxCentreLongitude([178, 0, -176, 1])).toBeCloseTo(-179);
    expect(bboxCentreLongitude([-5, 0, 5, 5])).toBe(0);
    // 23:00 UTC at +180° is 11:00 on the next day (at -180° it would wrongly stay on the same day).
    expect(solarDay(item('antimeridian', '2024-05-01T23:00:00Z', [170, -10, -170, 10]))).toBe(
      '2024-05-02',
    );
    expect(solarDay(item('antimeridian-early', '2024-05-01T11:00:00Z', [170, -10, -170, 10]))).toBe(
      '2024-05-01',
    );
    // 11:00 UTC at about 179°W (crossing bbox) is near midnight, the previous day, not 11:00 + 12 h.
    expect(solarDay(item('dateline', '2024-05-01T11:30:00Z', [178, 0, -176, 1]))).toBe(
      '2024-04-30',
    );
  });

  it('names the item that has no datetime', () => {
    expect(() => solarDay(item('S2B_no_time', null, [0, 0, 1, 1]))).toThrow(
      /item S2B_no_time has no datetime/,
    );
  });
});

describe('groupItems', () => {
  const items = [
    item('b', '2024-05-01T10:00:05Z', [10, 0, 11, 1], { 'grid:code': 'T1' }),
    item('a', '2024-05-01T10:00:05Z', [10, 0, 11, 1], { 'grid:code': 'T2' }),
    item('c', '2024-05-03T10:00:00Z', [10, 0, 11, 1], { 'grid:code': 'T1' }),
    item('d', '2024-05-01T09:59:00Z', [10, 0, 11, 1], { 'grid:code': 'T2' }),
  ];

  it('without groupby makes every item a time step, in (datetime, id) order', () => {
    expect(groupItems(items, undefined).map((group) => group.label)).toEqual(['d', 'a', 'b', 'c']);
  });

  it('groups by solar day and fuses in (datetime, id) order, or input order with preserveOrder', () => {
    const groups = groupItems(items, 'solar_day');
    expect(groups.map((group) => group.label)).toEqual(['2024-05-01', '2024-05-03']);
    expect(groups[0]!.items.map((member) => member.id)).toEqual(['d', 'a', 'b']);
    expect(groups[0]!.datetime?.toISOString()).toBe('2024-05-01T09:59:00.000Z');
    expect(groupItems(items, 'solar_day', true)[0]!.items.map((member) => member.id)).toEqual([
      'b',
      'a',
      'd',
    ]);
  });

  it('groups by time, id, a property or a function', () => {
    expect(groupItems(items, 'time').map((group) => group.items.length)).toEqual([1, 2, 1]);
    expect(
      groupItems([...items, items[0]!], 'id').find((group) => group.label === 'b')!.items,
    ).toHaveLength(2);
    expect(
      groupItems(items, 'grid:code').map((group) => [
        group.label,
        group.items.map((member) => member.id),
      ]),
    ).toEqual([
      ['T2', ['d', 'a']],
      ['T1', ['b', 'c']],
    ]);
    expect(
      groupItems(items, (member) => (member.id < 'c' ? 'early' : 'late')).map(
        (group) => group.label,
      ),
    ).toEqual(['late', 'early']);
  });

  it('says which item lacks the grouping property', () => {
    expect(() => groupItems([item('x', '2024-01-01T00:00:00Z')], 'grid:code')).toThrow(
      /cannot group by 'grid:code': item x has no such property/,
    );
  });
});

describe('itemIntersectsBbox', () => {
  it('handles the antimeridian on either side and keeps items without bbox', () => {
    const fiji = item('fiji', '2024-01-01T00:00:00Z', [177, -19, -179, -16]);
    expect(itemIntersectsBbox(fiji, [-179.5, -18, -179.2, -17])).toBe(true);
    expect(itemIntersectsBbox(fiji, [178, -18, 179, -17])).toBe(true);
    expect(itemIntersectsBbox(fiji, [0, -18, 10, -17])).toBe(false);
    expect(itemIntersectsBbox(item('plain', null, [10, 0, 11, 1]), [179, -1, -179, 2])).toBe(false);
    expect(itemIntersectsBbox(item('nobbox', null), [0, 0, 1, 1])).toBe(true);
  });
});
