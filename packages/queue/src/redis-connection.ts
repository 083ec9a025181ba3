// Redis URLs as users write them (redis://[user:password@]host:port/db, rediss:// for TLS),
// turned into the connection options BullMQ passes to ioredis. The password never
// reaches a message: `redactRedisUrl` is what errors and progress lines show.
import { OptionError } from '@pyramids/core';

/** What BullMQ needs to reach Redis. */
export interface RedisConnection {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db?: number;
  tls?: Record<string, never>;
  /** BullMQ workers need blocking commands without a per-request retry cap. */
  maxRetriesPerRequest: null;
  /** ioredis' reconnect delay in ms after `times` failures, or null to give up. */
  retryStrategy?: (times: number) => number | null;
}

/**
 * Parses `redis://host:6379`, `redis://:password@host:6379/2`, `rediss://…`. With
 * `giveUpAfter` (a number of reconnects), the connection stops retrying after that
 * many failures, so a planner reports an unreachable Redis instead of waiting forever;
 * workers leave it out and ride out Redis restarts.
 */
export function parseRedisUrl(
  url: string,
  options: { giveUpAfter?: number } = {},
): RedisConnection {
  const { giveUpAfter } = options;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new OptionError(
      `'${redactRedisUrl(url)}' is not a Redis URL; write redis://host:6379 (or rediss:// for TLS)`,
    );
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new OptionError(
      `'${redactRedisUrl(url)}' is not a Redis URL; write redis://host:6379 (or rediss:// for TLS)`,
    );
  }
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  const dbText = parsed.pathname.replace(/^\//, '');
  const db = dbText === '' ? undefined : Number(dbText);
  if (db !== undefined && (!Number.isInteger(db) || db < 0)) {
    throw new OptionError(
      `database '${dbText}' in ${redactRedisUrl(url)} is not a number; write redis://host:6379/0`,
    );
  }
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port,
    maxRetriesPerRequest: null,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    db,
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    ...(giveUpAfter === undefined
      ? {}
      : {
          retryStrategy: (times: number) =>
            times > giveUpAfter ? null : Math.min(times * 250, 2000),
        }),
  };
}

/** The URL with its password replaced by `***`, for messages. */
export function redactRedisUrl(url: string): string {
  return url.replace(/^(\w+:\/\/[^:@/]*:)[^@/]*@/, '$1***@');
}
