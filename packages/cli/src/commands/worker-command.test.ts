// End to end on one machine: `pyramids cube --queue` plans, two `pyramids worker`
// processes compute, one is killed mid-run; the store must equal the local build.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StacItem } from '@pyramids/core';
import { storeFiles } from '../../../queue/src/store-files.test-support.js';
import { startRedis, type TestRedis } from '../../../queue/src/redis-server.test-support.js';
import { startRangeServer, type RangeServer } from '../../../../test-support/range-server.js';
import { runCli } from '../run-cli-for-tests.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const bin = path.join(repo, 'packages/cli/bin/pyramids.js');
let redis: TestRedis;
let files: RangeServer;
let slow: Server;
let slowUrl: string;
let scratch: string;
let itemsFile: string;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  redis = await startRedis();
  files = await startRangeServer(repo);
  // Every range read takes 40 ms more, as over a real network, so chunks take long enough to kill a worker mid-run.
  slow = createServer((request, response) => {
    setTimeout(() => {
      void fetch(`${files.url}${request.url}`, {
        headers: request.headers.range ? { range: request.headers.range } : {},
      }).then(async (upstream) => {
        const headers: Record<string, string> = {};
        upstream.headers.forEach((value, name) => (headers[name] = value));
        response.writeHead(upstream.status, headers);
        response.end(Buffer.from(await upstream.arrayBuffer()));
      });
    }, 40);
  });
  await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
  slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-worker-'));
  const collection = JSON.parse(
    readFileSync(path.join(repo, 'sample-data/items.json'), 'utf8'),
  ) as { features: StacItem[] };
  for (const item of collection.features) {
    for (const asset of Object.values(item.assets))
      asset.href = `${slowUrl}/sample-data/${asset.href.replace(/^\.\//, '')}`;
  }
  itemsFile = path.join(scratch, 'items.json');
  writeFileSync(itemsFile, JSON.stringify(collection));
});
afterAll(async () => {
  for (const worker of workers) if (worker.exitCode === null) worker.kill('SIGKILL');
  await new Promise((resolve) => slow?.close(resolve));
  await files?.close();
  await redis?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function startWorker(queueName: string): { process: ChildProcess; log: () => string } {
  let log = '';
  const child = spawn(
    process.execPath,
    [bin, 'worker', redis.url, '--queue-name', queueName, '--lock-duration', '1500', '--verbose'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' },
    },
  );
  child.stderr!.on('data', (data: Buffer) => (log += data.toString()));
  workers.push(child);
  return { process: child, log: () => log };
}

const waitFor = async (condition: () => boolean, what: string, ms = 30_000) => {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('pyramids worker', () => {
  it('two workers, one killed mid-run, build the store `pyramids cube -o x.zarr` writes locally; a re-run redoes nothing', async () => {
    expect(existsSync(bin), 'the CLI is built (scripts/setup.sh builds it)').toBe(true);
    const args = [
      'cube',
      itemsFile,
      '--asset',
      'B04',
      '--asset',
      'B03',
      '--groupby',
      'solar_day',
      '--chunk-size',
      '64',
    ];
    const reference = path.join(scratch, 'local.zarr');
    const local = await runCli([...args, '--quiet', '-o', reference]);
    expect(local.code, local.stderr).toBe(0);
    const total = [...(await storeFiles(reference)).keys()].filter((key) =>
      key.startsWith('band_data/c/'),
    ).length;
    expect(total).toBeGreaterThan(10);

    const [doomed, survivor] = [startWorker('kill'), startWorker('kill')];
    await waitFor(
      () =>
        doomed.log().includes('waiting for chunks') &&
        survivor.log().includes('waiting for chunks'),
      'both workers to start',
    );
    const target = path.join(scratch, 'queued.zarr');
    const planner = runCli([...args, '--queue', redis.url, '--queue-name', 'kill', '-o', target]);
    await waitFor(
      () => (doomed.log().match(/ done\n/g) ?? []).length >= 3,
      'the first worker to finish a few chunks',
    );
    doomed.process.kill('SIGKILL');
    const doneBeforeKill = (doomed.log().match(/ done\n/g) ?? []).length;
    const result = await planner;
    expect(result.stderr).toMatch(
      new RegExp(`wrote ${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(Zarr v3\\)`),
    );
    expect(result.code).toBe(0);
    expect(doneBeforeKill).toBeLessThan(total);
    expect((survivor.log().match(/ done\n/g) ?? []).length).toBeGreaterThan(0);

    const [expected, actual] = await Promise.all([storeFiles(reference), storeFiles(target)]);
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, bytes] of expected) expect(actual.get(key)!.equals(bytes), key).toBe(true);

    const again = await runCli([
      ...args,
      '--queue',
      redis.url,
      '--queue-name',
      'kill',
      '-o',
      target,
    ]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`0 chunk(s) written by the workers, ${total} already there`);

    survivor.process.kill('SIGTERM');
    await new Promise((resolve) => survivor.process.once('exit', resolve));
    expect(survivor.log()).toContain('stopping after the chunks in hand');
  }, 120_000);

  it('refuses --queue without -o, and a worker refuses a URL that is not Redis', async () => {
    const noOutput = await runCli(['cube', itemsFile, '--asset', 'B04', '--queue', redis.url]);
    expect(noOutput.code).toBe(1);
    expect(noOutput.stderr).toMatch(/pass -o|--queue needs -o/);
    const badUrl = await runCli(['worker', 'http://127.0.0.1:1']);
    expect(badUrl.code).toBe(1);
    expect(badUrl.stderr).toMatch(/OptionError: 'http:\/\/127\.0\.0\.1:1' is not a Redis URL/);
  });
});
