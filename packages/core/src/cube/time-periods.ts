// Calendar periods for temporal composites (`groupby: 'P1M'`, `'season'`, …): which period
// a day falls in, its label and its start. Periods are taken on each Item's solar day, so
// an afternoon pass near the date line lands in the month its local date says, as odc-stac
// users get from `groupby='solar_day'` followed by a resample.
import { OptionError } from '../errors/option-error.js';

/** A calendar period a composite groups by. */
export interface TimePeriod {
  unit: 'day' | 'week' | 'month';
  /** Length in units (months: 1, 2, 3, 4, 6 or 12, so periods tile the year). */
  count: number;
  /** Months only: the month (0-based) a period starts on; 11 for seasons (DJF starts in December). */
  firstMonth: number;
}

const ALIASES: Record<string, string> = {
  day: 'P1D',
  week: 'P1W',
  month: 'P1M',
  quarter: 'P3M',
  year: 'P1Y',
};

const MONTH_COUNTS = [1, 2, 3, 4, 6, 12];

/**
 * The period a `groupby` names, or undefined when it names none (a property, `solar_day`…):
 * ISO 8601 durations `P1D`, `P1W`, `P1M`, `P2M`, `P3M`, `P4M`, `P6M`, `P1Y` (`P12M`), the
 * words `day`, `week`, `month`, `quarter`, `year`, and `season` (DJF, MAM, JJA, SON).
 * OptionError for a duration that does not tile the calendar (`P5M`, `P2Y`, `P10D`).
 */
export function parseTimePeriod(groupby: string): TimePeriod | undefined {
  if (groupby === 'season') return { unit: 'month', count: 3, firstMonth: 11 };
  const duration = ALIASES[groupby] ?? groupby;
  const match = /^P(\d+)([DWMY])$/.exec(duration);
  if (!match) return undefined;
  const count = Number(match[1]);
  const unit = match[2]!;
  const months = unit === 'Y' ? count * 12 : unit === 'M' ? count : undefined;
  if (months !== undefined && MONTH_COUNTS.includes(months))
    return { unit: 'month', count: months, firstMonth: 0 };
  if ((unit === 'D' || unit === 'W') && count === 1)
    return { unit: unit === 'D' ? 'day' : 'week', count: 1, firstMonth: 0 };
  throw new OptionError(
    `groupby ${JSON.stringify(groupby)}: composites group by periods that tile the calendar; ` +
      'use P1D, P1W, P1M, P2M, P3M, P4M, P6M, P1Y, or season',
  );
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');
const monthLabel = (year: number, month: number) => `${pad(year, 4)}-${pad(month + 1)}`;

/**
 * The period `day` (`YYYY-MM-DD`) falls in: its label and its first day (UTC midnight).
 * Labels are ISO 8601: `2024-05-06` (day), `2024-W19` (ISO week), `2024-05` (month),
 * `2024` (year), and the interval of months otherwise (`2024-04/2024-06`, a DJF season
 * `2023-12/2024-02`).
 */
export function periodOf(day: string, period: TimePeriod): { label: string; start: Date } {
  const date = new Date(`${day}T00:00:00Z`);
  if (period.unit === 'day') return { label: day, start: date };
  if (period.unit === 'week') {
    // ISO week: Monday first; the week belongs to the year of its Thursday.
    const weekday = (date.getUTCDay() + 6) % 7;
    const start = new Date(date.getTime() - weekday * 86_400_000);
    const thursday = new Date(start.getTime() + 3 * 86_400_000);
    const year = thursday.getUTCFullYear();
    const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000)) + 1;
    return { label: `${pad(year, 4)}-W${pad(week)}`, start };
  }
  const monthIndex = date.getUTCFullYear() * 12 + date.getUTCMonth();
  const first =
    monthIndex -
    ((((monthIndex - period.firstMonth) % period.count) + period.count) % period.count);
  const startYear = Math.floor(first / 12);
  const startMonth = first - startYear * 12;
  const start = new Date(Date.UTC(startYear, startMonth, 1));
  if (period.count === 1) return { label: monthLabel(startYear, startMonth), start };
  if (period.count === 12) return { label: pad(startYear, 4), start };
  const last = first + period.count - 1;
  const lastYear = Math.floor(last / 12);
  return {
    label: `${monthLabel(startYear, startMonth)}/${monthLabel(lastYear, last - lastYear * 12)}`,
    start,
  };
}
