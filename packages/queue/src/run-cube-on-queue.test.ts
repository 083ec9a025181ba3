import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearerTokenSigner,
  createRegistry,
  DatasetCollection,
  zarrWriter,
  type CubeOptions,
  type StacItem,
} from '@pyramids/core';
import { geotiffReader } from '@pyramids/readers-geotiff';
import { FileSystemStore } from '@zarrita/storage';
import S3rver from 's3rver';
import * as zarr from 'zarrita';
import { startRangeServer, type RangeServer } from '../../../test-support/range-server.js';
import {
  decodeChunkJob,
  encodeChunkJob,
  QueueError,
  runCubeOnQueue,
  s3ChunkStore,
  startCubeWorker,
  writeCubeStore,
  type CubeWorker,
} from './index.js';
import { parseRedisUrl, redactRedisUrl } from './redis-connection.js';
import { storeFiles } from './store-files.test-support.js';
import { startRedis, type TestRedis } from './redis-server.test-support.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const sampleItems = (
  JSON.parse(readFileSync(path.join(repo, 'sample-data/items.json'), 'utf8')) as {
    features: StacItem[];
  }
).features;

let redis: TestRedis;
let server: RangeServer;
let scratch: string;
const registry = createRegistry().use(geotiffReader()).use(zarrWriter());

