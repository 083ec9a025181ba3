// RFC 3339 ↔ microseconds since the epoch, exact to the microsecond (Date
// alone stops at milliseconds).

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:?\d{2})$/;

/**
 * Microseconds since the epoch of an RFC 3339 timestamp, or undefined when the
 * string is not one or carries more precision than microseconds (which a
 * timestamp column would lose).
 */
export function parseTimestampMicros(value: string): bigint | undefined {
  const match = RFC3339.exec(value);
  if (!match) return undefined;
  const fraction = match[7] ?? '';
  if (fraction.length > 6 && /[1-9]/.test(fraction.slice(6))) return undefined;
  const zone = match[8]!;
  const iso = `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}${zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`;
  const seconds = Date.parse(iso);
  if (Number.isNaN(seconds)) return undefined;
  const micros = BigInt(Number((fraction + '000000').slice(0, 6)));
  return BigInt(seconds) * 1000n + micros;
}

/** RFC 3339 UTC text of a microsecond timestamp: `…:SSZ`, `…:SS.mmmZ` or `…:SS.uuuuuuZ`, the shortest exact. */
export function formatTimestampMicros(micros: bigint): string {
  let seconds = micros / 1_000_000n;
  let remainder = micros % 1_000_000n;
  if (remainder < 0n) {
    remainder += 1_000_000n;
    seconds -= 1n;
  }
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  if (remainder === 0n) return `${base}Z`;
  if (remainder % 1000n === 0n) return `${base}.${String(remainder / 1000n).padStart(3, '0')}Z`;
  return `${base}.${String(remainder).padStart(6, '0')}Z`;
}

/** RFC 3339 UTC text of a nanosecond timestamp (nanoseconds kept when present). */
export function formatTimestampNanos(nanos: bigint): string {
  const micros = nanos / 1000n - (nanos % 1000n < 0n ? 1n : 0n);
  const rest = ((nanos % 1000n) + 1000n) % 1000n;
  if (rest === 0n) return formatTimestampMicros(micros);
  const text = formatTimestampMicros(micros);
  const [head, fraction = ''] = text.slice(0, -1).split('.');
  return `${head}.${fraction.padEnd(6, '0')}${String(rest).padStart(3, '0')}Z`;
}
