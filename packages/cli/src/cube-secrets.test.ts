// Sentinel secrets, cube and search half (the signer half is signer-secrets.test.ts):
// cubes are built, estimated, split into tasks and read over loopback servers with
// a bearer token, a Planetary Computer SAS token minted by the real signer, and AWS
// keys in the environment of the requester-pays signer (checked by the SigV4 test
// server); sources are refused (401/403/404) with and without errorsAsNodata; the CLI
// runs `cube --dry-run`, a failing `cube --debug` and a refused `search --signer bearer`.
// The refusing servers quote back everything they were sent. No sentinel may appear
// in an error (message, causes, details, stack), a warning, a serialised task,
// describe(), or anything written to the console, stdout, stderr or process warnings.
import {
  createReadStream,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  bearerTokenSigner,
  createRegistry,
  DatasetCollection,
  runChunkTask,
  transformBounds,
  type ChunkTask,
  type CubeOptions,
  type Signer,
  type StacItem,
} from '@pyramids/core';
import { geotiffReader } from '@pyramids/readers-geotiff';
import { awsRequesterPaysSigner } from '@pyramids/signers-aws';
import { planetaryComputerSigner } from '@pyramids/signers-planetary-computer';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSigV4Server, type SigV4Server } from '../../../test-support/sigv4-test-server.js';
import { syntheticBand, writeRasterWithGdal } from '../../core/src/test-support/gdal-raster.js';
import { runCli } from './run-cli-for-tests.js';
import { bboxPolygon } from '../../../test-support/bbox-polygon.js';

const SENTINELS = {
  bearer: 'SENTINEL-CUBE-BEARER-4e1a',
  pcKey: 'SENTINEL-CUBE-PC-KEY-90b3',
  sasSig: 'SENTINEL-CUBE-SAS-SIG-c7d2',
  presignedSig: 'SENTINEL-CUBE-PRESIGNED-SIG-18fe',
  awsSecret: 'SENTINEL-CUBE-AWS-SECRET-2b6f',
  awsSession: 'SENTINEL-CUBE-AWS-SESSION-d05c',
};
const sentinelValues = Object.values(SENTINELS);
const ACCESS_KEY = 'AKIDCUBESECRETSTEST';
const SAS_QUERY = `sv=2024-05-04&se=2030-01-01T00%3A00%3A00Z&sr=c&sp=rl&sig=${SENTINELS.sasSig}`;
const BLOB_HOST = 'pyramidstest.blob.core.windows.net';
const GRID = {
  crs: 'EPSG:32632',
  origin: [699000, 5321000] as [number, number],
  size: 64,
  resolution: 10,
};

let scratch: string;
let server: Server;
let serverUrl: string;
let s3: SigV4Server;
let s3WrongKey: SigV4Server;
/** Everything written to the console, stdout, stderr and process warnings during the run. */
let captured = '';
/** The `sig` of every blob read that was let through. */
const blobSignatures: string[] = [];
const originalWrites = { stdout: process.stdout.write, stderr: process.stderr.write };

/** Answers a refused request the way a chatty server would: quoting the URL and the credentials it was sent. */
function refuse(request: IncomingMessage, response: ServerResponse, status: number): void {
  const quoted = JSON.stringify({
    url: request.url,
    authorization: request.headers.authorization,
    key: request.headers['ocp-apim-subscription-key'],
  });
  response
    .writeHead(status, { 'content-type': 'application/json' })
    .end(JSON.stringify({ code: 'AuthenticationFailed', description: quoted }));
}

function serveFile(request: IncomingMessage, response: ServerResponse, file: string): void {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    response.writeHead(404, { 'content-type': 'text/plain' }).end(`no such file: ${request.url}`);
    return;
  }
  const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
  const start = range ? Number(range[1]) : 0;
  const end = range && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
  response.writeHead(range ? 206 : 200, {
    'content-length': String(end - start + 1),
    'accept-ranges': 'bytes',
    'content-type': 'image/tiff',
    ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
  });
  createReadStream(file, { start, end }).pipe(response);
}

function handle(request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://loopback');
  const name = path.basename(url.pathname);
  if (url.pathname.startsWith('/sas/')) {
    // Planetary Computer token endpoint: {sasUrl}/{account}/{container}.
    response.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        'msft:expiry': new Date(Date.now() + 3_600_000).toISOString(),
        token: SAS_QUERY,
      }),
    );
    return;
  }
  if (url.pathname.startsWith('/blob/')) {
    const sig = url.searchParams.get('sig');
    if ((sig !== SENTINELS.sasSig && sig !== SENTINELS.presignedSig) || name.startsWith('denied'))
      return refuse(request, response, 403);
    blobSignatures.push(sig);
    return serveFile(request, response, path.join(scratch, name));
  }
  if (url.pathname.startsWith('/bearer/')) {
    if (request.headers.authorization !== `Bearer ${SENTINELS.bearer}` || name.startsWith('denied'))
      return refuse(request, response, 401);
    return serveFile(request, response, path.join(scratch, name));
  }
  // Anything else, the STAC API included, is refused.
  refuse(request, response, 401);
}