beforeAll(async () => {
  redis = await startRedis();
  server = await startRangeServer(repo);
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-queue-'));
});
afterAll(async () => {
  await server?.close();
  await redis?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function cubeOf(extra: Partial<CubeOptions> = {}): Promise<DatasetCollection> {
  return DatasetCollection.fromStac(sampleItems, {
    registry,
    baseHref: `${server.url}/sample-data/items.json`,
    asset: ['B04', 'B03'],
    groupby: 'solar_day',
    chunkSize: 96,
    ...extra,
  });
}

async function withWorkers<T>(count: number, queueName: string, run: () => Promise<T>): Promise<T> {
  const workers: CubeWorker[] = [];
  try {
    for (let index = 0; index < count; index++)
      workers.push(
        await startCubeWorker({ redis: redis.url, registry, queueName, lockDuration: 5_000 }),
      );
    return await run();
  } finally {
    await Promise.all(workers.map((worker) => worker.close()));
  }
}

describe('runCubeOnQueue', () => {
  it('two workers write the store cube.write builds locally, byte for byte, and zarrita reads the cube back', async () => {
    const cube = await cubeOf();
    const local = path.join(scratch, 'local.zarr');
    await cube.write(local);
    const queued = path.join(scratch, 'queued.zarr');
    const progress: number[] = [];
    const result = await withWorkers(2, 'equal', () =>
      runCubeOnQueue(cube, {
        redis: redis.url,
        store: queued,
        queueName: 'equal',
        onProgress: (p) => progress.push(p.done),
      }),
    );
    expect(result.chunks).toBe(cube.tasks().length);
    expect(result.written).toBe(result.chunks);
    expect(result.failed).toEqual([]);
    expect(result.bytesRead).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(result.chunks);

    const [a, b] = await Promise.all([storeFiles(local), storeFiles(queued)]);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [key, bytes] of a) expect(b.get(key)!.equals(bytes), key).toBe(true);
    expect([...a.keys()].filter((key) => key.startsWith('band_data/c/')).length).toBe(
      result.chunks,
    );

    // An independent reader: zarrita decodes the store into the cube's own pixels.
    const expected = await cube.read();
    const root = zarr.root(new FileSystemStore(queued));
    const data = await zarr.open(root.resolve('band_data'), { kind: 'array' });
    expect(data.shape).toEqual(expected.shape);
    const all = await zarr.get(data);
    expect(Array.from(all.data as Uint16Array)).toEqual(Array.from(expected.data as Uint16Array));
    const band = await zarr.open(root.resolve('band'), { kind: 'array' });
    expect(band.attrs['band_names']).toEqual(['B04', 'B03']);
    const x = await zarr.get(await zarr.open(root.resolve('x'), { kind: 'array' }));
    expect(Array.from(x.data as Float64Array)).toEqual(Array.from(expected.coords.x));
    const time = await zarr.get(await zarr.open(root.resolve('time'), { kind: 'array' }));
    expect(
      Array.from(time.data as BigInt64Array, (value) =>
        new Date(Number(value) * 1000).toISOString().slice(0, 10),
      ),
    ).toEqual(expected.coords.time);
    const spatialRef = await zarr.open(root.resolve('spatial_ref'), { kind: 'array' });
    expect(spatialRef.attrs['crs_wkt']).toMatch(/UTM zone 33N/);
    expect(spatialRef.attrs['GeoTransform']).toBe(cube.grid.transform.join(' '));
  });

  it('a re-run resumes: finished chunks are skipped, missing ones are redone', async () => {
    const cube = await cubeOf();
    const target = path.join(scratch, 'resume.zarr');
    await withWorkers(1, 'resume', () =>
      runCubeOnQueue(cube, { redis: redis.url, store: target, queueName: 'resume' }),
    );
    const again = await withWorkers(1, 'resume', () =>
      runCubeOnQueue(cube, { redis: redis.url, store: target, queueName: 'resume' }),
    );
    expect(again.skipped).toBe(again.chunks);
    expect(again.written).toBe(0);
    await rm(path.join(target, 'band_data/c/0/0/0/0'));
    await rm(path.join(target, 'band_data/c/1/0/1/1'));
    const third = await withWorkers(1, 'resume', () =>
      runCubeOnQueue(cube, { redis: redis.url, store: target, queueName: 'resume' }),
    );
    expect(third.written).toBe(2);
    expect(third.skipped).toBe(third.chunks - 2);
  });

  it('writes to S3 (a local S3-compatible server) the same objects as the local build', async () => {
    const directory = path.join(scratch, 's3rver');
    const s3 = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory,
      configureBuckets: [{ name: 'cubes', configs: [] }],
    });
    const { port } = (await s3.run()) as { port: number };
    const saved = {
      id: process.env['AWS_ACCESS_KEY_ID'],
      secret: process.env['AWS_SECRET_ACCESS_KEY'],
    };
    // s3rver's fixed credentials, seen by the AWS SDK's default chain as a real deployment's would be.
    process.env['AWS_ACCESS_KEY_ID'] = 'S3RVER';
    process.env['AWS_SECRET_ACCESS_KEY'] = 'S3RVER';
    try {
      const cube = await cubeOf({ asset: 'B04' });
      const local = path.join(scratch, 's3-reference.zarr');
      await writeCubeStore(cube, local);
      const store = {
        kind: 's3' as const,
        bucket: 'cubes',
        prefix: 'runs/cube.zarr',
        endpoint: `http://127.0.0.1:${port}`,
        region: 'us-east-1',
      };
      const result = await withWorkers(2, 's3', () =>
        runCubeOnQueue(cube, { redis: redis.url, store, queueName: 's3' }),
      );
      expect(result.written).toBe(result.chunks);
      const remote = s3ChunkStore(store);
      const reference = await storeFiles(local);
      const keys = await remote.list('');
      expect(keys).toEqual([...reference.keys()].sort());
      for (const [key, bytes] of reference)
        expect(Buffer.from((await remote.get(key))!).equals(bytes), key).toBe(true);
    } finally {
      process.env['AWS_ACCESS_KEY_ID'] = saved.id;
      process.env['AWS_SECRET_ACCESS_KEY'] = saved.secret;
      if (saved.id === undefined) delete process.env['AWS_ACCESS_KEY_ID'];
      if (saved.secret === undefined) delete process.env['AWS_SECRET_ACCESS_KEY'];
      await s3.close();
    }
  });

  it('refuses a store that holds another cube', async () => {
    const target = path.join(scratch, 'other.zarr');
    await writeCubeStore(await cubeOf({ asset: 'B04' }), target);
    await expect(
      runCubeOnQueue(await cubeOf(), { redis: redis.url, store: target, queueName: 'other' }),
    ).rejects.toThrow(/already holds a different cube/);
  });

  it('chunks that fail on every try are reported by key, or written as nodata with errorsAsNodata', async () => {
    const broken = sampleItems.map((item) => ({
      ...item,
      assets: {
        ...item.assets,
        B04: { ...item.assets['B04']!, href: `./tiles/${item.id}/missing.tif` },
      },
    }));
    const cube = await DatasetCollection.fromStac(broken, {
      registry,
      baseHref: `${server.url}/sample-data/items.json`,
      asset: 'B04',
      groupby: 'solar_day',
      chunkSize: 256,
      skipMissing: false,
    });
    const failing = runCubeOnQueue(cube, {
      redis: redis.url,
      store: path.join(scratch, 'failing.zarr'),
      queueName: 'failing',
      attempts: 2,
      backoffMs: 10,
    });
    const error = await withWorkers(1, 'failing', () =>
      failing.then(
        () => undefined,
        (caught: unknown) => caught,
      ),
    );
    expect(QueueError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /chunks failed after 2 tries: band_data\/c\/0\/0\/0\/0 \(.*404/,
    );
    expect((error as Error).message).toMatch(/run the same command again/);

    const target = path.join(scratch, 'nodata.zarr');
    const result = await withWorkers(1, 'nodata', () =>
      runCubeOnQueue(cube, {
        redis: redis.url,
        store: target,
        queueName: 'nodata',
        attempts: 1,
        errorsAsNodata: true,
      }),
    );
    expect(result.failed.length).toBe(result.chunks);
    const data = await zarr.get(
      await zarr.open(zarr.root(new FileSystemStore(target)).resolve('band_data'), {
        kind: 'array',
      }),
    );
    expect(new Set(data.data as Uint16Array)).toEqual(new Set([0]));
  });

  it('says which Redis it could not reach, without its password', async () => {
    const cube = await cubeOf();
    const error = await runCubeOnQueue(cube, {
      redis: 'redis://user:s3cret@127.0.0.1:1',
      store: path.join(scratch, 'down.zarr'),
    }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(QueueError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /cannot reach Redis at redis:\/\/user:\*\*\*@127\.0\.0\.1:1/,
    );
    expect((error as Error).message).not.toContain('s3cret');
  }, 20_000);
});

describe('chunk jobs', () => {
  it('carry NaN nodata through JSON and no secret of the signer', async () => {
    const signer = bearerTokenSigner('TOKEN-SHOULD-NOT-TRAVEL', { hosts: ['127.0.0.1'] });
    const cube = await cubeOf({ rescale: true, signer });
    const task = cube.tasks()[0]!;
    expect(task.options.nodata.every((value) => Number.isNaN(value))).toBe(true);
    const data = encodeChunkJob({
      run: 'r',
      key: 'band_data/c/0/0/0/0',
      store: { kind: 'file', path: '/x' },
      encoding: {
        dataType: 'float32',
        chunkShape: [1, 2, 96, 96],
        padding: Number.NaN,
        compression: 'gzip',
        level: 5,
      },
      task,
    });
    expect(data.payload).not.toContain('TOKEN-SHOULD-NOT-TRAVEL');
    const back = decodeChunkJob(JSON.parse(JSON.stringify(data)) as typeof data);
    expect(back.task).toEqual(task);
    expect(Number.isNaN(back.encoding.padding)).toBe(true);
  });

  it('parse Redis URLs as redis-cli does and redact their passwords', () => {
    expect(parseRedisUrl('redis://127.0.0.1:6380/2')).toMatchObject({
      host: '127.0.0.1',
      port: 6380,
      db: 2,
    });
    expect(parseRedisUrl('rediss://:pw@cache.example:6379')).toMatchObject({
      host: 'cache.example',
      password: 'pw',
      tls: {},
    });
    expect(redactRedisUrl('redis://user:pw@host:6379/0')).toBe('redis://user:***@host:6379/0');
    expect(() => parseRedisUrl('http://host')).toThrow(/not a Redis URL/);
  });
});
