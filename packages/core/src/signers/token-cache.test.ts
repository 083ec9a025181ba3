import { describe, expect, it } from 'vitest';
import { createTokenCache } from './token-cache.js';

function fakeClock(start = Date.parse('2024-05-14T18:15:49Z')) {
  let time = start;
  return { now: () => time, advance: (ms: number) => (time += ms) };
}

describe('createTokenCache', () => {
  it('reuses a token until the refresh window before expiry, then mints a new one', async () => {
    const clock = fakeClock();
    let minted = 0;
    const cache = createTokenCache<string>({
      now: clock.now,
      refreshWindow: 60_000,
      load: async () => {
        minted += 1;
        return { value: `token-${minted}`, expiresAt: clock.now() + 10 * 60_000 };
      },
    });
    expect(await cache.get('a')).toBe('token-1');
    clock.advance(8 * 60_000);
    expect(await cache.get('a')).toBe('token-1');
    clock.advance(60_001); // 9 min + 1 ms: inside the one-minute window
    expect(await cache.get('a')).toBe('token-2');
    expect(minted).toBe(2);
    expect(cache.peek('a')?.expiresAt).toBe(clock.now() + 10 * 60_000);
  });

  it('keeps one token per key', async () => {
    const keys: string[] = [];
    const cache = createTokenCache<string>({
      load: async (key) => (keys.push(key), { value: `for-${key}` }),
    });
    expect(await cache.get('x')).toBe('for-x');
    expect(await cache.get('y')).toBe('for-y');
    expect(await cache.get('x')).toBe('for-x');
    expect(keys).toEqual(['x', 'y']);
  });

  it('shares one in-flight refresh between concurrent callers', async () => {
    let loads = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const cache = createTokenCache<string>({
      load: async () => {
        loads += 1;
        await gate;
        return { value: 'shared', expiresAt: Date.now() + 3_600_000 };
      },
    });
    const waiting = Array.from({ length: 20 }, () => cache.get('k'));
    release();
    expect(await Promise.all(waiting)).toEqual(Array(20).fill('shared'));
    expect(loads).toBe(1);
  });

  it('does not cache a failed refresh: the error reaches every waiter and the next get retries', async () => {
    let attempt = 0;
    const cache = createTokenCache<string>({
      load: async () => {
        attempt += 1;
        if (attempt === 1) throw new Error('endpoint down');
        return { value: 'recovered' };
      },
    });
    const results = await Promise.allSettled([cache.get(), cache.get()]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(attempt).toBe(1);
    expect(await cache.get()).toBe('recovered');
  });

  it('lets one caller abort without failing the refresh the others wait on', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const cache = createTokenCache<string>({ load: async () => (await gate, { value: 'ok' }) });
    const controller = new AbortController();
    const aborted = cache.get('k', controller.signal);
    const patient = cache.get('k');
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    release();
    expect(await patient).toBe('ok');
  });

  it('clear forgets tokens so the next get mints anew', async () => {
    let minted = 0;
    const cache = createTokenCache<number>({ load: async () => ({ value: ++minted }) });
    expect(await cache.get()).toBe(1);
    cache.clear();
    expect(await cache.get()).toBe(2);
  });
});
