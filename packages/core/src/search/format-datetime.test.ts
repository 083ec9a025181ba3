import { describe, expect, it } from 'vitest';
import { formatDatetime, SearchError } from '@pyramids/core';

describe('formatDatetime (as pystac-client)', () => {
  it.each([
    ['2023', '2023-01-01T00:00:00Z/2023-12-31T23:59:59Z'],
    ['2024-02', '2024-02-01T00:00:00Z/2024-02-29T23:59:59Z'],
    ['2023-10-08', '2023-10-08T00:00:00Z/2023-10-08T23:59:59Z'],
    ['2023-06/2023-08', '2023-06-01T00:00:00Z/2023-08-31T23:59:59Z'],
    ['2023-12-31/2024', '2023-12-31T00:00:00Z/2024-12-31T23:59:59Z'],
    ['2023-01-01/..', '2023-01-01T00:00:00Z/..'],
    ['../2023-01-01', '../2023-01-01T23:59:59Z'],
    ['/2023', '../2023-12-31T23:59:59Z'],
    ['2019-01-01T00:00:01Z/2019-01-01T00:00:10Z', '2019-01-01T00:00:01Z/2019-01-01T00:00:10Z'],
    ['2019-01-01T10:00:00', '2019-01-01T10:00:00Z'],
    ['2019-01-01T10:00:00+02:00', '2019-01-01T10:00:00+02:00'],
    ['2019-01-01t10:00:00.5z', '2019-01-01t10:00:00.5z'],
  ])('%s → %s', (input, expected) => {
    expect(formatDatetime(input)).toBe(expected);
  });

  it('writes Date objects in UTC, with milliseconds only when there are some', () => {
    expect(formatDatetime(new Date('2020-05-01T12:00:00+02:00'))).toBe('2020-05-01T10:00:00Z');
    expect(formatDatetime(new Date(Date.UTC(2020, 0, 1, 0, 0, 0, 250)))).toBe(
      '2020-01-01T00:00:00.250Z',
    );
    expect(formatDatetime([new Date('2020-01-01T00:00:00Z'), null])).toBe(
      '2020-01-01T00:00:00Z/..',
    );
    expect(formatDatetime([undefined, '2020-03'])).toBe('../2020-03-31T23:59:59Z');
  });

  it.each([
    ['2023-13', /cannot read '2023-13'/],
    ['2023-02-30', /cannot read/],
    ['yesterday', /cannot read/],
    ['2023-01-01T10:00', /cannot read/],
    ['../..', /open at both ends/],
    ['2023/2024/2025', /too many components/],
    ['2024/2023', /ends before it starts/],
    ['..', /'..' alone/],
  ])('refuses %s', (input, message) => {
    expect(() => formatDatetime(input)).toThrow(SearchError);
    expect(() => formatDatetime(input)).toThrow(message);
  });

  it('refuses an invalid Date', () => {
    expect(() => formatDatetime(new Date('nope'))).toThrow(/invalid Date/);
  });
});
