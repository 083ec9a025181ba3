// Earthdata Login has answered with expiry dates in several shapes over the
// years ("expiration_date": "11/20/2024", ISO times, epoch numbers, "expires_in"),
// and its tokens are JWTs with an "exp" claim. Read whichever is there.

/**
 * Epoch ms at which a token stops working, from a token response body and/or the
 * token itself, or undefined when nothing says. A date without a time counts from
 * the start of that day (UTC), so the token is refreshed early rather than late.
 */
export function parseTokenExpiry(
  body: Record<string, unknown>,
  token: string | undefined,
  now: number,
): number | undefined {
  for (const field of ['expiration_date', 'expires_at', 'expiration', 'expiry', 'exp']) {
    const parsed = parseDateValue(body[field]);
    if (parsed !== undefined) return parsed;
  }
  const expiresIn = Number(body['expires_in']);
  if (body['expires_in'] !== undefined && Number.isFinite(expiresIn)) return now + expiresIn * 1000;
  return token ? jwtExpiry(token) : undefined;
}

/** Epoch ms of a date given as `M/D/YYYY`, `YYYY-MM-DD`, an ISO time, or epoch seconds/milliseconds. */
export function parseDateValue(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value))
    return value < 1e11 ? value * 1000 : value;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return parseDateValue(Number(text));
  const american = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
  if (american) return Date.UTC(Number(american[3]), Number(american[1]) - 1, Number(american[2]));
  // A bare date or a time without a zone is read as UTC, never local time.
  const isoLike = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(text)
    ? `${text.length === 10 ? `${text}T00:00:00` : text}Z`
    : text;
  const parsed = Date.parse(isoLike);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** The `exp` claim of a JWT in epoch ms, or undefined when the token is not a JWT. */
export function jwtExpiry(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(
      Buffer.from(parts[1]!.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'),
    ) as { exp?: unknown };
    return typeof payload.exp === 'number' && Number.isFinite(payload.exp)
      ? payload.exp * 1000
      : undefined;
  } catch {
    return undefined;
  }
}
