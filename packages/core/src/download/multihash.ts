// `file:checksum` values are hex-encoded multihashes: varint code, varint digest
// length, digest. Only the algorithms node:crypto computes are supported.
import { createHash, type Hash } from 'node:crypto';
import { DownloadError } from '../errors/download-error.js';

/** A parsed multihash. */
export interface Multihash {
  /** Multicodec code, e.g. 0x12 for sha2-256. */
  code: number;
  /** Multicodec name, e.g. `sha2-256`. */
  name: string;
  /** node:crypto algorithm, when supported. */
  algorithm?: string;
  /** Expected digest, lower-case hex. */
  digest: string;
}

const ALGORITHMS: Record<number, { name: string; algorithm?: string; length?: number }> = {
  0x11: { name: 'sha1', algorithm: 'sha1', length: 20 },
  0x12: { name: 'sha2-256', algorithm: 'sha256', length: 32 },
  0x13: { name: 'sha2-512', algorithm: 'sha512', length: 64 },
  0x20: { name: 'sha2-384', algorithm: 'sha384', length: 48 },
  0xd5: { name: 'md5', algorithm: 'md5', length: 16 },
  0xb240: { name: 'blake2b-512', algorithm: 'blake2b512', length: 64 },
  0xb260: { name: 'blake2s-256', algorithm: 'blake2s256', length: 32 },
};

function readVarint(bytes: Uint8Array, start: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (let index = start; index < bytes.length && shift < 35; index++) {
    value += (bytes[index]! & 0x7f) * 2 ** shift;
    if ((bytes[index]! & 0x80) === 0) return [value, index + 1];
    shift += 7;
  }
  throw new Error('truncated varint');
}

function multicodecName(code: number): string {
  if (ALGORITHMS[code]) return ALGORITHMS[code].name;
  if (code > 0xb200 && code <= 0xb240) return `blake2b-${(code - 0xb200) * 8}`;
  if (code > 0xb240 && code <= 0xb260) return `blake2s-${(code - 0xb240) * 8}`;
  return `0x${code.toString(16)}`;
}

/** Parses a hex multihash; DownloadError naming `where` when it is malformed. */
export function parseMultihash(value: unknown, where: string): Multihash {
  if (typeof value !== 'string' || !/^([0-9a-f]{2})+$/i.test(value)) {
    throw new DownloadError(
      `${where}: file:checksum ${JSON.stringify(value)} is not a hex-encoded multihash`,
    );
  }
  const bytes = Uint8Array.from(value.match(/../g)!.map((pair) => parseInt(pair, 16)));
  try {
    const [code, afterCode] = readVarint(bytes, 0);
    const [length, afterLength] = readVarint(bytes, afterCode);
    if (bytes.length - afterLength !== length)
      throw new Error(`digest has ${bytes.length - afterLength} bytes, the header says ${length}`);
    const known = ALGORITHMS[code];
    if (known?.length !== undefined && length > known.length)
      throw new Error(`${known.name} digests have ${known.length} bytes, not ${length}`);
    const digest = Buffer.from(bytes.subarray(afterLength)).toString('hex');
    return {
      code,
      name: multicodecName(code),
      ...(known?.algorithm ? { algorithm: known.algorithm } : {}),
      digest,
    };
  } catch (error) {
    throw new DownloadError(
      `${where}: file:checksum ${value} is not a valid multihash (${(error as Error).message})`,
      { cause: error },
    );
  }
}

/** Encodes a digest as a hex multihash (for tests and for writing `file:checksum`). */
export function encodeMultihash(code: number, digest: Uint8Array): string {
  const varint = (value: number) => {
    const out: number[] = [];
    do {
      let byte = value % 128;
      value = Math.floor(value / 128);
      if (value > 0) byte |= 0x80;
      out.push(byte);
    } while (value > 0);
    return out;
  };
  return Buffer.from([...varint(code), ...varint(digest.length), ...digest]).toString('hex');
}

/** A hash object for a supported multihash. */
export function createMultihashHash(multihash: Multihash): Hash {
  if (!multihash.algorithm) throw new DownloadError(`multihash ${multihash.name} is not supported`);
  return createHash(multihash.algorithm);
}

/** True when a computed full digest matches the expected (possibly truncated) one. */
export function digestMatches(multihash: Multihash, computedHex: string): boolean {
  return computedHex.slice(0, multihash.digest.length) === multihash.digest;
}
