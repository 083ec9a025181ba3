import { describe, expect, it } from 'vitest';
import { ConfigScope } from './config-scope.js';

/** A process-wide option table like GDAL's, and a log of what each call saw. */
function makeScope() {
  const table = new Map<string, string>();
  const scope = new ConfigScope(
    (name, value) => (value === null ? table.delete(name) : table.set(name, value)),
    (name) => table.get(name) ?? null,
  );
  return { table, scope };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('ConfigScope', () => {
  it('never lets calls under different options overlap, and each sees only its own', async () => {
    const { table, scope } = makeScope();
    let running = new Set<string>();
    let maxOverlapKinds = 0;
    const seen: string[] = [];
    const call = (token: string) =>
      scope.run({ AWS_SECRET_ACCESS_KEY: token }, async () => {
        running.add(token);
        maxOverlapKinds = Math.max(maxOverlapKinds, running.size);
        await tick();
        seen.push(`${token}:${table.get('AWS_SECRET_ACCESS_KEY')}`);
        running.delete(token);
        running = new Set(running);
      });
    await Promise.all([call('a'), call('b'), call('a'), call('b'), call('a')]);
    expect(maxOverlapKinds).toBe(1);
    expect(seen.sort()).toEqual(['a:a', 'a:a', 'a:a', 'b:b', 'b:b']);
    expect(table.has('AWS_SECRET_ACCESS_KEY')).toBe(false);
  });

  it('runs calls under the same options concurrently and restores earlier values', async () => {
    const { table, scope } = makeScope();
    table.set('GDAL_HTTP_USERAGENT', 'original');
    let concurrent = 0;
    let peak = 0;
    const call = () =>
      scope.run({ GDAL_HTTP_USERAGENT: 'mine' }, async () => {
        concurrent += 1;
        peak = Math.max(peak, concurrent);
        await tick();
        expect(table.get('GDAL_HTTP_USERAGENT')).toBe('mine');
        concurrent -= 1;
      });
    await Promise.all([call(), call(), call()]);
    expect(peak).toBe(3);
    expect(table.get('GDAL_HTTP_USERAGENT')).toBe('original');
  });

  it('releases the options when a call fails', async () => {
    const { table, scope } = makeScope();
    await expect(
      scope.run({ KEY: 'x' }, async () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    expect(table.has('KEY')).toBe(false);
    await expect(scope.run({ KEY: 'y' }, async () => table.get('KEY'))).resolves.toBe('y');
  });
});
