import { OptionError } from '@pyramids/core';
import { describe, expect, it } from 'vitest';
import { parseCql2Text } from './cql2-text.js';

const property = (name: string) => ({ property: name });

describe('parseCql2Text', () => {
  it.each([
    ['eo:cloud_cover <= 40', { op: '<=', args: [property('eo:cloud_cover'), 40] }],
    ["collection = 'sentinel-2-l2a' AND NOT (platform <> 'Sentinel-2B')", {
      op: 'and',
      args: [{ op: '=', args: [property('collection'), 'sentinel-2-l2a'] }, { op: 'not', args: [{ op: '<>', args: [property('platform'), 'Sentinel-2B'] }] }],
    }],
    ['a = 1 OR b = 2 AND c = 3', { op: 'or', args: [{ op: '=', args: [property('a'), 1] }, { op: 'and', args: [{ op: '=', args: [property('b'), 2] }, { op: '=', args: [property('c'), 3] }] }] }],
    ["id LIKE 'S2B%'", { op: 'like', args: [property('id'), 'S2B%'] }],
    ["id NOT LIKE 'S2B%'", { op: 'not', args: [{ op: 'like', args: [property('id'), 'S2B%'] }] }],
    ['gsd BETWEEN 10 AND 60.5', { op: 'between', args: [property('gsd'), 10, 60.5] }],
    ["platform IN ('landsat-8', 'landsat-9')", { op: 'in', args: [property('platform'), ['landsat-8', 'landsat-9']] }],
    ['"eo:snow_cover" IS NOT NULL', { op: 'not', args: [{ op: 'isNull', args: [property('eo:snow_cover')] }] }],
    ['view:off_nadir > -1.5e1', { op: '>', args: [property('view:off_nadir'), -15] }],
    ["datetime > TIMESTAMP('2024-01-01T00:00:00Z')", { op: '>', args: [property('datetime'), { timestamp: '2024-01-01T00:00:00Z' }] }],
    ["T_INTERSECTS(datetime, INTERVAL('2024-01-01', '..'))", { op: 't_intersects', args: [property('datetime'), { interval: ['2024-01-01', '..'] }] }],
    ['S_INTERSECTS(geometry, POINT(-105.1 40.2))', { op: 's_intersects', args: [property('geometry'), { type: 'Point', coordinates: [-105.1, 40.2] }] }],
    ['S_WITHIN(geometry, POLYGON((0 0, 1 0, 1 1, 0 0)))', { op: 's_within', args: [property('geometry'), { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] }] }],
    ['S_INTERSECTS(geometry, MULTIPOINT((1 2), (3 4)))', { op: 's_intersects', args: [property('geometry'), { type: 'MultiPoint', coordinates: [[1, 2], [3, 4]] }] }],
    ['S_INTERSECTS(geometry, BBOX(-10, -5.5, 10, 5.5))', { op: 's_intersects', args: [property('geometry'), { bbox: [-10, -5.5, 10, 5.5] }] }],
    ["CASEI(platform) = casei('SENTINEL-2A')", { op: '=', args: [{ op: 'casei', args: [property('platform')] }, { op: 'casei', args: ['SENTINEL-2A'] }] }],
    ["A_CONTAINS(instruments, ('msi'))", { op: 'a_contains', args: [property('instruments'), ['msi']] }],
    ["title = 'it''s'", { op: '=', args: [property('title'), "it's"] }],
  ])('%s', (text, expected) => {
    expect(parseCql2Text(text)).toEqual(expected);
  });

  it.each([
    ['eo:cloud_cover <=', /unexpected end of the filter/],
    ["id = 'open", /unterminated string/],
    ['a = 1 b = 2', /unexpected 'b' at character 7/],
    ['gsd BETWEEN 1 OR 2', /expected AND/],
    ['', /the filter is empty/],
  ])('rejects %j with a message naming the position', (text, message) => {
    expect(() => parseCql2Text(text)).toThrow(OptionError);
    expect(() => parseCql2Text(text)).toThrow(message);
  });
});
