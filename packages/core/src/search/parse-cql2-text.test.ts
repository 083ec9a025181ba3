import { describe, expect, it } from 'vitest';
import { parseCql2Text, SearchError } from '@pyramids/core';

const property = (name: string) => ({ property: name });

describe('parseCql2Text', () => {
  it('converts comparisons, as the recorded Earth Search filter but with CQL2 1.0 operators', () => {
    expect(parseCql2Text('eo:cloud_cover <= 40')).toEqual({
      op: '<=',
      args: [property('eo:cloud_cover'), 40],
    });
    expect(parseCql2Text("collection <> 'naip'")).toEqual({
      op: '<>',
      args: [property('collection'), 'naip'],
    });
    expect(parseCql2Text('"my prop" >= -1.5e2')).toEqual({
      op: '>=',
      args: [property('my prop'), -150],
    });
  });

  it('gives AND precedence over OR and handles NOT and parentheses', () => {
    expect(parseCql2Text('a = 1 OR b = 2 AND NOT c = 3')).toEqual({
      op: 'or',
      args: [
        { op: '=', args: [property('a'), 1] },
        {
          op: 'and',
          args: [
            { op: '=', args: [property('b'), 2] },
            { op: 'not', args: [{ op: '=', args: [property('c'), 3] }] },
          ],
        },
      ],
    });
    expect(parseCql2Text('(a = 1 or b = 2) and c = 3')).toEqual({
      op: 'and',
      args: [
        {
          op: 'or',
          args: [
            { op: '=', args: [property('a'), 1] },
            { op: '=', args: [property('b'), 2] },
          ],
        },
        { op: '=', args: [property('c'), 3] },
      ],
    });
  });

  it('converts LIKE, BETWEEN, IN, IS NULL and their negations', () => {
    expect(parseCql2Text("id LIKE 'S2A%'")).toEqual({ op: 'like', args: [property('id'), 'S2A%'] });
    expect(parseCql2Text("id NOT LIKE 'it''s'")).toEqual({
      op: 'not',
      args: [{ op: 'like', args: [property('id'), "it's"] }],
    });
    expect(parseCql2Text('gsd BETWEEN 10 AND 30')).toEqual({
      op: 'between',
      args: [property('gsd'), 10, 30],
    });
    expect(parseCql2Text("platform IN ('sentinel-2a', 'sentinel-2b')")).toEqual({
      op: 'in',
      args: [property('platform'), ['sentinel-2a', 'sentinel-2b']],
    });
    expect(parseCql2Text('platform NOT IN (1)')).toEqual({
      op: 'not',
      args: [{ op: 'in', args: [property('platform'), [1]] }],
    });
    expect(parseCql2Text('x IS NOT NULL')).toEqual({
      op: 'not',
      args: [{ op: 'isNull', args: [property('x')] }],
    });
    expect(parseCql2Text('flag = TRUE')).toEqual({ op: '=', args: [property('flag'), true] });
  });

  it('converts spatial operators with WKT and BBOX literals', () => {
    expect(parseCql2Text('S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1, 0 0)))')).toEqual({
      op: 's_intersects',
      args: [
        property('geometry'),
        {
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [1, 0],
              [1, 1],
              [0, 0],
            ],
          ],
        },
      ],
    });
    expect(parseCql2Text('s_within(geometry, BBOX(-10, -5.5, 10, 5))')).toEqual({
      op: 's_within',
      args: [property('geometry'), { bbox: [-10, -5.5, 10, 5] }],
    });
    expect(parseCql2Text('S_INTERSECTS(geometry, MULTIPOINT((1 2), (3 4)))')).toMatchObject({
      args: [
        property('geometry'),
        {
          type: 'MultiPoint',
          coordinates: [
            [1, 2],
            [3, 4],
          ],
        },
      ],
    });
    expect(parseCql2Text('S_INTERSECTS(geometry, POINT Z (1 2 3))')).toMatchObject({
      args: [{}, { type: 'Point', coordinates: [1, 2, 3] }],
    });
  });

  it('converts temporal literals and functions', () => {
    expect(parseCql2Text("datetime > TIMESTAMP('2023-01-01T00:00:00Z')")).toEqual({
      op: '>',
      args: [property('datetime'), { timestamp: '2023-01-01T00:00:00Z' }],
    });
    expect(parseCql2Text("T_INTERSECTS(datetime, INTERVAL('2023-01-01', '..'))")).toEqual({
      op: 't_intersects',
      args: [property('datetime'), { interval: ['2023-01-01', '..'] }],
    });
    expect(parseCql2Text("CASEI(name) = casei('A')")).toEqual({
      op: '=',
      args: [
        { op: 'casei', args: [property('name')] },
        { op: 'casei', args: ['A'] },
      ],
    });
  });

  it('converts arithmetic with precedence', () => {
    expect(parseCql2Text('a + b * 2 > 10')).toEqual({
      op: '>',
      args: [{ op: '+', args: [property('a'), { op: '*', args: [property('b'), 2] }] }, 10],
    });
  });

  it.each([
    [
      'eo:cloud_cover <= AND 40',
      /position 18 \(near 'AND 40'\): found 'AND' where a value or a property name was expected/,
    ],
    ["id = 'open", /never closed/],
    ['a = 1 b', /the end of the expression/],
    ['S_INTERSECTS(geometry, POINT(1))', /position of 2 or 3 numbers/],
    ['a ! 3', /unexpected character '!'/],
    ['   ', /empty/],
  ])('refuses %s with a SearchError', (text, message) => {
    expect(() => parseCql2Text(text)).toThrow(SearchError);
    expect(() => parseCql2Text(text)).toThrow(message);
  });
});
