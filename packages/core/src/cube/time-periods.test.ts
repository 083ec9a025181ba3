import { describe, expect, it } from 'vitest';
import { OptionError } from '../errors/option-error.js';
import { parseTimePeriod, periodOf, type TimePeriod } from './time-periods.js';

const label = (day: string, groupby: string) => periodOf(day, parseTimePeriod(groupby)!).label;
const start = (day: string, groupby: string) =>
  periodOf(day, parseTimePeriod(groupby)!).start.toISOString().slice(0, 10);

describe('parseTimePeriod', () => {
  it('reads ISO 8601 durations and the usual words', () => {
    const month: TimePeriod = { unit: 'month', count: 1, firstMonth: 0 };
    expect(parseTimePeriod('P1M')).toEqual(month);
    expect(parseTimePeriod('month')).toEqual(month);
    expect(parseTimePeriod('P1Y')).toEqual({ unit: 'month', count: 12, firstMonth: 0 });
    expect(parseTimePeriod('P12M')).toEqual(parseTimePeriod('year'));
    expect(parseTimePeriod('quarter')).toEqual(parseTimePeriod('P3M'));
    expect(parseTimePeriod('season')).toEqual({ unit: 'month', count: 3, firstMonth: 11 });
    expect(parseTimePeriod('P1W')).toEqual({ unit: 'week', count: 1, firstMonth: 0 });
    expect(parseTimePeriod('P1D')).toEqual({ unit: 'day', count: 1, firstMonth: 0 });
  });

  it('leaves other keys to the property and built-in groupings', () => {
    expect(parseTimePeriod('solar_day')).toBeUndefined();
    expect(parseTimePeriod('grid:code')).toBeUndefined();
    expect(parseTimePeriod('PT1H')).toBeUndefined();
  });

  it('refuses a duration that does not tile the calendar, saying which do', () => {
    for (const groupby of ['P5M', 'P2Y', 'P10D', 'P2W', 'P0M'])
      expect(() => parseTimePeriod(groupby)).toThrow(OptionError);
    expect(() => parseTimePeriod('P5M')).toThrow(/use P1D, P1W, P1M, P2M, P3M, P4M, P6M, P1Y/);
  });
});

describe('periodOf', () => {
  it('labels days, months and years as ISO 8601 dates, starting at the period', () => {
    expect(label('2024-05-06', 'P1D')).toBe('2024-05-06');
    expect(label('2024-05-31', 'P1M')).toBe('2024-05');
    expect(start('2024-05-31', 'P1M')).toBe('2024-05-01');
    expect(label('2024-12-31', 'P1Y')).toBe('2024');
    expect(start('2024-12-31', 'P1Y')).toBe('2024-01-01');
  });

  it('labels multi-month periods as intervals aligned on January', () => {
    expect(label('2024-05-06', 'P3M')).toBe('2024-04/2024-06');
    expect(label('2024-01-01', 'P3M')).toBe('2024-01/2024-03');
    expect(label('2024-12-31', 'P6M')).toBe('2024-07/2024-12');
    expect(label('2024-08-15', 'P4M')).toBe('2024-05/2024-08');
    expect(label('2024-02-29', 'P2M')).toBe('2024-01/2024-02');
  });

  it('puts December in the next winter: DJF, MAM, JJA, SON', () => {
    expect(label('2023-12-15', 'season')).toBe('2023-12/2024-02');
    expect(label('2024-02-29', 'season')).toBe('2023-12/2024-02');
    expect(start('2024-01-10', 'season')).toBe('2023-12-01');
    expect(label('2024-03-01', 'season')).toBe('2024-03/2024-05');
    expect(label('2024-08-31', 'season')).toBe('2024-06/2024-08');
    expect(label('2024-11-30', 'season')).toBe('2024-09/2024-11');
  });

  it('numbers ISO weeks from Monday, in the year of their Thursday', () => {
    // 2024-01-01 is a Monday: week 1. 2021-01-01 (a Friday) is in 2020's week 53.
    expect(label('2024-01-01', 'P1W')).toBe('2024-W01');
    expect(label('2024-01-07', 'P1W')).toBe('2024-W01');
    expect(label('2024-01-08', 'P1W')).toBe('2024-W02');
    expect(label('2021-01-01', 'P1W')).toBe('2020-W53');
    expect(start('2021-01-03', 'P1W')).toBe('2020-12-28');
    expect(label('2024-12-30', 'P1W')).toBe('2025-W01');
  });
});