/** An Item with full projection and raster metadata, so that building a cube opens no file. */
function itemOf(id: string, href: string, day: number): StacItem {
  const { crs, origin, size, resolution } = GRID;
  const bbox = transformBounds(
    [origin[0], origin[1] - size * resolution, origin[0] + size * resolution, origin[1]],
    crs,
    'EPSG:4326',
  );
  return {
    type: 'Feature',
    stac_version: '1.0.0',
    stac_extensions: [],
    id,
    bbox,
    geometry: bboxPolygon(bbox),
    properties: { datetime: `2024-05-0${day}T10:25:00Z`, 'proj:code': crs },
    links: [],
    assets: {
      data: {
        href,
        type: 'image/tiff; application=geotiff; profile=cloud-optimized',
        roles: ['data'],
        'proj:transform': [resolution, 0, origin[0], 0, -resolution, origin[1]],
        'proj:shape': [size, size],
        'raster:bands': [{ data_type: 'uint16', nodata: 0 }],
      },
    },
  } as unknown as StacItem;
}

/** Routes the Azure blob host to the loopback server (the I/O seam); every other URL is fetched as is. */
const blobFetch: typeof fetch = (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  return fetch(url.replace(`https://${BLOB_HOST}/`, `${serverUrl}/blob/`), init);
};

/** Every message of an error's cause chain, with details and stacks. */
function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 10; depth++) {
    const value = current as {
      message?: string;
      stack?: string;
      details?: unknown;
      errors?: unknown[];
      cause?: unknown;
    };
    parts.push(
      String(value.message ?? current),
      value.stack ?? '',
      JSON.stringify(value.details ?? {}),
    );
    for (const inner of value.errors ?? []) parts.push(errorText(inner));
    current = value.cause;
  }
  return parts.join('\n');
}

async function failure(operation: () => Promise<unknown>): Promise<string> {
  try {
    await operation();
  } catch (error) {
    return errorText(error);
  }
  throw new Error('expected the operation to fail');
}

/** Where a sentinel was found, with the text around it; collected so that one run reports every leak. */
const leaks: string[] = [];

function expectClean(text: string, where: string): void {
  for (const sentinel of sentinelValues) {
    const at = text.indexOf(sentinel);
    if (at !== -1)
      leaks.push(`${where} contains ${sentinel}: …${text.slice(Math.max(0, at - 300), at + 60)}…`);
  }
}

beforeAll(async () => {
  scratch = mkdtempSync(path.join(tmpdir(), 'pyramids-cube-secrets-'));
  const { crs, origin, size, resolution } = GRID;
  writeRasterWithGdal(
    path.join(scratch, 'ok.tif'),
    {
      width: size,
      height: size,
      dataType: 'uint16',
      bands: [syntheticBand(size, size, 7, { nodata: 0 })],
      crs,
      transform: [origin[0], resolution, 0, origin[1], 0, -resolution],
      nodata: 0,
    },
    { format: 'COG', creationOptions: ['BLOCKSIZE=32', 'COMPRESS=DEFLATE'] },
  );
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const objects = {
    'pyr-bucket/ok.tif': new Uint8Array(readFileSync(path.join(scratch, 'ok.tif'))),
  };
  s3 = await startSigV4Server({
    keys: { [ACCESS_KEY]: SENTINELS.awsSecret },
    region: 'us-west-2',
    objects,
    requesterPays: ['pyr-bucket'],
  });
  s3WrongKey = await startSigV4Server({
    keys: { [ACCESS_KEY]: 'not-the-secret' },
    region: 'us-west-2',
    objects,
  });

  const record = (chunk: unknown) => ((captured += String(chunk)), true);
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation(
      (...args: unknown[]) =>
        void record(
          args.map((arg) => (arg instanceof Error ? errorText(arg) : String(arg))).join(' '),
        ),
    );
  }
  vi.spyOn(process, 'emitWarning').mockImplementation(
    (warning: string | Error) =>
      void record(warning instanceof Error ? errorText(warning) : warning),
  );
  // Plain assignment, not a spy: runCli swaps these too and puts back what it found.
  process.stdout.write = record as typeof process.stdout.write;
  process.stderr.write = record as typeof process.stderr.write;
});

