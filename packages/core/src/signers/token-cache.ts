// One expiry-aware cache for every signer that holds a token (SAS, OAuth, STS
// credentials): a long lazy job asks per read and never reads with an expired token.
import { isAbortError } from '../errors/abort.js';

/** A token (or any credential) and when it stops working. */
export interface CachedToken<T> {
  value: T;
  /** Epoch milliseconds after which the token is invalid; undefined for one that never expires. */
  expiresAt?: number;
}

/** Options of {@link createTokenCache}. */
export interface TokenCacheOptions<T> {
  /** Mints a token for `key`. Called at most once at a time per key, whoever asks. */
  load(key: string, signal?: AbortSignal): Promise<CachedToken<T>>;
  /** Milliseconds before expiry at which a token is refreshed instead of used (default 60 000). */
  refreshWindow?: number;
  /** Clock in epoch milliseconds; tests inject a fake one (default `Date.now`). */
  now?: () => number;
}

/** An expiry-aware cache of tokens by key, with one shared in-flight refresh per key. */
export interface TokenCache<T> {
  /** A token for `key` that is valid for at least the refresh window, minting one when needed. */
  get(key?: string, signal?: AbortSignal): Promise<T>;
  /** The cached entry for `key`, fresh or not, without loading. */
  peek(key?: string): CachedToken<T> | undefined;
  /** Forgets one key, or every key, so that the next `get` mints anew (e.g. after a 401). */
  clear(key?: string): void;
}

/**
 * Creates a token cache. A token is reused until `refreshWindow` before its
 * expiry; then the next `get` refreshes it. Concurrent callers share one
 * refresh; a caller's abort only stops that caller's wait, not the refresh the
 * others wait on. A failed refresh is not cached: it is thrown to the callers
 * waiting on it, and the next `get` tries again.
 */
export function createTokenCache<T>(options: TokenCacheOptions<T>): TokenCache<T> {
  const refreshWindow = options.refreshWindow ?? 60_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, CachedToken<T>>();
  const inFlight = new Map<string, Promise<CachedToken<T>>>();

  const isFresh = (entry: CachedToken<T>) =>
    entry.expiresAt === undefined || now() < entry.expiresAt - refreshWindow;

  const refresh = (key: string): Promise<CachedToken<T>> => {
    let pending = inFlight.get(key);
    if (!pending) {
      // The shared load gets no caller's signal: one caller giving up must not fail the others.
      pending = options
        .load(key)
        .then((entry) => {
          entries.set(key, entry);
          return entry;
        })
        .finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return pending;
  };

  return {
    async get(key = '', signal) {
      signal?.throwIfAborted();
      const cached = entries.get(key);
      if (cached && isFresh(cached)) return cached.value;
      const entry = await raceAbort(refresh(key), signal);
      return entry.value;
    },
    peek: (key = '') => entries.get(key),
    clear(key) {
      if (key === undefined) entries.clear();
      else entries.delete(key);
    },
  };
}

/** Waits for `promise`, or rejects with the abort reason as soon as `signal` fires. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(isAbortError(error) && signal.aborted ? signal.reason : error);
      },
    );
  });
}
