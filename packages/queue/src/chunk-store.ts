// Where the Zarr store lives: a directory (local or shared) or an S3 prefix. Every
// write is all-or-nothing, so a worker killed mid-chunk never leaves a partial chunk:
// a file is written under a temporary name and renamed; an S3 PUT is atomic by itself
// (an object appears only once its whole body has arrived and its checksum matched).
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { OptionError } from '@pyramids/core';
import { QueueError } from './queue-error.js';

/** A store as data (no credentials): what a worker needs to open the same store on its machine. */
export type StoreDescription =
  | { kind: 'file'; path: string }
  | { kind: 's3'; bucket: string; prefix: string; endpoint?: string; region?: string };

/** Keys → bytes, written atomically. Keys use `/` whatever the platform. */
export interface ChunkStore {
  readonly description: StoreDescription;
  /** Writes `bytes` under `key`, all or nothing. */
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** The bytes under `key`, or undefined. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Every complete key under `prefix` (temporary files excluded). */
  list(prefix: string): Promise<string[]>;
  /** Removes what a killed writer may have left (temporary files); complete keys stay. */
  removeLeftovers(): Promise<number>;
}

const PARTIAL = '.partial-';

type S3Sdk = typeof import('@aws-sdk/client-s3'); // eslint-disable-line @typescript-eslint/consistent-type-imports -- the SDK loads lazily

/** `s3://bucket/prefix` or a path → a store description (paths made absolute). */
export function parseStoreTarget(
  target: string,
  options: { endpoint?: string; region?: string } = {},
): StoreDescription {
  if (/^s3:\/\//i.test(target)) {
    const match = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(target);
    if (!match || match[1] === '')
      throw new OptionError(`'${target}' names no bucket; write s3://bucket/path/cube.zarr`);
    return { kind: 's3', bucket: match[1]!, prefix: match[2]!.replace(/\/+$/, ''), ...options };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    throw new OptionError(
      `cannot write a cube store to '${target}'; give a directory path (local or shared) or s3://bucket/prefix`,
    );
  }
  return { kind: 'file', path: path.resolve(target) };
}

/** Opens the store a description names, on this machine. */
export async function openChunkStore(description: StoreDescription): Promise<ChunkStore> {
  if (description.kind === 'file') return fileChunkStore(description.path);
  if (description.kind === 's3') return s3ChunkStore(description);
  throw new QueueError(
    `unknown store kind '${(description as { kind: string }).kind}'; expected file or s3`,
  );
}

/** A store in a directory; each key is a file below it. */
export function fileChunkStore(root: string): ChunkStore {
  const fileOf = (key: string) => path.join(root, ...key.split('/'));
  return {
    description: { kind: 'file', path: root },
    async put(key, bytes) {
      const file = fileOf(key);
      const partial = `${file}${PARTIAL}${randomUUID()}`;
      try {
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(partial, bytes, { flag: 'wx' });
        await rename(partial, file);
      } catch (error) {
        await rm(partial, { force: true }).catch(() => undefined);
        throw new QueueError(`could not write ${key} in ${root}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    },
    async get(key) {
      try {
        return new Uint8Array(await readFile(fileOf(key)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new QueueError(`could not read ${key} in ${root}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    },
    async list(prefix) {
      const start = fileOf(prefix);
      const found: string[] = [];
      const walk = async (dir: string): Promise<void> => {
        let entries;
        try {
          entries = await readdir(dir, { withFileTypes: true });
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
          throw new QueueError(`could not list ${dir}: ${(error as Error).message}`, {
            cause: error,
          });
        }
        for (const entry of entries) {
          const full = path.join(dir, entry.name);
          if (entry.isDirectory()) await walk(full);
          else if (entry.isFile() && !entry.name.includes(PARTIAL))
            found.push(path.relative(root, full).split(path.sep).join('/'));
        }
      };
      const info = await stat(start).catch(() => undefined);
      if (info?.isFile()) return [prefix];
      await walk(start);
      return found.sort();
    },
    async removeLeftovers() {
      let removed = 0;
      const walk = async (dir: string): Promise<void> => {
        const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
        for (const entry of entries) {
          const full = path.join(dir, entry.name);
          if (entry.isDirectory()) await walk(full);
          else if (entry.name.includes(PARTIAL)) {
            await rm(full, { force: true });
            removed++;
          }
        }
      };
      await walk(root);
      return removed;
    },
  };
}

/**
 * A store under an S3 prefix, through the AWS SDK (loaded on first use). Credentials,
 * region and endpoint come from the machine's own AWS configuration (environment,
 * profile, instance role) unless the description names an endpoint or region.
 */
export function s3ChunkStore(description: Extract<StoreDescription, { kind: 's3' }>): ChunkStore {
  const { bucket, prefix } = description;
  const keyOf = (key: string) => (prefix ? `${prefix}/${key}` : key);
  const where = `s3://${bucket}/${prefix}`;
  let client: Promise<{ sdk: S3Sdk; s3: S3Client }> | undefined;
  const connect = () =>
    (client ??= import('@aws-sdk/client-s3').then((sdk) => ({
      sdk,
      s3: new sdk.S3Client({
        ...(description.endpoint ? { endpoint: description.endpoint, forcePathStyle: true } : {}),
        region:
          description.region ??
          process.env['AWS_REGION'] ??
          process.env['AWS_DEFAULT_REGION'] ??
          'us-east-1',
      }),
    })));
  const fail = (action: string, key: string, error: unknown): never => {
    throw new QueueError(
      `could not ${action} ${key} in ${where}: ${(error as Error).name}: ${(error as Error).message}`,
      { cause: error },
    );
  };
  return {
    description,
    async put(key, bytes) {
      const { sdk, s3 } = await connect();
      await s3
        .send(new sdk.PutObjectCommand({ Bucket: bucket, Key: keyOf(key), Body: bytes }))
        .catch((error: unknown) => fail('write', key, error));
    },
    async get(key) {
      const { sdk, s3 } = await connect();
      try {
        const response = await s3.send(
          new sdk.GetObjectCommand({ Bucket: bucket, Key: keyOf(key) }),
        );
        return await response.Body!.transformToByteArray();
      } catch (error) {
        if (
          (error as Error).name === 'NoSuchKey' ||
          (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404
        )
          return undefined;
        return fail('read', key, error);
      }
    },
    async list(listPrefix) {
      const { sdk, s3 } = await connect();
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const response = await s3
          .send(
            new sdk.ListObjectsV2Command({
              Bucket: bucket,
              Prefix: keyOf(listPrefix),
              ContinuationToken: token,
            }),
          )
          .catch((error: unknown) => fail('list', listPrefix, error));
        for (const object of response.Contents ?? [])
          if (object.Key) keys.push(prefix ? object.Key.slice(prefix.length + 1) : object.Key);
        token = response.IsTruncated ? response.NextContinuationToken : undefined;
      } while (token);
      return keys.sort();
    },
    async removeLeftovers() {
      return 0;
    },
  };
}