afterAll(async () => {
  process.stdout.write = originalWrites.stdout;
  process.stderr.write = originalWrites.stderr;
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await new Promise((resolve) => server?.close(resolve));
  await s3?.close();
  await s3WrongKey?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('sentinel secrets in cubes and searches', () => {
  it('never appear in errors, warnings, tasks, describe() or output', async () => {
    const registry = createRegistry().use(geotiffReader());
    const messages: string[] = [];
    const warnings: string[] = [];
    const serialised: string[] = [];
    const onWarning = (message: string) => void warnings.push(message);

    // Planetary Computer: the real signer mints a SAS token from the loopback endpoint per read.
    const pc = planetaryComputerSigner({
      sasUrl: `${serverUrl}/sas`,
      subscriptionKey: SENTINELS.pcKey,
      retries: 0,
      env: {},
    });
    const blob = (name: string) => `https://${BLOB_HOST}/cog/${name}`;
    const pcOptions = (extra: Partial<CubeOptions> = {}): CubeOptions => ({
      registry,
      asset: 'data',
      signer: pc,
      fetch: blobFetch,
      onWarning,
      ...extra,
    });
    const pcItems = [itemOf('ok', blob('ok.tif'), 1), itemOf('denied', blob('denied.tif'), 2)];
    const pcCube = await DatasetCollection.fromStac(pcItems, pcOptions({ errorsAsNodata: true }));
    serialised.push(JSON.stringify(pcCube.tasks()), JSON.stringify(pcCube.steps));
    const read = await pcCube.read();
    // The signed read worked (so the SAS token really was sent) and the refused source became nodata.
    expect(
      Array.from(read.data.subarray(0, GRID.size * GRID.size)).some((value) => value !== 0),
    ).toBe(true);
    expect(
      Array.from(read.data.subarray(GRID.size * GRID.size)).every((value) => value === 0),
    ).toBe(true);
    expect(warnings.some((warning) => warning.includes('denied'))).toBe(true);
    const pcStrict = await DatasetCollection.fromStac(pcItems, pcOptions());
    messages.push(await failure(() => pcStrict.read()));
    messages.push(await failure(() => pcStrict.estimate()));
    const pcOk = await DatasetCollection.fromStac([pcItems[0]!], pcOptions());
    expect((await pcOk.estimate()).sources).toBe(1);
    // Items that arrive already signed (e.g. from `search --signer planetary-computer`).
    const presigned = [
      itemOf(
        'presigned',
        `${blob('ok.tif')}?sv=2024-05-04&sr=c&sp=rl&sig=${SENTINELS.presignedSig}`,
        1,
      ),
      itemOf(
        'presigned-denied',
        `${blob('denied.tif')}?sv=2024-05-04&sig=${SENTINELS.presignedSig}`,
        2,
      ),
    ];
    const presignedCube = await DatasetCollection.fromStac(
      presigned,
      pcOptions({ errorsAsNodata: true }),
    );
    const presignedTasks = presignedCube.tasks();
    serialised.push(JSON.stringify(presignedTasks));
    blobSignatures.length = 0;
    const presignedRead = await presignedCube.read();
    expect(
      Array.from(presignedRead.data.subarray(0, GRID.size * GRID.size)).some(
        (value) => value !== 0,
      ),
    ).toBe(true);
    expect(new Set(blobSignatures)).toEqual(new Set([SENTINELS.presignedSig])); // in process, the given signature is used
    // A worker gets the task without the signature; its signer signs the bare href again.
    blobSignatures.length = 0;
    const workerResult = await runChunkTask(
      JSON.parse(JSON.stringify(presignedTasks[0])) as ChunkTask,
      { registry, signer: pc, fetch: blobFetch },
    );
    expect(Array.from(workerResult.data[0]!).some((value) => value !== 0)).toBe(true);
    expect(new Set(blobSignatures)).toEqual(new Set([SENTINELS.sasSig]));
    messages.push(
      await failure(async () => (await DatasetCollection.fromStac(presigned, pcOptions())).read()),
    );

    // Bearer token, in the library.
    const bearer = bearerTokenSigner(SENTINELS.bearer, { hosts: [new URL(serverUrl).host] });
    const bearerItems = [
      itemOf('ok', `${serverUrl}/bearer/ok.tif`, 1),
      itemOf('denied', `${serverUrl}/bearer/denied.tif`, 2),
    ];
    // No onWarning here: the default prints to console.warn, which the capture sees.
    const bearerCube = await DatasetCollection.fromStac(bearerItems, {
      registry,
      asset: 'data',
      signer: bearer,
      errorsAsNodata: true,
    });
    serialised.push(JSON.stringify(bearerCube.tasks()));
    await bearerCube.read();
    messages.push(
      await failure(async () =>
        (
          await DatasetCollection.fromStac(bearerItems, { registry, asset: 'data', signer: bearer })
        ).read(),
      ),
    );

    // AWS requester pays, keys from the environment through the SDK's provider chain.
    vi.stubEnv('AWS_ACCESS_KEY_ID', ACCESS_KEY);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', SENTINELS.awsSecret);
    vi.stubEnv('AWS_SESSION_TOKEN', SENTINELS.awsSession);
    vi.stubEnv('AWS_PROFILE', '');
    const aws = awsRequesterPaysSigner({ region: 'us-west-2', endpoint: s3.url });
    const s3Items = [
      itemOf('ok', 's3://pyr-bucket/ok.tif', 1),
      itemOf('missing', 's3://pyr-bucket/missing.tif', 2),
    ];
    const awsCube = await DatasetCollection.fromStac(s3Items, {
      registry,
      asset: 'data',
      signer: aws,
      errorsAsNodata: true,
      onWarning,
    });
    serialised.push(JSON.stringify(awsCube.tasks()));
    const awsRead = await awsCube.read();
    expect(
      Array.from(awsRead.data.subarray(0, GRID.size * GRID.size)).some((value) => value !== 0),
    ).toBe(true);
    expect(
      s3.requests.some(
        (request) => request.failure === undefined && request.path === 'pyr-bucket/ok.tif',
      ),
    ).toBe(true);
    messages.push(
      await failure(async () =>
        (
          await DatasetCollection.fromStac(s3Items, { registry, asset: 'data', signer: aws })
        ).read(),
      ),
    );
    const awsWrongKey = awsRequesterPaysSigner({ region: 'us-west-2', endpoint: s3WrongKey.url });
    messages.push(
      await failure(async () =>
        (
          await DatasetCollection.fromStac([s3Items[0]!], {
            registry,
            asset: 'data',
            signer: awsWrongKey,
          })
        ).estimate(),
      ),
    );
    expect(s3WrongKey.requests.some((request) => request.failure === 'SignatureDoesNotMatch')).toBe(
      true,
    );
    vi.unstubAllEnvs();

    // The CLI: a dry run, a failing --debug run (stacks and causes printed), a refused search.
    vi.stubEnv('PYRAMIDS_BEARER_TOKEN', SENTINELS.bearer);
    vi.stubEnv('PYRAMIDS_BEARER_HOSTS', new URL(serverUrl).host);
    const okFile = path.join(scratch, 'ok-items.json');
    const allFile = path.join(scratch, 'all-items.json');
    writeFileSync(
      okFile,
      JSON.stringify({ type: 'FeatureCollection', features: [bearerItems[0]] }),
    );
    writeFileSync(allFile, JSON.stringify({ type: 'FeatureCollection', features: bearerItems }));
    const dryRun = await runCli([
      'cube',
      okFile,
      '--asset',
      'data',
      '--dry-run',
      '--signer',
      'bearer',
    ]);
    expect(dryRun.code).toBe(0);
    expect(JSON.parse(dryRun.stdout).sources).toBe(1);
    const cubeFailure = await runCli([
      '--debug',
      'cube',
      allFile,
      '--asset',
      'data',
      '--signer',
      'bearer',
      '-o',
      path.join(scratch, 'out.tif'),
    ]);
    expect(cubeFailure.code).toBe(1);
    expect(cubeFailure.stderr).toMatch(/ReadError[\s\S]*401/);
    vi.stubEnv('PYRAMIDS_BEARER_HOSTS', '');
    const searchFailure = await runCli([
      '--debug',
      'search',
      `${serverUrl}/stac/v1`,
      '--signer',
      'bearer',
      '--max-items',
      '1',
    ]);
    expect(searchFailure.code).toBe(1);
    expect(searchFailure.stderr).toMatch(/SearchError[\s\S]*401/);
    vi.unstubAllEnvs();

    // The refusing servers did receive the secrets, so a leak would have shown.
    expect(messages).toHaveLength(6);
    for (const message of messages) {
      expect(message).toMatch(/Error/);
      expectClean(message, 'an error');
    }
    for (const warning of warnings) expectClean(warning, 'a warning');
    expect(warnings.length).toBeGreaterThanOrEqual(3);
    for (const text of serialised) {
      expectClean(text, 'a serialised task');
      const signedQuery = /[?&](sig|X-Amz-Signature|X-Amz-Credential|token)=[^&"]*/i.exec(text);
      if (signedQuery) leaks.push(`a serialised task holds a signed query: ${signedQuery[0]}`);
    }
    for (const signer of [pc, bearer, aws] as Signer[])
      expectClean(JSON.stringify(signer.describe!()), `describe() of ${signer.id}`);
    for (const output of [dryRun, cubeFailure, searchFailure])
      expectClean(output.stdout + output.stderr, 'CLI output');
    expectClean(captured, 'console, stdout, stderr or warning output');
    expect(captured).toMatch(/pyramids: could not read asset 'data' of item denied/); // the capture works
    expect(leaks).toEqual([]);
  });
});
